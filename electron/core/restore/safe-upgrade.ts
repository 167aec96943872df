import * as path from 'node:path';
import { stepTitle, type RestoreStep, type UpgradeOutcome } from '../../contract/restore';
import type { DatabaseLocation } from '../database-location';
import { uncancellableControl, type JobControl } from '../job-control';
import { LifeboatFailure, toLifeboatError } from '../lifeboat-failure';
import { planApp } from './app-plan';
import { liveSchemaStatus, runUpgrade, takePinnedSnapshot } from './app-steps';
import { restoreSnapshot } from './guarded-restore';
import type { AppSettings } from './app-plan';
import { requireHead } from './restored-file';
import { done, Handoff, runSteps, skip, type StepOutcome } from './step-runner';

/** `lifeboat upgrade`'s steps: the restore's, named as a restore names them. */
const upgradeSteps: readonly RestoreStep[] = ['pre-restore', 'upgrade', 'check'];

/**
 * `lifeboat upgrade`, for deploys and container entrypoints: nothing to do at head; otherwise a
 * pinned pre-upgrade snapshot, the upgrade, a check that the database reached head; on failure the
 * pre-upgrade snapshot is restored with the guarded restore and the reason is returned. It replaces the "backup, migrate, restore if it fails" scripts apps carry.
 */
export async function safeUpgrade(
  location: DatabaseLocation,
  app: AppSettings,
  control: JobControl,
): Promise<UpgradeOutcome> {
  const plan = planApp(app, location.databasePath);
  if (plan.migrations === null) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      'No migrations found for this app: pass --app DIR (with lifeboat.json), or --migrations DIR and --tool NAME.',
    );
  }
  const before = liveSchemaStatus(plan, location.databasePath, 'live');
  const base = { database: location.databasePath, applied: null, error: null, rollback: null };
  if (before === null || before.status === 'at-head') {
    return { ...base, outcome: 'at-head', preUpgradeSnapshot: null };
  }
  // No database yet (an entrypoint before the app's first start): the upgrade makes it, as migrate does.
  if (before.status !== 'behind' && before.status !== 'empty' && before.status !== 'no-database') {
    throw new LifeboatFailure(
      'SCHEMA_MISMATCH',
      `The database cannot be upgraded as it is: ${before.summary}`,
    );
  }
  if (plan.upgrade === null) {
    throw new LifeboatFailure(
      'APP_COMMAND_FAILED',
      `No upgrade command is known for ${plan.migrations.source.tool}: set "run.upgrade" in lifeboat.json.`,
    );
  }
  const migrations = plan.migrations;
  const preUpgrade = new Handoff<string>('the pre-upgrade snapshot');
  let applied: string | null = null;
  const run = async (step: RestoreStep): Promise<StepOutcome> => {
    switch (step) {
      case 'pre-restore': {
        const taken = await takePinnedSnapshot(
          location,
          'pre-upgrade',
          `Taken before upgrading to ${migrations.graph.heads.join(', ')}`,
          control,
        );
        return taken === null
          ? skip('no database: nothing to keep')
          : done(path.basename(preUpgrade.set(taken.path)));
      }
      case 'upgrade':
        applied = await runUpgrade(plan, location.databasePath, control);
        return done(applied);
      case 'check':
        requireHead(plan, location.databasePath);
        return done('at head');
      default:
        throw new LifeboatFailure('INTERNAL', `lifeboat upgrade does not run ${step}.`);
    }
  };
  const title = (step: RestoreStep): string =>
    step === 'pre-restore' ? 'Pre-upgrade snapshot' : stepTitle(step);
  try {
    await runSteps({ steps: upgradeSteps, cancellable: true, run, title, timings: [] }, control);
    return { ...base, outcome: 'upgraded', preUpgradeSnapshot: preUpgrade.peek(), applied };
  } catch (error) {
    const detail = toLifeboatError(error);
    const snapshot = preUpgrade.peek();
    if (snapshot === null) {
      throw error;
    }
    // Put the pre-upgrade content back: the same guarded restore, with no app commands around it. A
    // cancel may be what led here: the rollback itself is never cancelled, or the half-upgraded
    // database would stay live.
    const rollback = await restoreSnapshot(
      {
        location,
        snapshotPath: snapshot,
        allowOpen: false,
        app: { dir: app.dir, run: null, runFile: null, migrations: null },
      },
      uncancellableControl(control),
    );
    const why = detail.code === 'CANCELLED' ? 'The upgrade was cancelled.' : detail.message;
    const what =
      rollback.outcome === 'restored'
        ? `The database was restored from ${path.basename(snapshot)}.`
        : `Putting back ${path.basename(snapshot)} failed too (${rollback.error?.message ?? 'no reason given'}): restore it with "lifeboat restore ${path.basename(snapshot)}".`;
    return {
      ...base,
      outcome: 'rolled-back',
      preUpgradeSnapshot: snapshot,
      error: { ...detail, message: `${why} ${what}` },
      rollback,
    };
  }
}
