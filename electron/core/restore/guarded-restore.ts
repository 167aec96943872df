import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AppRun } from '../../contract/app-run';
import type { LifeboatError } from '../../contract/errors';
import type { RestoreResult, RestoreStep, TableDifference } from '../../contract/restore';
import type { DatabaseLocation } from '../database-location';
import { fsyncDirectory, removeIfPresent, sha256OfFile } from '../fs/durable-file';
import type { JobControl } from '../jobs/job-control';
import { LifeboatFailure, toLifeboatError } from '../lifeboat-failure';
import { verifySnapshots } from '../snapshot/verify-snapshots';
import { openLiveDatabase, openSnapshotFile } from '../sqlite/open-database';
import { countTableRows } from '../sqlite/table-rows';
import { readAppliedState, type MigrationSetup } from '../migrations/migration-reader';
import { migrationStatus } from '../migrations/migration-status';
import { planApp, type AppPlan } from './app-plan';
import { processesHolding } from './file-holders';
import { appCommand, liveSchemaStatus, runUpgrade, takePinnedSnapshot, waitUntilHealthy } from './app-steps';
import { crashPointForTests, readJournal, removeJournal, restorePaths, sidecarSuffixes, writeJournal, type RestoreJournal } from './restore-journal';

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

export interface RestoreRequest {
  readonly location: DatabaseLocation;
  /** Absolute path of the snapshot, inside the backups folder (see resolveSnapshotPath). */
  readonly snapshotPath: string;
  /** Restore even though a process holds the live database open (the user said so explicitly). */
  readonly allowOpen: boolean;
  /** The app: its folder, how to run it, where its migrations are (null: a plain file restore). */
  readonly app: AppSettings | null;
}

/** The app a restore works for. */
export interface AppSettings {
  readonly dir: string;
  readonly run: AppRun | null;
  readonly migrations: MigrationSetup | null;
}

type Timings = RestoreResult['steps'];

const forward: readonly RestoreStep[] = ['stage', 'set-aside', 'put-in-place', 'verify', 'upgrade', 'check', 'start', 'health', 'discard-old'];
const spaceMarginBytes = 1024 * 1024;

function tableCounts(open: () => ReturnType<typeof openLiveDatabase>, control: JobControl): Map<string, number> {
  const db = open();
  try {
    return new Map(countTableRows(db, control).map((t) => [t.name, t.rows]));
  } finally {
    db.close();
  }
}

/** Per table, rows in the live database and in the snapshot: what the restore throws away. */
function compareTables(databasePath: string, snapshotPath: string, control: JobControl): TableDifference[] {
  const live = fs.existsSync(databasePath) && fs.statSync(databasePath).size > 0 ? tableCounts(() => openLiveDatabase(databasePath), control) : new Map<string, number>();
  const snapshot = tableCounts(() => openSnapshotFile(snapshotPath), control);
  return [...new Set([...live.keys(), ...snapshot.keys()])].sort().map((name) => ({ name, liveRows: live.get(name) ?? null, snapshotRows: snapshot.get(name) ?? null }));
}

function refuseIfHeld(databasePath: string, allowOpen: boolean): void {
  const { holders } = processesHolding(databasePath);
  if (allowOpen || holders.length === 0) {
    return;
  }
  const named = holders.map((h) => `pid ${h.pid} (${h.command})`).join(', ');
  throw new LifeboatFailure('DB_IN_USE', `${databasePath} is held open by ${named}. Stop the app first; restore over an open database only with --force-open.`, databasePath);
}

function requireSpace(dir: string, bytes: number, what: string): void {
  const stats = fs.statfsSync(dir);
  const free = stats.bavail * stats.bsize;
  if (free < bytes + spaceMarginBytes) {
    throw new LifeboatFailure('DISK_FULL', `Not enough free space in ${dir} for ${what}: ${bytes} bytes needed, ${free} free. Nothing was changed.`, dir);
  }
}

/** Runs one forward step; idempotent, so that a resumed restore can run it again. Returns a note. */
async function runStep(step: RestoreStep, journal: RestoreJournal, plan: AppPlan, control: JobControl): Promise<string | null> {
  const paths = restorePaths(journal.database);
  const dir = path.dirname(journal.database);
  switch (step) {
    case 'stage':
      copyAndFlush(journal.snapshot, paths.staged, journal.owner);
      if (sha256OfFile(paths.staged, () => undefined) !== journal.snapshotSha256) {
        throw new LifeboatFailure('SNAPSHOT_CORRUPT', 'The copy of the snapshot differs from the snapshot: the disk may be failing. Nothing was changed.');
      }
      return null;
    case 'set-aside':
      // Sidecars first, the database last: a stale -wal or -journal must never meet the new file.
      for (const suffix of [...sidecarSuffixes, '']) {
        if (fs.existsSync(`${journal.database}${suffix}`) && !fs.existsSync(`${paths.old}${suffix}`)) {
          fs.renameSync(`${journal.database}${suffix}`, `${paths.old}${suffix}`);
        }
      }
      fsyncDirectory(dir);
      return null;
    case 'put-in-place':
      if (fs.existsSync(paths.staged)) {
        fs.renameSync(paths.staged, journal.database);
        fsyncDirectory(dir);
      }
      return null;
    case 'verify': {
      // The bytes were checked against the verified snapshot's SHA-256 when staged and a rename does
      // not change them: a quick_check here proves the file at the live name opens and is sound.
      const db = openSnapshotFile(journal.database);
      let integrity: unknown[];
      try {
        integrity = db.prepare('PRAGMA quick_check(5)').pluck().all();
      } finally {
        db.close();
      }
      if (integrity.length !== 1 || integrity[0] !== 'ok') {
        throw new LifeboatFailure('RESTORE_FAILED', `The restored database failed its integrity check (${String(integrity[0])}).`);
      }
      return null;
    }
    case 'upgrade': {
      const status = liveSchemaStatus(plan, journal.database, 'snapshot');
      if (status === null || status.status === 'at-head') {
        return status === null ? 'no migrations known: skipped' : 'already at head: skipped';
      }
      if (plan.upgrade === null) {
        throw new LifeboatFailure('APP_COMMAND_FAILED', `The snapshot is ${status.badge} and no upgrade command is set for ${plan.migrations?.source.tool ?? 'this tool'}: set one in the app's settings.`);
      }
      return runUpgrade(plan, journal.database, control);
    }
    case 'check': {
      const status = liveSchemaStatus(plan, journal.database, 'snapshot');
      if (status !== null && status.status !== 'at-head') {
        throw new LifeboatFailure('SCHEMA_MISMATCH', `After the upgrade the database is not at head: ${status.summary}`);
      }
      if (plan.smokeQueries.length > 0) {
        const db = openSnapshotFile(journal.database);
        try {
          for (const query of plan.smokeQueries) {
            try {
              db.prepare(query).all();
            } catch (error) {
              throw new LifeboatFailure('RESTORE_FAILED', `The smoke query "${query}" failed: ${(error as Error).message}`);
            }
          }
        } finally {
          db.close();
        }
      }
      return null;
    }
    case 'start':
      return appCommand(plan, 'start', control);
    case 'health':
      if (plan.healthUrl !== null) {
        await waitUntilHealthy(plan.healthUrl, plan.timeoutsMs.health, control);
      }
      return null;
    case 'discard-old':
      for (const suffix of ['', ...sidecarSuffixes]) {
        removeIfPresent(`${paths.old}${suffix}`);
      }
      fsyncDirectory(dir);
      return null;
    case 'preflight':
    case 'stop':
    case 'pre-restore':
      throw new LifeboatFailure('INTERNAL', `A restore cannot resume at ${step}.`);
  }
}

/** Runs the steps from `from` on; each recorded in the journal before it runs. */
async function runSteps(journal: RestoreJournal, from: RestoreStep, plan: AppPlan, control: JobControl, timings: Timings): Promise<void> {
  for (const step of forward.slice(Math.max(0, forward.indexOf(from)))) {
    writeJournal({ ...journal, step });
    crashPointForTests(step);
    control.throwIfCancelled();
    control.report(`Restore: ${step}`, forward.indexOf(step) / forward.length);
    const started = Date.now();
    const note = await runStep(step, journal, plan, control);
    timings.push({ step, durationMs: Date.now() - started, note });
  }
  removeJournal(journal.database);
}

/** Permissions for a restored file: the live file's, else read-write for its owner (snapshots are read-only). */
const defaultMode = 0o644;

/** Copies a file to a new name with the live file's permissions and owner, and flushes it to disk. */
function copyAndFlush(source: string, target: string, owner: RestoreJournal['owner']): void {
  removeIfPresent(target);
  fs.copyFileSync(source, target, fs.constants.COPYFILE_EXCL);
  fs.chmodSync(target, owner?.mode ?? defaultMode);
  if (owner !== null && process.getuid?.() === 0) {
    // Run as root (a container entrypoint, sudo): the app's user must still own its database.
    fs.chownSync(target, owner.uid, owner.gid);
  }
  const fd = fs.openSync(target, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Copies `source` beside the live file, flushes it, and renames it into place. */
function putCopyInPlace(source: string, journal: RestoreJournal): void {
  const { staged } = restorePaths(journal.database);
  copyAndFlush(source, staged, journal.owner);
  fs.renameSync(staged, journal.database);
}

/** Puts the database back as it was before the restore began; needs only what the journal names. */
function rollBack(journal: RestoreJournal): void {
  const paths = restorePaths(journal.database);
  const dir = path.dirname(journal.database);
  const all = ['', ...sidecarSuffixes];
  removeIfPresent(paths.staged);
  const swapped = forward.indexOf(journal.step) >= forward.indexOf('put-in-place');
  if (journal.step === 'discard-old') {
    // The restore had finished and its old files were being removed: undoing it means putting the
    // pre-restore snapshot's content back (or no database, if there was none).
    all.forEach((suffix) => removeIfPresent(`${paths.old}${suffix}`));
    all.forEach((suffix) => removeIfPresent(`${journal.database}${suffix}`));
    if (journal.preRestore !== null) {
      putCopyInPlace(journal.preRestore, journal);
    }
  } else if (fs.existsSync(paths.old)) {
    // The live file was set aside: whatever has its name now is the restored copy.
    all.forEach((suffix) => removeIfPresent(`${journal.database}${suffix}`));
  } else if (swapped && journal.preRestore === null) {
    // There was no live database before: the restored copy goes again.
    all.forEach((suffix) => removeIfPresent(`${journal.database}${suffix}`));
  }
  for (const suffix of [...sidecarSuffixes, '']) {
    if (fs.existsSync(`${paths.old}${suffix}`)) {
      fs.renameSync(`${paths.old}${suffix}`, `${journal.database}${suffix}`);
    }
  }
  fsyncDirectory(dir);
  removeJournal(journal.database);
}

/**
 * Undoes a restore that failed or was interrupted at `journal.step`: the app is stopped first if it
 * had been started on the restored file, the files are put back, and the app is started again on
 * them if Lifeboat had stopped it. A failing start here is reported, the files stay rolled back.
 */
async function undo(journal: RestoreJournal, plan: AppPlan, control: JobControl): Promise<string | null> {
  const reached = forward.indexOf(journal.step);
  if (reached >= forward.indexOf('start')) {
    await appCommand(plan, 'stop', control);
  }
  rollBack(journal);
  if (journal.step !== 'pre-restore' && journal.step !== 'stop' && plan.stop !== null) {
    try {
      await appCommand(plan, 'start', control);
    } catch (error) {
      return `The database was rolled back, but the app did not start again: ${toLifeboatError(error).message}`;
    }
  }
  return null;
}

function planFor(request: { readonly app: AppSettings | null; readonly location: DatabaseLocation }): AppPlan {
  return planApp(request.app?.dir ?? path.dirname(request.location.databasePath), request.app?.run ?? null, request.app?.migrations ?? null);
}

/** A restore of one snapshot over the live database. */
export async function restoreSnapshot(request: RestoreRequest, control: JobControl): Promise<RestoreResult> {
  const { databasePath, backupsDir } = request.location;
  const pending = readJournal(databasePath);
  if (pending !== null) {
    throw new LifeboatFailure(
      'RESTORE_IN_PROGRESS',
      `An interrupted restore of ${databasePath} was found (at step ${pending.step}). Finish it with "lifeboat restore --resume" or undo it with "lifeboat restore --rollback".`,
      databasePath,
    );
  }
  const plan = planFor(request);
  const timings: Timings = [];
  let started = Date.now();
  control.report('Restore: preflight', 0);
  const verified = verifySnapshots({ backupsDir, paths: [request.snapshotPath] }, control).reports[0];
  if (verified === undefined || !verified.ok || verified.sha256 === null) {
    const reason: LifeboatError = verified?.error ?? { code: 'SNAPSHOT_CORRUPT', message: 'The snapshot could not be verified.' };
    throw new LifeboatFailure(reason.code, `${reason.message} Nothing was changed.`, request.snapshotPath);
  }
  if (plan.migrations !== null) {
    const { adapter, source, graph } = plan.migrations;
    const status = migrationStatus(graph, readAppliedState(request.snapshotPath, adapter, source, 'snapshot'), adapter);
    if (status.status === 'unknown-revision' || status.status === 'multiple-heads' || status.status === 'ahead') {
      throw new LifeboatFailure('SCHEMA_MISMATCH', `The snapshot cannot be brought to the code's head: ${status.summary} Nothing was changed.`, request.snapshotPath);
    }
  }
  if (plan.stop === null) {
    refuseIfHeld(databasePath, request.allowOpen);
  }
  const snapshotSize = fs.statSync(request.snapshotPath).size;
  requireSpace(path.dirname(databasePath), snapshotSize, 'the restored copy');
  const liveStat = fs.existsSync(databasePath) ? fs.statSync(databasePath) : null;
  const liveExists = liveStat !== null && liveStat.size > 0;
  if (liveExists) {
    fs.mkdirSync(backupsDir, { recursive: true });
    requireSpace(backupsDir, liveStat.size, 'the pre-restore snapshot');
  }
  const tables = compareTables(databasePath, request.snapshotPath, control);
  timings.push({ step: 'preflight', durationMs: Date.now() - started, note: null });

  const journal: RestoreJournal = {
    version: 1,
    database: databasePath,
    snapshot: request.snapshotPath,
    snapshotSha256: verified.sha256,
    preRestore: null,
    owner: liveStat === null ? null : { mode: liveStat.mode & 0o7777, uid: liveStat.uid, gid: liveStat.gid },
    step: 'stop',
    startedAt: new Date().toISOString(),
  };
  writeJournal(journal);
  crashPointForTests('stop');
  let preRestore: string | null = null;
  try {
    started = Date.now();
    const stopped = await appCommand(plan, 'stop', control);
    // Whatever stopped the app, nothing may hold the database now (unless the user said so).
    refuseIfHeld(databasePath, request.allowOpen);
    timings.push({ step: 'stop', durationMs: Date.now() - started, note: stopped === null ? 'no stop command: the app must be stopped already' : `ran ${stopped}` });
    writeJournal({ ...journal, step: 'pre-restore' });
    crashPointForTests('pre-restore');
    started = Date.now();
    if (liveExists) {
      preRestore = await takePinnedSnapshot(request.location, 'pre-restore', `Taken before restoring ${path.basename(request.snapshotPath)}`, control);
    }
    timings.push({ step: 'pre-restore', durationMs: Date.now() - started, note: preRestore });
  } catch (error) {
    // Nothing was touched: bring the app back if it was stopped, and say why.
    const note = await undo({ ...journal, step: 'stop' }, plan, control);
    const detail = toLifeboatError(error);
    throw new LifeboatFailure(detail.code, `${detail.message} Nothing was changed.${note === null ? '' : ` ${note}`}`, detail.path);
  }
  const withPreRestore = { ...journal, preRestore };
  try {
    await runSteps(withPreRestore, 'stage', plan, control, timings);
  } catch (error) {
    const detail = toLifeboatError(error);
    const note = await undo({ ...withPreRestore, step: readJournal(databasePath)?.step ?? 'stage' }, plan, control);
    const message = `${detail.message} The live database was rolled back to what it was before.${note === null ? '' : ` ${note}`}`;
    return { outcome: 'rolled-back', database: databasePath, snapshot: request.snapshotPath, preRestoreSnapshot: preRestore, tables, steps: timings, error: { ...detail, message } };
  }
  control.report('Done', 1);
  return { outcome: 'restored', database: databasePath, snapshot: request.snapshotPath, preRestoreSnapshot: preRestore, tables, steps: timings, error: null };
}

export interface RecoverRequest {
  readonly location: DatabaseLocation;
  readonly mode: 'resume' | 'rollback';
  readonly allowOpen: boolean;
  readonly app: AppSettings | null;
}

/** After a crash: finish the restore the journal records (`resume`) or undo it (`rollback`). */
export async function recoverRestore(request: RecoverRequest, control: JobControl): Promise<RestoreResult> {
  const { databasePath } = request.location;
  const journal = readJournal(databasePath);
  const base = { database: databasePath, snapshot: journal?.snapshot ?? null, preRestoreSnapshot: journal?.preRestore ?? null, tables: [] };
  if (journal === null) {
    return { ...base, steps: [], outcome: 'nothing-to-recover', error: null };
  }
  const plan = planFor(request);
  if (forward.indexOf(journal.step) < forward.indexOf('start')) {
    refuseIfHeld(databasePath, request.allowOpen);
  }
  if (request.mode === 'rollback' || !forward.includes(journal.step)) {
    // Before the pre-restore snapshot was complete there is nothing to finish safely: undo.
    const note = await undo(journal, plan, control);
    return { ...base, steps: [], outcome: 'rolled-back', error: note === null ? null : { code: 'APP_COMMAND_FAILED', message: note } };
  }
  const timings: Timings = [];
  try {
    await runSteps(journal, journal.step, plan, control, timings);
  } catch (error) {
    const detail = toLifeboatError(error);
    await undo({ ...journal, step: readJournal(databasePath)?.step ?? journal.step }, plan, control);
    return { ...base, steps: timings, outcome: 'rolled-back', error: detail };
  }
  return { ...base, steps: timings, outcome: 'resumed', error: null };
}
