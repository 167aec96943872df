import * as path from 'node:path';
import type { UpgradeOutcome } from '../../contract/restore';
import type { DatabaseLocation } from '../database-location';
import { uncancellableControl, type JobControl } from '../job-control';
import { LifeboatFailure, toLifeboatError } from '../lifeboat-failure';
import { planApp } from './app-plan';
import { liveSchemaStatus, runUpgrade, takePinnedSnapshot } from './app-steps';
import { restoreSnapshot } from './guarded-restore';
import type { AppSettings } from './restore-preflight';

/**
 * `lifeboat upgrade`, for deploys and container entrypoints: nothing to do at head; otherwise a
 * pinned pre-upgrade snapshot, the upgrade, a check that the database reached head (and the smoke
 * queries run); on failure the pre-upgrade snapshot is restored with the guarded restore and the
 * reason is returned. It replaces the "backup, migrate, restore if it fails" scripts apps carry.
 */
export async function safeUpgrade(
  location: DatabaseLocation,
  app: AppSettings,
  control: JobControl,
): Promise<UpgradeOutcome> {
  const plan = planApp(app.dir, app.run, app.migrations);
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
  if (before.status !== 'behind' && before.status !== 'empty') {
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
  const preUpgrade = await takePinnedSnapshot(
    location,
    'pre-upgrade',
    `Taken before upgrading to ${plan.migrations.graph.heads.join(', ')}`,
    control,
  );
  try {
    const applied = await runUpgrade(plan, location.databasePath, control);
    const after = liveSchemaStatus(plan, location.databasePath, 'live');
    if (after !== null && after.status !== 'at-head') {
      throw new LifeboatFailure(
        'SCHEMA_MISMATCH',
        `After the upgrade the database is not at head: ${after.summary}`,
      );
    }
    return { ...base, outcome: 'upgraded', preUpgradeSnapshot: preUpgrade, applied };
  } catch (error) {
    const detail = toLifeboatError(error);
    if (preUpgrade === null) {
      throw error;
    }
    // Put the pre-upgrade content back: the same guarded restore, with no app commands around it. A
    // cancel may be what led here: the rollback itself is never cancelled, or the half-upgraded
    // database would stay live.
    const rollback = await restoreSnapshot(
      {
        location,
        snapshotPath: preUpgrade,
        allowOpen: false,
        app: { dir: app.dir, run: null, migrations: null },
      },
      uncancellableControl(control),
    );
    const why = detail.code === 'CANCELLED' ? 'The upgrade was cancelled.' : detail.message;
    const what =
      rollback.outcome === 'restored'
        ? `The database was restored from ${path.basename(preUpgrade)}.`
        : `Putting back ${path.basename(preUpgrade)} failed too (${rollback.error?.message ?? 'no reason given'}): restore it with "lifeboat restore ${path.basename(preUpgrade)}".`;
    return {
      ...base,
      outcome: 'rolled-back',
      preUpgradeSnapshot: preUpgrade,
      error: { ...detail, message: `${why} ${what}` },
      rollback,
    };
  }
}
