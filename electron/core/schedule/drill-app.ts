import type { DrillResult, DrillSettings } from '../../contract/drill';
import { failed, type Result } from '../../contract/errors';
import type { FreshnessState } from '../../contract/schedule';
import type { OffsiteTarget } from '../../contract/offsite';
import type { DatabaseLocation } from '../database-location';
import { toLifeboatError } from '../lifeboat-failure';
import type { Alert, Delivery } from '../notify/send-alerts';
import { readIdentities } from '../offsite/stored-form';
import { chooseTargets, type ResolvedTarget } from '../offsite/target-url';
import type { AppSettings } from '../restore/app-plan';
import type { JobStarter } from './job-actions';
import { drillScratchRoot, recordDrill } from '../drill/drill-record';
import { drillTargetText } from '../drill/drill-status';

/** An app to drill, as the CLI and the keeper know it. */
export interface DrillSubject {
  readonly name: string;
  readonly location: DatabaseLocation;
  readonly app: AppSettings | null;
  readonly host: string;
  readonly appName: string;
  /** The app's offsite targets (from trusted settings). */
  readonly targets: readonly OffsiteTarget[];
  /** `"drill"` from trusted settings; null when none is set. */
  readonly drill: DrillSettings | null;
}

/**
 * The targets a drill reads: --target when given, else the drill settings' `targets` (by name), else
 * every target of the app.
 */
export function drillTargets(
  subject: DrillSubject,
  wanted: string | undefined,
  resolve?: (target: OffsiteTarget) => ResolvedTarget,
): ResolvedTarget[] {
  const names = subject.drill?.targets;
  if (wanted !== undefined || names === undefined) {
    return chooseTargets(subject.targets, wanted, resolve);
  }
  return names.flatMap((name) => chooseTargets(subject.targets, name, resolve));
}

/**
 * The identities a drill decrypts with: the file the person named (--identity), else the one the
 * trusted drill settings name; null when neither does (encrypted copies are then checked, not decrypted).
 */
export function drillIdentities(subject: DrillSubject, given: string | undefined): string[] | null {
  const file = given ?? subject.drill?.identity;
  return file === undefined ? null : readIdentities(file);
}

/** The alert of a failed drill: which target, which step, with the step's code. */
function drillAlert(subject: DrillSubject, reason: string, state: FreshnessState): Alert {
  return {
    event: 'failed',
    app: subject.name,
    database: subject.location.databasePath,
    state,
    reason,
    at: new Date().toISOString(),
  };
}

/**
 * Runs a drill of the app as a job, records its result in Lifeboat's data folder and alerts the
 * app's people when it failed (a drill that could not start at all included; a cancelled one not).
 */
export async function drillApp(
  subject: DrillSubject,
  run: {
    /** Resolved when the drill starts: a failure there (no target, an unreadable identity file) is the drill's failure. */
    readonly targets: () => readonly ResolvedTarget[];
    readonly identities: () => readonly string[] | null;
    readonly dataDir: string;
    readonly start: JobStarter;
    readonly alert: (alert: Alert) => Promise<Delivery[]>;
    /** The app's freshness as alerts give it. */
    readonly state: FreshnessState;
  },
): Promise<{ result: Result<DrillResult>; deliveries: Delivery[] }> {
  const at = new Date().toISOString();
  let result: Result<DrillResult>;
  try {
    result = await run.start({
      kind: 'drill',
      input: {
        location: subject.location,
        app: subject.app,
        host: subject.host,
        appName: subject.appName,
        targets: run.targets(),
        identities: run.identities(),
        scratchRoot: drillScratchRoot(run.dataDir),
      },
    });
  } catch (error) {
    result = failed(toLifeboatError(error));
  }
  if (result.ok) {
    recordDrill(run.dataDir, result.value);
  } else if (result.error.code !== 'CANCELLED') {
    // Recorded too: the app shows the failure, and the keeper tries again when the next drill is due, not every minute.
    recordDrill(run.dataDir, {
      at,
      database: subject.location.databasePath,
      ok: false,
      targets: [
        {
          target: subject.drill?.targets?.join(', ') ?? 'every target',
          id: null,
          result: 'failed',
          step: 'find',
          error: result.error,
          restored: false,
          notTried: [],
          revision: null,
          bytes: 0,
          seconds: 0,
        },
      ],
    });
  }
  let reason: string | null = null;
  if (!result.ok && result.error.code !== 'CANCELLED') {
    reason = `The drill could not run: ${result.error.message} [${result.error.code}]`;
  } else if (result.ok && !result.value.ok) {
    reason = `Drill failed: ${result.value.targets
      .filter((t) => t.result === 'failed')
      .map(drillTargetText)
      .join(' ')}`;
  }
  const deliveries = reason === null ? [] : await run.alert(drillAlert(subject, reason, run.state));
  return { result, deliveries };
}
