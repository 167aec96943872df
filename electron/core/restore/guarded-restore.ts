import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  restoreStep,
  restoreSteps,
  type RestorePreview,
  type RestoreResult,
  type RestoreStep,
  type RollbackStep,
} from '../../contract/restore';
import type { DatabaseLocation } from '../database-location';
import { crashPointForTests } from '../crash-point';
import { fsyncDirectory, removeAbandonedTemporaries, removeIfPresent } from '../fs/durable-file';
import { whileLocked } from '../fs/lock-file';
import type { JobControl } from '../job-control';
import { LifeboatFailure, toLifeboatError } from '../lifeboat-failure';
import type { AppPlan, AppSettings } from './app-plan';
import { appCommand, liveSchemaStatus, runUpgrade, takePinnedSnapshot, waitUntilHealthy } from './app-steps';
import { recordLastRestore } from './last-restore';
import {
  readJournal,
  removeJournal,
  restorePaths,
  writeJournal,
  type RestoreJournal,
} from './restore-journal';
import {
  forwardSteps,
  planDiscardOld,
  planRollback,
  planSetAside,
  reached,
  restoreFilesPresent,
  type FileOperation,
  type PresentFiles,
} from './recovery-plan';
import { planFor, preflight, refuseIfHeld, type Preflight, type PreviewRequest } from './restore-preflight';
import {
  copyAndFlush,
  renameOwnFile,
  requireHeadAndSmoke,
  requireJournalMode,
  requireOpensAsSnapshot,
  stageCopy,
  type FileIdentity,
  type Settling,
} from './restored-file';
import { done, Handoff, runSteps, skip, type StepOutcome } from './step-runner';

/**
 * Restores a snapshot over the live database (safety invariants 4 to 7 and 9):
 * preflight (the snapshot verified, nobody holding the live file, room on the disk, what will be
 * lost) → a verified, pinned pre-restore snapshot → the snapshot copied beside the live file and
 * checked → the live file and its -wal, -shm, -journal set aside (so no stale sidecar can replay old
 * pages onto the restored file) → the copy renamed into place → verified → the old files discarded.
 *
 * Every step after preflight is idempotent and recorded in the journal first, so `recover` can
 * finish it or roll it back after a crash. A failure after the live file was set aside rolls back.
 *
 * Swap by rename, not SQLite's backup API into the live file: a rename replaces the file in one
 * atomic step and leaves the old one whole until the new one is verified; the backup API writes the
 * live file page by page, so a crash in the middle leaves a mix, and it needs the live file's own
 * journal to be undone.
 */

export interface RestoreRequest extends PreviewRequest {
  /** Restore even though a process holds the live database open (the user said so explicitly). */
  readonly allowOpen: boolean;
  /** An undo that puts back what the last undo replaced: the restore is redone (named so in the log). */
  readonly redo?: boolean;
}

/** The note of the snapshot taken before each: "Taken before undoing the last restore, putting back X". */
const takenBefore = {
  restore: 'restoring',
  undo: 'undoing the last restore, putting back',
  redo: 'redoing the last restore, putting back',
} as const;

/** What a restore request does, as the log and its pre-restore snapshot name it. */
export function restoreActionOf(request: Pick<RestoreRequest, 'undo' | 'redo'>): 'restore' | 'undo' | 'redo' {
  if (request.undo !== true) {
    return 'restore';
  }
  return request.redo === true ? 'redo' : 'undo';
}

type Timings = RestoreResult['steps'];
type RollbackTimings = RestoreResult['rollbackSteps'];

/** What one run of the steps knows beyond the journal: the staged file it created (a resumed run created none). */
interface StepState {
  staged: FileIdentity | null;
}

/** Runs one step from `stage` on; idempotent, so that a resumed restore can run it again. */
async function runForwardStep(
  step: RestoreStep,
  journal: RestoreJournal,
  plan: AppPlan,
  control: JobControl,
  state: StepState,
): Promise<StepOutcome> {
  const paths = restorePaths(journal.database);
  const dir = path.dirname(journal.database);
  const stage = (): Promise<FileIdentity> =>
    stageCopy(journal.snapshot, paths.staged, journal.snapshotSha256, settlingOf(journal), control);
  switch (step) {
    case 'stage':
      state.staged = await stage();
      return done();
    case 'set-aside':
      await apply(planSetAside(journal.database, present(journal.database)), journal, step);
      return done();
    case 'put-in-place': {
      // Only a file this process created takes the live name: a resumed restore stages the snapshot
      // again rather than trust whatever a crash (or the app's user) left under the staged name.
      const resumed = state.staged === null;
      renameOwnFile(paths.staged, journal.database, state.staged ?? (await stage()));
      fsyncDirectory(dir);
      return done(resumed ? 'resumed: the snapshot was staged again' : null);
    }
    case 'verify':
      // The bytes were checked against the verified snapshot's SHA-256 when staged and a rename does
      // not change them: what is left is that the file at the live name has its size and opens.
      requireOpensAsSnapshot(journal.database);
      requireJournalMode(journal.database, journal.journalMode);
      return done(journal.journalMode === null ? null : `journal mode: ${journal.journalMode}, as before`);
    case 'upgrade': {
      if (!journal.upgrade) {
        return skip('undo: put back as it was, not upgraded');
      }
      // With its -wal: a resumed restore may find an upgrade's commits there.
      const status = liveSchemaStatus(plan, journal.database, 'live');
      if (status === null) {
        return skip('no migrations known');
      }
      if (status.status === 'at-head') {
        return skip('already at head');
      }
      if (plan.upgrade === null) {
        throw new LifeboatFailure(
          'APP_COMMAND_FAILED',
          `The snapshot is ${status.badge} and no upgrade command is set for ${plan.migrations?.source.tool ?? 'this tool'}: set one in the app's settings.`,
        );
      }
      return done(await runUpgrade(plan, journal.database, control));
    }
    case 'check':
      requireHeadAndSmoke(plan, journal.database);
      return done();
    case 'start': {
      const ran = await appCommand(plan, 'start', journal.database, control);
      return ran === null ? skip('no start command is set, so start the app yourself') : done(`ran ${ran}`);
    }
    case 'health':
      if (plan.healthUrl === null) {
        return skip('no health URL is set');
      }
      await waitUntilHealthy(plan.healthUrl, plan.timeoutsMs.health, control);
      return done(`${plan.healthUrl} answered healthy`);
    case 'discard-old':
      await apply(planDiscardOld(journal.database, present(journal.database)), journal, step);
      return done();
    case 'preflight':
    case 'stop':
    case 'pre-restore':
      throw new LifeboatFailure('INTERNAL', `A restore cannot resume at ${step}.`);
  }
}

/** Runs the steps from `from` on, each recorded in the journal before it runs; the journal goes at the end. */
async function runForwardSteps(
  journal: RestoreJournal,
  from: RestoreStep,
  plan: AppPlan,
  control: JobControl,
  timings: Timings,
): Promise<void> {
  const state: StepState = { staged: null };
  await runSteps(
    {
      steps: forwardSteps.slice(Math.max(0, forwardSteps.indexOf(from))),
      cancellable: true,
      before: (step) => journalStep(journal, step),
      run: (step, stepControl) => runForwardStep(step, journal, plan, stepControl, state),
      timings,
    },
    control,
  );
  removeJournal(journal.database);
}

/** The journal records the step about to run (tests may crash the process right after). */
function journalStep(journal: RestoreJournal, step: RestoreStep): void {
  writeJournal({ ...journal, step });
  crashPointForTests(step);
}

/** What the restored file is given: the live file's journal mode, permissions and owner, as the journal recorded them. */
function settlingOf(journal: RestoreJournal): Settling {
  return { owner: journal.owner, journalMode: journal.journalMode };
}

/** Copies `source` beside the live file, flushes it, and renames it into place. */
async function putCopyInPlace(source: string, journal: RestoreJournal): Promise<void> {
  const { staged } = restorePaths(journal.database);
  renameOwnFile(staged, journal.database, await copyAndFlush(source, staged, settlingOf(journal)));
}

/** The restore's files that exist now. */
function present(database: string): PresentFiles {
  return restoreFilesPresent(database, (file) => fs.existsSync(file));
}

/**
 * Runs a plan's operations in order, then flushes the folder so that they survive a power cut. The
 * crash tests can kill the process after the Nth operation of `step` (`LIFEBOAT_TEST_KILL_AT=step:N`).
 */
async function apply(
  operations: readonly FileOperation[],
  journal: RestoreJournal,
  step: RestoreStep | 'put-back',
): Promise<void> {
  for (const [index, operation] of operations.entries()) {
    switch (operation.kind) {
      case 'remove':
        removeIfPresent(operation.file);
        break;
      case 'rename':
        fs.renameSync(operation.from, operation.to);
        break;
      case 'copy-in':
        await putCopyInPlace(operation.source, journal);
        break;
    }
    crashPointForTests(`${step}:${index + 1}`);
  }
  fsyncDirectory(path.dirname(journal.database));
}

/**
 * Puts the database back as it was before the restore began; needs only what the journal names.
 * Says so when the files had not been touched yet (the restore stopped before the swap).
 */
async function rollBack(journal: RestoreJournal): Promise<StepOutcome> {
  const operations = planRollback(journal, present(journal.database));
  await apply(operations, journal, 'put-back');
  removeJournal(journal.database);
  if (operations.length === 0) {
    return skip('nothing had been changed');
  }
  return done(journal.preRestore === null ? null : `as in ${path.basename(journal.preRestore)}`);
}

/**
 * Undoes a restore that failed or was interrupted at `journal.step`, with the rollback the step
 * table gives it: the app is stopped first if it had been started on the restored file, the files
 * are put back, and the app is started again on them if Lifeboat had stopped it. A failing start
 * here is reported (the returned note), the files stay rolled back.
 */
async function undo(
  journal: RestoreJournal,
  plan: AppPlan,
  control: JobControl,
  timings: RollbackTimings,
): Promise<string | null> {
  const ran = (command: string | null, what: string): StepOutcome =>
    command === null ? skip(`no ${what} command is set`) : done(`ran ${command}`);
  // The runner's control: a rollback's is never cancelled, whatever led to it.
  const run = async (step: RollbackStep, rollbackControl: JobControl): Promise<StepOutcome> => {
    switch (step) {
      case 'stop-app':
        return ran(await appCommand(plan, 'stop', journal.database, rollbackControl), 'stop');
      case 'put-back':
        return rollBack(journal);
      case 'start-app':
        return plan.stop === null
          ? skip('Lifeboat did not stop the app (no stop command is set)')
          : ran(await appCommand(plan, 'start', journal.database, rollbackControl), 'start');
    }
  };
  try {
    await runSteps({ steps: restoreStep(journal.step).rollback, cancellable: false, run, timings }, control);
  } catch (error) {
    if (!timings.some((t) => t.step === 'put-back')) {
      throw error;
    }
    return `The database was rolled back, but the app did not start again: ${toLifeboatError(error).message}`;
  }
  return null;
}

function refuseIfJournaled(location: DatabaseLocation): void {
  const { databasePath } = location;
  const pending = readJournal(location);
  if (pending !== null) {
    throw new LifeboatFailure(
      'RESTORE_IN_PROGRESS',
      `An interrupted restore of ${databasePath} was found (at step ${pending.step}). Finish it with "lifeboat restore --resume" or undo it with "lifeboat restore --rollback".`,
      databasePath,
    );
  }
}

/** The first thing preflight found in the way, as the failure that stops the restore before it changes anything. */
function refuseIfBlocked(preview: RestorePreview): void {
  const [blocker] = preview.blockers;
  if (blocker !== undefined) {
    throw new LifeboatFailure(blocker.code, `${blocker.message} Nothing was changed.`, blocker.path);
  }
}

/**
 * Runs a restore or a recovery of the database holding its restore lock: a second one at the same
 * time (another window, another process, even with "Restore anyway") is refused, not run alongside.
 */
function exclusively<T>(databasePath: string, work: () => Promise<T>): Promise<T> {
  const refused = (heldBy: number | null): LifeboatFailure =>
    new LifeboatFailure(
      'RESTORE_IN_PROGRESS',
      `Another restore of ${databasePath} is under way (process ${String(heldBy)}). Wait until it has finished. Nothing was changed.`,
      databasePath,
    );
  return whileLocked(restorePaths(databasePath).lock, refused, () => {
    // A journal being rewritten when its process was killed leaves a temporary file beside the database.
    removeAbandonedTemporaries(path.dirname(databasePath));
    return work();
  });
}

/** A restore of one snapshot over the live database. */
export function restoreSnapshot(request: RestoreRequest, control: JobControl): Promise<RestoreResult> {
  return exclusively(request.location.databasePath, () => restoreHeld(request, control));
}

/** What the steps before the swap found and made, for the ones after. */
interface Before {
  readonly preflight: Handoff<{ found: Preflight; journal: RestoreJournal }>;
  appStopped: boolean;
  preRestore: string | null;
  /** The pre-restore snapshot's SHA-256 as it was made, for Lifeboat's record of this restore. */
  preRestoreSha256: string | null;
}

/** The journal a restore starts with, once preflight has passed. */
function firstJournal(request: RestoreRequest, found: Preflight): RestoreJournal {
  const { liveStat, preview } = found;
  return {
    version: 1,
    database: request.location.databasePath,
    snapshot: request.snapshotPath,
    snapshotSha256: found.sha256 ?? '',
    preRestore: null,
    owner: liveStat === null ? null : { mode: liveStat.mode & 0o7777, uid: liveStat.uid, gid: liveStat.gid },
    journalMode: preview.journalMode.mode,
    step: 'stop',
    startedAt: new Date().toISOString(),
    upgrade: request.undo !== true,
  };
}

/** The steps before the swap: preflight, stopping the app, the pre-restore snapshot. Nothing is changed yet. */
async function runStepBeforeSwap(
  step: RestoreStep,
  request: RestoreRequest,
  before: Before,
  control: JobControl,
): Promise<StepOutcome> {
  const { databasePath } = request.location;
  if (step === 'preflight') {
    const found = await preflight(request, request.allowOpen, control);
    refuseIfBlocked(found.preview);
    before.preflight.set({ found, journal: firstJournal(request, found) });
    return done();
  }
  const { found } = before.preflight.get();
  if (step === 'stop') {
    const stopped = await appCommand(found.plan, 'stop', databasePath, control);
    before.appStopped = stopped !== null;
    // Whatever stopped the app, nothing may hold the database now (unless the user said so).
    refuseIfHeld(databasePath, request.allowOpen);
    return stopped === null
      ? skip('no stop command: the app must be stopped already')
      : done(`ran ${stopped}`);
  }
  const action = restoreActionOf(request);
  const taken = found.preview.liveExists
    ? await takePinnedSnapshot(
        request.location,
        `pre-${action}`,
        `Taken before ${takenBefore[action]} ${path.basename(request.snapshotPath)}`,
        control,
      )
    : null;
  before.preRestore = taken?.path ?? null;
  before.preRestoreSha256 = taken?.sha256 ?? null;
  return before.preRestore === null
    ? skip('no live database: nothing to keep')
    : done(path.basename(before.preRestore));
}

async function restoreHeld(request: RestoreRequest, control: JobControl): Promise<RestoreResult> {
  const { databasePath } = request.location;
  refuseIfJournaled(request.location);
  const timings: Timings = [];
  const rollbackTimings: RollbackTimings = [];
  const before: Before = {
    preflight: new Handoff('the preflight'),
    appStopped: false,
    preRestore: null,
    preRestoreSha256: null,
  };
  try {
    await runSteps(
      {
        steps: restoreSteps.filter((step) => !forwardSteps.includes(step)),
        cancellable: true,
        before: (step) => {
          const started = before.preflight.peek();
          if (started !== null) {
            journalStep(started.journal, step);
          }
        },
        run: (step, stepControl) => runStepBeforeSwap(step, request, before, stepControl),
        timings,
      },
      control,
    );
  } catch (error) {
    const started = before.preflight.peek();
    if (started === null) {
      throw error;
    }
    // Nothing was touched: bring the app back if its stop command stopped it, and say why.
    const { found, journal } = started;
    const note = await undo(
      { ...journal, step: before.appStopped ? 'pre-restore' : 'stop' },
      found.plan,
      control,
      rollbackTimings,
    );
    const detail = toLifeboatError(error);
    const restarted =
      note === null && rollbackTimings.some((t) => t.step === 'start-app' && !t.skipped)
        ? ' The app was started again.'
        : '';
    throw new LifeboatFailure(
      detail.code,
      `${detail.message} Nothing was changed.${note === null ? restarted : ` ${note}`}`,
      detail.path,
    );
  }
  const { found, journal: started } = before.preflight.get();
  const { plan, preview } = found;
  const journal = { ...started, preRestore: before.preRestore };
  const base = {
    database: databasePath,
    snapshot: request.snapshotPath,
    preRestoreSnapshot: before.preRestore,
    tables: preview.tables,
    steps: timings,
    rollbackSteps: rollbackTimings,
    notTried: [],
  };
  try {
    await runForwardSteps(journal, 'stage', plan, control, timings);
  } catch (error) {
    const detail = toLifeboatError(error);
    const note = await undo(
      { ...journal, step: readJournal(request.location)?.step ?? 'stage' },
      plan,
      control,
      rollbackTimings,
    );
    const message = `${detail.message} The live database was rolled back to what it was before.${note === null ? '' : ` ${note}`}`;
    return { ...base, outcome: 'rolled-back', error: { ...detail, message } };
  }
  const action = restoreActionOf(request);
  if (before.preRestore !== null && before.preRestoreSha256 !== null) {
    // What Undo will put back, in a record only Lifeboat writes (the activity log is the app user's to edit).
    recordLastRestore(request.location, {
      at: new Date().toISOString(),
      action,
      snapshot: path.basename(request.snapshotPath),
      preRestore: path.basename(before.preRestore),
      preRestoreSha256: before.preRestoreSha256,
    });
  }
  control.report('Done', 1);
  return { ...base, outcome: 'restored', error: null, ...(action === 'restore' ? {} : { putBack: action }) };
}

export interface RecoverRequest {
  readonly location: DatabaseLocation;
  readonly mode: 'resume' | 'rollback';
  readonly allowOpen: boolean;
  readonly app: AppSettings | null;
}

/** After a crash: finish the restore the journal records (`resume`) or undo it (`rollback`). */
export function recoverRestore(request: RecoverRequest, control: JobControl): Promise<RestoreResult> {
  return exclusively(request.location.databasePath, () => recoverHeld(request, control));
}

async function recoverHeld(request: RecoverRequest, control: JobControl): Promise<RestoreResult> {
  const { databasePath } = request.location;
  const journal = readJournal(request.location);
  const timings: Timings = [];
  const rollbackTimings: RollbackTimings = [];
  const base = {
    database: databasePath,
    snapshot: journal?.snapshot ?? null,
    preRestoreSnapshot: journal?.preRestore ?? null,
    tables: [],
    steps: timings,
    rollbackSteps: rollbackTimings,
    notTried: [],
  };
  if (journal === null) {
    return { ...base, outcome: 'nothing-to-recover', error: null };
  }
  const plan = planFor({ ...request, undo: !journal.upgrade });
  if (!reached(journal.step, 'start')) {
    refuseIfHeld(databasePath, request.allowOpen);
  }
  if (request.mode === 'rollback' || !forwardSteps.includes(journal.step)) {
    // Before the pre-restore snapshot was complete there is nothing to finish safely: undo.
    const note = await undo(journal, plan, control, rollbackTimings);
    return {
      ...base,
      outcome: 'rolled-back',
      error: note === null ? null : { code: 'APP_COMMAND_FAILED', message: note },
    };
  }
  try {
    await runForwardSteps(journal, journal.step, plan, control, timings);
  } catch (error) {
    const detail = toLifeboatError(error);
    await undo(
      { ...journal, step: readJournal(request.location)?.step ?? journal.step },
      plan,
      control,
      rollbackTimings,
    );
    return { ...base, outcome: 'rolled-back', error: detail };
  }
  return { ...base, outcome: 'resumed', error: null };
}
