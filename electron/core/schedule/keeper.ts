import * as fs from 'node:fs';
import type { LifeboatError, Result } from '../../contract/errors';
import type { PruneResult, RetentionRules } from '../../contract/retention';
import { hasNoRules } from '../../contract/retention';
import type { DrillResult, DrillSettings } from '../../contract/drill';
import type { Freshness, FreshnessState, NotifyTarget, Schedule } from '../../contract/schedule';
import { drillDue } from '../drill/drill-status';
import type { OffsiteTarget, PushResult } from '../../contract/offsite';
import type { BackupOutcome, SnapshotEntry } from '../../contract/snapshots';
import type { DatabaseLocation } from '../database-location';
import { ifUnlocked, liveHolder } from '../fs/lock-file';
import { restorePaths } from '../restore/restore-journal';
import { ensureOwnFolder } from '../fs/untrusted-file';
import { LifeboatFailure } from '../lifeboat-failure';
import type { PlannedSnapshot } from '../retention/prune-snapshots';
import type { Alert, Delivery } from '../notify/send-alerts';
import { freshnessOf } from './freshness';
import { keeperPaths, readKeeperState, writeKeeperState, type KeeperState } from './keeper-state';
import { checkSchedule, dueAt } from './schedule-times';
import * as path from 'node:path';

/**
 * The keeper: runs an app's scheduled snapshot when it is due (then its retention), works out its
 * freshness, and tells people when a run fails, when it turns stale and when it recovers. The same
 * code serves `lifeboat run-due` (one pass), `lifeboat serve` and the desktop app (a pass a minute).
 * One keeper at a time per app: a lock in `backups/.lifeboat/`; a second keeper skips its turn.
 */

/** What an app asks of its keeper, from its lifeboat.json or Lifeboat's settings. */
export interface AppAutomation {
  readonly schedule: Schedule | null;
  readonly retention: RetentionRules | null;
  readonly staleAfter: string | null;
  readonly notify: readonly NotifyTarget[];
  /** Where each scheduled snapshot is sent after it is taken, and the app's name in the keys there. */
  readonly offsite: { readonly targets: readonly OffsiteTarget[]; readonly app: string };
  /** How often the offsite copies are drilled (brought back and proven restorable); null: never. */
  readonly drill: DrillSettings | null;
}

export interface KeptApp {
  /** The host's id of the app (the settings' app id; the database's path for the CLI). */
  readonly id: string;
  readonly name: string;
  readonly location: DatabaseLocation;
  readonly automation: AppAutomation;
  /** Why the app's lifeboat.json cannot be used (its user may have written anything there); absent when it can. */
  readonly settingsProblem?: string;
}

/** How the keeper acts: jobs, listing and alerts are given, so that hosts track them and tests watch them. */
export interface KeeperActions {
  now(): number;
  snapshot(app: KeptApp, label: string): Promise<Result<BackupOutcome>>;
  prune(app: KeptApp, rules: RetentionRules): Promise<Result<PruneResult>>;
  push(app: KeptApp): Promise<Result<PushResult>>;
  list(app: KeptApp): Promise<readonly SnapshotEntry[]>;
  alert(app: KeptApp, alert: Alert): Promise<Delivery[]>;
  ping(app: KeptApp, phase: 'start' | 'success' | 'fail', message: string): Promise<Delivery[]>;
  /** The app's last drill, as Lifeboat recorded it. */
  lastDrill(app: KeptApp): DrillResult | null;
  /** Drills the app's offsite copies, records the result and alerts when it failed. */
  drill(
    app: KeptApp,
    state: FreshnessState,
  ): Promise<{ result: Result<DrillResult>; deliveries: Delivery[] }>;
}

/** One pass of the keeper over one app. */
export interface KeeperPass {
  readonly app: string;
  /** `ran`; else why not: not due yet, another keeper holds the app, a restore of it is under way, no schedule. */
  readonly outcome: 'ran' | 'not-due' | 'locked' | 'restoring' | 'no-schedule';
  /** The scheduled snapshot taken, if one was. */
  readonly snapshot: string | null;
  /** Why the scheduled run failed, if it did. */
  readonly error: LifeboatError | null;
  /** The retention after the run: deleted files, or why it could not run. */
  readonly pruned: readonly string[];
  readonly pruneError: LifeboatError | null;
  /** The offsite push after the snapshot; null when the app has no targets or nothing ran. */
  readonly offsite: PushResult | null;
  /** Why the push (or one of its targets) failed. */
  readonly offsiteError: LifeboatError | null;
  readonly freshness: Freshness;
  /** The drill this pass ran, when one was due; null otherwise. */
  readonly drill: Result<DrillResult> | null;
  /** Alerts and pings sent, secrets masked. */
  readonly deliveries: readonly Delivery[];
}

interface RunOutcome {
  readonly snapshot: string | null;
  readonly error: LifeboatError | null;
  readonly pruned: readonly string[];
  readonly pruneError: LifeboatError | null;
  readonly offsite: PushResult | null;
  readonly offsiteError: LifeboatError | null;
  readonly deliveries: readonly Delivery[];
}

const notRun: RunOutcome = {
  snapshot: null,
  error: null,
  pruned: [],
  pruneError: null,
  offsite: null,
  offsiteError: null,
  deliveries: [],
};

/** The first failure of a push: a call that failed, a target that could not be used, a snapshot not sent. */
function pushFailure(result: Result<PushResult>): LifeboatError | null {
  if (!result.ok) {
    return result.error;
  }
  for (const target of result.value.targets) {
    const error = target.error ?? target.failed[0]?.error ?? null;
    if (error !== null) {
      return { ...error, message: `Offsite copy to ${target.target} failed: ${error.message}` };
    }
  }
  return null;
}

/** The label of a scheduled snapshot: the schedule's, else "scheduled". */
function scheduledLabel(schedule: Schedule): string {
  return schedule.label ?? 'scheduled';
}

/**
 * The snapshot the next scheduled run of `schedule` takes before it applies the rules: when that run
 * is due (now, if it is already), from the keeper's record of the last run. Null if it never runs.
 */
export function nextScheduledSnapshot(
  backupsDir: string,
  schedule: Schedule,
  nowMs: number,
): PlannedSnapshot | null {
  const lastRun = readKeeperState(backupsDir, nowMs).lastRun;
  const at = Math.max(nowMs, dueAt(schedule, lastRun === null ? null : Date.parse(lastRun.at)));
  return Number.isFinite(at) ? { time: new Date(at).toISOString(), label: scheduledLabel(schedule) } : null;
}

/** The scheduled snapshot, then retention if the app has rules; the state records how it went. */
async function runScheduled(
  app: KeptApp,
  schedule: Schedule,
  actions: KeeperActions,
  state: KeeperState,
): Promise<{ run: RunOutcome; state: KeeperState }> {
  const at = new Date(actions.now()).toISOString();
  const started = await actions.ping(app, 'start', `Scheduled snapshot of ${app.location.databasePath}`);
  const result = await actions.snapshot(app, scheduledLabel(schedule));
  const snapshot = result.ok && result.value.kind === 'created' ? result.value.snapshot.file : null;
  const error = result.ok ? null : result.error;
  const message =
    error?.message ??
    (result.ok && result.value.kind === 'nothing-to-back-up'
      ? result.value.message
      : `Snapshot ${snapshot ?? ''} taken and checked.`);
  // Written at once: a keeper killed during retention has still made its run, and does not make it twice.
  const next: KeeperState = { ...state, lastRun: { at, ok: error === null, message, snapshot } };
  writeKeeperState(app.location.backupsDir, next);
  let pruned: readonly string[] = [];
  let pruneError: LifeboatError | null = null;
  const rules = app.automation.retention;
  if (error === null && rules !== null && !hasNoRules(rules)) {
    const outcome = await actions.prune(app, rules);
    pruned = outcome.ok ? outcome.value.deleted : [];
    pruneError = outcome.ok ? null : outcome.error;
  }
  let offsite: PushResult | null = null;
  let offsiteError: LifeboatError | null = null;
  if (error === null && app.automation.offsite.targets.length > 0) {
    const pushed = await actions.push(app);
    offsite = pushed.ok ? pushed.value : null;
    offsiteError = pushFailure(pushed);
  }
  const finished = await actions.ping(app, error === null ? 'success' : 'fail', message);
  return {
    run: {
      snapshot,
      error,
      pruned,
      pruneError,
      offsite,
      offsiteError,
      deliveries: [...started, ...finished],
    },
    state: next,
  };
}

/** The alert a change of freshness calls for: every failed run; turning stale; fresh again after either. */
function alertFor(
  previous: KeeperState['alerted'],
  freshness: Freshness,
  ranAndFailed: boolean,
): Alert['event'] | null {
  if (ranAndFailed) {
    return 'failed';
  }
  if (freshness.state === 'stale' && previous !== 'stale') {
    return 'stale';
  }
  if (freshness.state === 'fresh' && (previous === 'stale' || previous === 'failing')) {
    return 'recovered';
  }
  return null;
}

/** The app's freshness now, from its listing and the keeper's state. */
async function freshnessNow(app: KeptApp, actions: KeeperActions, state: KeeperState): Promise<Freshness> {
  return freshnessOf({
    snapshots: await actions.list(app),
    automation: app.automation,
    state,
    nowMs: actions.now(),
  });
}

/** What a pass did: nothing without a schedule, nothing during a restore, else ran or not due yet. */
function outcomeOf(scheduled: boolean, restoring: boolean, due: boolean): KeeperPass['outcome'] {
  if (!scheduled) {
    return 'no-schedule';
  }
  if (restoring) {
    return 'restoring';
  }
  return due ? 'ran' : 'not-due';
}

/** A restore of the database is running (its lock is held by a live process) or was interrupted (its journal is there). */
function restoreUnderWay(location: DatabaseLocation): boolean {
  const paths = restorePaths(location.databasePath);
  return liveHolder(paths.lock) !== null || fs.existsSync(paths.journal);
}

/**
 * One pass over one app, holding its keeper lock: run what is due, then say what changed. Fails (the
 * app is shown failing and people are told) when its folders, its lifeboat.json or its schedule keep
 * the keeper from ever running it, rather than skipping it quietly.
 */
export async function keepApp(app: KeptApp, actions: KeeperActions): Promise<KeeperPass> {
  const { backupsDir } = app.location;
  if (app.settingsProblem !== undefined) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `${app.settingsProblem} No scheduled snapshot is taken until the file is fixed or moved away.`,
    );
  }
  if (app.automation.schedule !== null) {
    // A schedule that never comes due (30 February) would leave the app unprotected without a word.
    checkSchedule(app.automation.schedule, actions.now());
  }
  if (!fs.existsSync(path.dirname(app.location.databasePath))) {
    throw new LifeboatFailure(
      'DB_NOT_FOUND',
      `The folder of ${app.location.databasePath} does not exist (a volume not mounted?): no scheduled snapshot can be taken.`,
      app.location.databasePath,
    );
  }
  ensureOwnFolder(path.dirname(keeperPaths(backupsDir).lock));
  const locked = async (): Promise<KeeperPass> => {
    const { schedule } = app.automation;
    let state = readKeeperState(backupsDir, actions.now());
    const { alerted } = state;
    let run = notRun;
    const due =
      schedule !== null &&
      dueAt(schedule, state.lastRun === null ? null : Date.parse(state.lastRun.at)) <= actions.now();
    // Never a snapshot of a database being restored: the run waits for the next pass.
    const restoring = due && restoreUnderWay(app.location);
    if (schedule !== null && due && !restoring) {
      ({ run, state } = await runScheduled(app, schedule, actions, state));
    }
    const freshness = await freshnessNow(app, actions, state);
    // A snapshot that did not reach its offsite targets is a failed run too: the disk may die with it.
    const event = alertFor(state.alerted, freshness, run.error !== null || run.offsiteError !== null);
    let deliveries = run.deliveries;
    if (event !== null) {
      const sent = await actions.alert(app, {
        event,
        app: app.name,
        database: app.location.databasePath,
        state: freshness.state,
        reason: run.error === null && run.offsiteError !== null ? run.offsiteError.message : freshness.reason,
        at: new Date(actions.now()).toISOString(),
      });
      deliveries = [...deliveries, ...sent];
      // Told: not again until it changes. Told no one (every target down): tried again next pass.
      if (sent.length === 0 || sent.some((d) => d.ok)) {
        state = { ...state, alerted: freshness.state };
      }
    } else if (freshness.state === 'fresh' && state.alerted !== null && state.alerted !== 'fresh') {
      state = { ...state, alerted: 'fresh' };
    }
    if (state.alerted !== alerted) {
      writeKeeperState(backupsDir, state);
    }
    // A drill reads the targets alone, so it runs whatever the database is doing, when its period is over.
    let drill: Result<DrillResult> | null = null;
    const drillSettings = app.automation.drill;
    if (drillSettings !== null && drillDue(drillSettings, actions.lastDrill(app), actions.now())) {
      const drilled = await actions.drill(app, freshness.state);
      drill = drilled.result;
      deliveries = [...deliveries, ...drilled.deliveries];
    }
    const outcome = outcomeOf(schedule !== null, restoring, due);
    return { app: app.name, outcome, ...run, deliveries, freshness, drill };
  };
  const outcome = await ifUnlocked(keeperPaths(backupsDir).lock, locked);
  if (outcome.ran) {
    return outcome.value;
  }
  const state = readKeeperState(backupsDir, actions.now());
  return {
    app: app.name,
    outcome: 'locked',
    ...notRun,
    freshness: await freshnessNow(app, actions, state),
    drill: null,
  };
}
