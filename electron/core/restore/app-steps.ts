import type { MigrationStatus } from '../../contract/migrations';
import { fetchGivenAddress } from '../given-address';
import type { JobControl } from '../job-control';
import { LifeboatFailure } from '../lifeboat-failure';
import type { DatabaseLocation } from '../database-location';
import { readAppliedState } from '../migrations/migration-reader';
import { runSqlMigrations } from '../migrations/sql-migrate';
import { createSnapshot } from '../snapshot/create-snapshot';
import { migrationStatus } from '../migrations/migration-status';
import type { AppPlan } from './app-plan';
import { describeCommand } from '../../contract/app-run';
import { commandEnvironment } from './command-user';
import { runCommand } from './run-command';

/** The steps a restore (and `lifeboat upgrade`) runs around the app. */

const healthPollMs = 500;

/** The database a command is about, for its environment (never pasted into the command itself). */
function databaseEnvironment(databasePath: string): Record<string, string> {
  return { LIFEBOAT_DATABASE: databasePath, LIFEBOAT_DATABASE_URL: `sqlite:///${databasePath}` };
}

/**
 * Runs one of the app's commands as the user the plan names, in an environment of its own (see
 * commandEnvironment) with the database it is about in LIFEBOAT_DATABASE(_URL); a failure is an
 * APP_COMMAND_FAILED with what it printed last.
 */
export async function appCommand(
  plan: AppPlan,
  which: 'stop' | 'start' | 'upgrade',
  databasePath: string,
  control: JobControl,
): Promise<string | null> {
  const planned = which === 'upgrade' ? plan.upgrade : plan[which];
  if (planned === null || planned === 'built-in') {
    return null;
  }
  const shown = describeCommand(planned.command);
  control.output(`$ ${shown}`);
  const outcome = await runCommand(
    planned.command,
    {
      cwd: plan.cwd,
      user: planned.user,
      env: commandEnvironment(planned.user, plan.env, databaseEnvironment(databasePath)),
      timeoutMs: plan.timeoutsMs[which],
      onLine: (line) => control.output(line),
    },
    control,
  );
  // Stopped because the user cancelled: that is the reason, not the command's exit.
  control.throwIfCancelled();
  if (!outcome.ok) {
    const why = outcome.timedOut
      ? `did not finish within ${plan.timeoutsMs[which] / 1000} s`
      : `failed (exit code ${String(outcome.exitCode)})`;
    throw new LifeboatFailure(
      'APP_COMMAND_FAILED',
      `The ${which} command "${shown}" ${why}.${outcome.tail === '' ? '' : ` Its last output:\n${outcome.tail}`}`,
    );
  }
  return shown;
}

/**
 * A database's status against the app's code: `snapshot` opens it immutable (the app is stopped,
 * nothing is written), `live` with the ordinary read-only connection.
 */
export function liveSchemaStatus(
  plan: AppPlan,
  databasePath: string,
  how: 'live' | 'snapshot',
): MigrationStatus | null {
  if (plan.migrations === null) {
    return null;
  }
  const { adapter, source, graph } = plan.migrations;
  return migrationStatus(graph, readAppliedState(databasePath, adapter, source, how), adapter);
}

/** Polls the app's health URL until it answers 2xx, or fails with HEALTH_CHECK_FAILED. */
export async function waitUntilHealthy(url: string, timeoutMs: number, control: JobControl): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    control.throwIfCancelled();
    let redirect: string | null = null;
    try {
      const answer = await fetchGivenAddress(url, {
        signal: AbortSignal.timeout(Math.min(5000, Math.max(100, deadline - Date.now()))),
      });
      if (answer.response.ok) {
        return;
      }
      redirect = answer.redirect;
      last = `HTTP ${answer.response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    // Waiting longer would not change where it points.
    if (redirect !== null) {
      throw new LifeboatFailure('HEALTH_CHECK_FAILED', `${url} is not a health check: ${redirect}.`);
    }
    await new Promise((resolve) => setTimeout(resolve, healthPollMs));
  }
  throw new LifeboatFailure(
    'HEALTH_CHECK_FAILED',
    `${url} did not answer healthy within ${timeoutMs / 1000} s (last: ${last}).`,
  );
}

/** Runs the upgrade the plan names (the built-in SQL runner or the app's command); returns what ran. */
export async function runUpgrade(
  plan: AppPlan,
  databasePath: string,
  control: JobControl,
): Promise<string | null> {
  if (plan.upgrade === 'built-in') {
    const source = plan.migrations?.source;
    const result = runSqlMigrations(
      {
        databasePath,
        migrationsDir: source?.locations[0] ?? '',
        versionTable: source?.options?.['table'],
        versionColumn: source?.options?.['column'],
      },
      control,
    );
    if (result.failed !== null) {
      throw new LifeboatFailure('MIGRATION_FAILED', result.failed.error.message);
    }
    return `applied ${result.applied.map((a) => a.file).join(', ')}`;
  }
  return appCommand(plan, 'upgrade', databasePath, control);
}

/** A verified snapshot of the live database, pinned so that retention keeps it; null if there is no database. */
export async function takePinnedSnapshot(
  location: DatabaseLocation,
  reason: string,
  note: string,
  control: JobControl,
): Promise<{ readonly path: string; readonly sha256: string | null } | null> {
  // Pinned in the record it is published with: no moment exists when it could be deleted as unpinned.
  const outcome = await createSnapshot({ location, reason, note, pinned: true }, control);
  return outcome.kind === 'created' ? { path: outcome.snapshot.path, sha256: outcome.snapshot.sha256 } : null;
}
