import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AppRun } from '../../contract/app-run';
import type { LifeboatError } from '../../contract/errors';
import { restorePhase, rollbackPhase, type RestorePreview, type RestoreResult, type RestoreStep, type RollbackStep, type SchemaDifference, type TableDifference } from '../../contract/restore';
import type { DatabaseLocation } from '../database-location';
import { fsyncDirectory, removeIfPresent, sha256OfFile } from '../fs/durable-file';
import { uncancellableControl, type JobControl } from '../jobs/job-control';
import { LifeboatFailure, toLifeboatError } from '../lifeboat-failure';
import { verifySnapshots } from '../snapshot/verify-snapshots';
import { openLiveDatabase, openSnapshotFile, type SqliteDatabase } from '../sqlite/open-database';
import { diffSchemas, readSchema, type SchemaObject } from '../sqlite/schema-diff';
import { countTableRows } from '../sqlite/table-rows';
import { readAppliedState, type MigrationSetup } from '../migrations/migration-reader';
import { migrationStatus } from '../migrations/migration-status';
import { planApp, type AppPlan } from './app-plan';
import { processesHolding, type Holder } from './file-holders';
import { appCommand, liveSchemaStatus, runUpgrade, takePinnedSnapshot, waitUntilHealthy } from './app-steps';
import { describeCommand } from './run-command';
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

/** A snapshot to restore over an app's live database (or to preview, or to rehearse). */
export interface PreviewRequest {
  readonly location: DatabaseLocation;
  /** Absolute path of the snapshot, inside the backups folder (see resolveSnapshotPath). */
  readonly snapshotPath: string;
  /** The app: its folder, how to run it, where its migrations are (null: a plain file restore). */
  readonly app: AppSettings | null;
  /** Undo of the last restore: the pre-restore snapshot goes back exactly as it was, not upgraded. */
  readonly undo?: boolean;
}

export interface RestoreRequest extends PreviewRequest {
  /** Restore even though a process holds the live database open (the user said so explicitly). */
  readonly allowOpen: boolean;
}

/** The app a restore works for. */
export interface AppSettings {
  readonly dir: string;
  readonly run: AppRun | null;
  readonly migrations: MigrationSetup | null;
}

type Timings = RestoreResult['steps'];
type RollbackTimings = RestoreResult['rollbackSteps'];

const forward: readonly RestoreStep[] = ['stage', 'set-aside', 'put-in-place', 'verify', 'upgrade', 'check', 'start', 'health', 'discard-old'];
const spaceMarginBytes = 1024 * 1024;
/** Permissions for a restored file: the live file's, else read-write for its owner (snapshots are read-only). */
const defaultMode = 0o644;

/** What the restore throws away: per table, rows in the live database and in the snapshot; and how their schemas differ. */
function compareDatabases(databasePath: string, snapshotPath: string, control: JobControl): { tables: TableDifference[]; schemaDifferences: SchemaDifference[] } {
  const read = (db: SqliteDatabase): { rows: Map<string, number>; schema: SchemaObject[] } => {
    try {
      return { rows: new Map(countTableRows(db, control).map((t) => [t.name, t.rows])), schema: readSchema(db) };
    } finally {
      db.close();
    }
  };
  const live = fs.existsSync(databasePath) && fs.statSync(databasePath).size > 0 ? read(openLiveDatabase(databasePath)) : { rows: new Map<string, number>(), schema: [] };
  const snapshot = read(openSnapshotFile(snapshotPath));
  const names = [...new Set([...live.rows.keys(), ...snapshot.rows.keys()])].sort();
  return {
    tables: names.map((name) => ({ name, liveRows: live.rows.get(name) ?? null, snapshotRows: snapshot.rows.get(name) ?? null })),
    schemaDifferences: diffSchemas(live.schema, snapshot.schema),
  };
}

function heldError(databasePath: string, holders: readonly Holder[]): LifeboatFailure {
  const named = holders.map((h) => `pid ${h.pid} (${h.command})`).join(', ');
  return new LifeboatFailure('DB_IN_USE', `${databasePath} is held open by ${named}. Stop the app first; restoring over an open database needs an explicit override (--force-open, or "Restore anyway").`, databasePath);
}

function refuseIfHeld(databasePath: string, allowOpen: boolean): void {
  const { holders } = processesHolding(databasePath);
  if (!allowOpen && holders.length > 0) {
    throw heldError(databasePath, holders);
  }
}

function freeBytesIn(dir: string): number {
  const stats = fs.statfsSync(dir);
  return stats.bavail * stats.bsize;
}

function spaceError(dir: string, bytes: number, what: string): LifeboatFailure | null {
  const free = freeBytesIn(dir);
  return free < bytes + spaceMarginBytes ? new LifeboatFailure('DISK_FULL', `Not enough free space in ${dir} for ${what}: ${bytes} bytes needed, ${free} free.`, dir) : null;
}

/** What preflight found, for the restore that follows it. */
interface Preflight {
  readonly plan: AppPlan;
  readonly preview: RestorePreview;
  /** The verified snapshot's SHA-256; null when it failed verification (a blocker says why). */
  readonly sha256: string | null;
  readonly liveStat: fs.Stats | null;
}

/**
 * Preflight, changing nothing: the snapshot verified (integrity and checksum), its revision known to
 * the code with a path to head, room on the disks, who holds the live file, and what will be lost.
 * Whatever stands in the way is a blocker, so that the user sees every reason at once.
 */
function preflight(request: PreviewRequest, allowOpen: boolean, control: JobControl): Preflight {
  const { databasePath, backupsDir } = request.location;
  const plan = planFor(request);
  const blockers: LifeboatError[] = [];
  control.report(restorePhase('preflight'), 0);
  const verified = verifySnapshots({ backupsDir, paths: [request.snapshotPath] }, control).reports[0];
  const sound = verified !== undefined && verified.ok && verified.sha256 !== null;
  if (!sound) {
    blockers.push(verified?.error ?? { code: 'SNAPSHOT_CORRUPT', message: 'The snapshot could not be verified.' });
  }
  let schema: RestorePreview['schema'] = null;
  if (plan.migrations !== null) {
    const { adapter, source, graph } = plan.migrations;
    const status = migrationStatus(graph, readAppliedState(request.snapshotPath, adapter, source, 'snapshot'), adapter);
    const named = new Map(graph.revisions.map((r) => [r.id, r.message === '' ? r.id : `${r.id} ${r.message}`]));
    schema = { badge: status.badge, summary: status.summary, pending: status.pending.map((id) => named.get(id) ?? id), tool: source.tool };
    if (status.status === 'unknown-revision' || status.status === 'multiple-heads' || status.status === 'ahead') {
      blockers.push({ code: 'SCHEMA_MISMATCH', message: `The snapshot cannot be brought to the code's head: ${status.summary}`, path: request.snapshotPath });
    } else if (status.status !== 'at-head' && plan.upgrade === null) {
      blockers.push({ code: 'APP_COMMAND_FAILED', message: `The snapshot is ${status.badge} and no upgrade command is set for ${source.tool}: set one in the app's settings.` });
    }
  }
  const { holders, known } = processesHolding(databasePath);
  if (plan.stop === null && holders.length > 0 && !allowOpen) {
    blockers.push(toLifeboatError(heldError(databasePath, holders)));
  }
  const neededBytes = fs.statSync(request.snapshotPath).size;
  const liveStat = fs.existsSync(databasePath) ? fs.statSync(databasePath) : null;
  const liveExists = liveStat !== null && liveStat.size > 0;
  const noRoom = [spaceError(path.dirname(databasePath), neededBytes, 'the restored copy')];
  if (liveExists) {
    fs.mkdirSync(backupsDir, { recursive: true });
    noRoom.push(spaceError(backupsDir, liveStat.size, 'the pre-restore snapshot'));
  }
  noRoom.forEach((error) => error !== null && blockers.push(toLifeboatError(error)));
  const commands = (['stop', 'upgrade', 'start'] as const).flatMap((which) => {
    const command = which === 'upgrade' ? plan.upgrade : plan[which];
    return command === null || command === 'built-in' ? [] : [{ which, text: describeCommand(command) }];
  });
  const preview: RestorePreview = {
    snapshot: path.basename(request.snapshotPath),
    database: databasePath,
    liveExists,
    ...(sound ? compareDatabases(databasePath, request.snapshotPath, control) : { tables: [], schemaDifferences: [] }),
    schema,
    commands,
    manualStop: plan.stop === null,
    healthUrl: plan.healthUrl,
    holders: [...holders],
    holdersKnown: known,
    freeBytes: freeBytesIn(path.dirname(databasePath)),
    neededBytes,
    blockers,
  };
  return { plan, preview, sha256: sound ? verified.sha256 : null, liveStat };
}

/** What a restore of the snapshot would do and what stands in its way; changes nothing. */
export function previewRestore(request: PreviewRequest, control: JobControl): RestorePreview {
  return preflight(request, false, control).preview;
}

/**
 * Copies the snapshot to `target` and proves the bytes copied are the verified snapshot's: the kernel
 * copies the file (copy_file_range, on the thread pool) while this thread hashes the snapshot, so the
 * checksum costs no time of its own (measured: 0.34 s for 512 MiB, against 0.6 s to copy and then
 * hash the copy, and 1 s to copy through a user-space pipeline). Hashing the copy instead would read
 * it back from the page cache, which proves nothing more about the disk; the quick_check after the
 * rename reads the restored file's every b-tree page.
 */
async function stageCopy(snapshot: string, target: string, sha256: string, owner: RestoreJournal['owner'], control: JobControl): Promise<void> {
  removeIfPresent(target);
  const size = Math.max(1, fs.statSync(snapshot).size);
  const copying = fs.promises.copyFile(snapshot, target, fs.constants.COPYFILE_EXCL);
  let hashed: string;
  try {
    let done = 0;
    hashed = sha256OfFile(snapshot, (bytes) => {
      done += bytes;
      control.report('Copying the snapshot beside the database', done / size);
      control.throwIfCancelled();
    });
  } catch (error) {
    await copying.catch(() => undefined);
    removeIfPresent(target);
    throw error;
  }
  try {
    await copying;
  } catch (error) {
    removeIfPresent(target);
    throw error;
  }
  if (hashed !== sha256) {
    removeIfPresent(target);
    throw new LifeboatFailure('SNAPSHOT_CORRUPT', 'The snapshot changed since it was verified (its bytes no longer match the checksum). Nothing was changed.', snapshot);
  }
  settleOwnerAndFlush(target, owner);
}

/** A quick_check of a database that nothing else has open. */
function requireSound(databasePath: string): void {
  const db = openSnapshotFile(databasePath);
  let integrity: unknown[];
  try {
    integrity = db.prepare('PRAGMA quick_check(5)').pluck().all();
  } finally {
    db.close();
  }
  if (integrity.length !== 1 || integrity[0] !== 'ok') {
    throw new LifeboatFailure('RESTORE_FAILED', `The restored database failed its integrity check (${String(integrity[0])}).`);
  }
}

/** The database is at the code's head and the app's smoke queries run on it. */
function requireHeadAndSmoke(plan: AppPlan, databasePath: string): void {
  const status = liveSchemaStatus(plan, databasePath, 'snapshot');
  if (status !== null && status.status !== 'at-head') {
    throw new LifeboatFailure('SCHEMA_MISMATCH', `After the upgrade the database is not at head: ${status.summary}`);
  }
  if (plan.smokeQueries.length === 0) {
    return;
  }
  const db = openSnapshotFile(databasePath);
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

/** Runs one forward step; idempotent, so that a resumed restore can run it again. Returns a note. */
async function runStep(step: RestoreStep, journal: RestoreJournal, plan: AppPlan, control: JobControl): Promise<string | null> {
  const paths = restorePaths(journal.database);
  const dir = path.dirname(journal.database);
  switch (step) {
    case 'stage':
      await stageCopy(journal.snapshot, paths.staged, journal.snapshotSha256, journal.owner, control);
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
    case 'verify':
      // The bytes were checked against the verified snapshot's SHA-256 when staged and a rename does
      // not change them: a quick_check here proves the file at the live name opens and is sound.
      requireSound(journal.database);
      return null;
    case 'upgrade': {
      const status = liveSchemaStatus(plan, journal.database, 'snapshot');
      if (status === null || status.status === 'at-head') {
        return status !== null ? 'already at head: skipped' : journal.upgrade ? 'no migrations known: skipped' : 'undo: put back as it was, not upgraded';
      }
      if (plan.upgrade === null) {
        throw new LifeboatFailure('APP_COMMAND_FAILED', `The snapshot is ${status.badge} and no upgrade command is set for ${plan.migrations?.source.tool ?? 'this tool'}: set one in the app's settings.`);
      }
      return runUpgrade(plan, journal.database, control);
    }
    case 'check':
      requireHeadAndSmoke(plan, journal.database);
      return null;
    case 'start': {
      const ran = await appCommand(plan, 'start', journal.database, control);
      return ran === null ? 'skipped: no start command is set, so start the app yourself' : `ran ${ran}`;
    }
    case 'health':
      if (plan.healthUrl === null) {
        return 'skipped: no health URL is set';
      }
      await waitUntilHealthy(plan.healthUrl, plan.timeoutsMs.health, control);
      return `${plan.healthUrl} answered healthy`;
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
    control.report(restorePhase(step), forward.indexOf(step) / forward.length);
    const started = Date.now();
    const note = await runStep(step, journal, plan, control);
    timings.push({ step, durationMs: Date.now() - started, note });
  }
  removeJournal(journal.database);
}


/** Gives a restored file the live file's permissions and owner (snapshots are read-only), and flushes it. */
function settleOwnerAndFlush(target: string, owner: RestoreJournal['owner']): void {
  fs.chmodSync(target, owner?.mode ?? defaultMode);
  const fd = fs.openSync(target, 'r+');
  try {
    if (owner !== null && process.getuid?.() === 0) {
      // Run as root (a container entrypoint, sudo): the app's user must still own its database.
      fs.fchownSync(fd, owner.uid, owner.gid);
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Copies a file to a new name with the live file's permissions and owner, and flushes it to disk. */
function copyAndFlush(source: string, target: string, owner: RestoreJournal['owner']): void {
  removeIfPresent(target);
  fs.copyFileSync(source, target, fs.constants.COPYFILE_EXCL);
  settleOwnerAndFlush(target, owner);
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

/** Runs one rollback step, timed and reported. */
async function rollbackStep<T>(step: RollbackStep, timings: RollbackTimings, control: JobControl, work: () => Promise<T> | T, note: (value: T) => string | null): Promise<T> {
  control.report(rollbackPhase(step), rollbackSteps.indexOf(step) / rollbackSteps.length);
  const started = Date.now();
  const value = await work();
  timings.push({ step, durationMs: Date.now() - started, note: note(value) });
  return value;
}
const rollbackSteps: readonly RollbackStep[] = ['stop-app', 'put-back', 'start-app'];

/**
 * Undoes a restore that failed or was interrupted at `journal.step`: the app is stopped first if it
 * had been started on the restored file, the files are put back, and the app is started again on
 * them if Lifeboat had stopped it. A failing start here is reported, the files stay rolled back.
 */
async function undo(journal: RestoreJournal, plan: AppPlan, cancellable: JobControl, timings: RollbackTimings): Promise<string | null> {
  // A cancel may be what led here: the rollback itself runs to the end.
  const control = uncancellableControl(cancellable);
  const ran = (command: string | null): string | null => (command === null ? null : `ran ${command}`);
  if (forward.indexOf(journal.step) >= forward.indexOf('start')) {
    await rollbackStep('stop-app', timings, control, () => appCommand(plan, 'stop', journal.database, control), ran);
  }
  await rollbackStep('put-back', timings, control, () => rollBack(journal), () => (journal.preRestore === null ? null : `as in ${path.basename(journal.preRestore)}`));
  // At 'stop' the stop command failed or was cut short: the app may still run, and is not started twice.
  if (journal.step !== 'stop' && plan.stop !== null) {
    try {
      await rollbackStep('start-app', timings, control, () => appCommand(plan, 'start', journal.database, control), ran);
    } catch (error) {
      return `The database was rolled back, but the app did not start again: ${toLifeboatError(error).message}`;
    }
  }
  return null;
}

function planFor(request: { readonly app: AppSettings | null; readonly location: DatabaseLocation; readonly undo?: boolean }): AppPlan {
  const plan = planApp(request.app?.dir ?? path.dirname(request.location.databasePath), request.app?.run ?? null, request.app?.migrations ?? null);
  // An undo puts back what was live before, as it was: no upgrade, no head check (the smoke queries still run).
  return request.undo === true ? { ...plan, migrations: null, upgrade: null } : plan;
}

function refuseIfJournaled(databasePath: string): void {
  const pending = readJournal(databasePath);
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

/** A restore of one snapshot over the live database. */
export async function restoreSnapshot(request: RestoreRequest, control: JobControl): Promise<RestoreResult> {
  const { databasePath } = request.location;
  refuseIfJournaled(databasePath);
  const timings: Timings = [];
  const rollbackTimings: RollbackTimings = [];
  let started = Date.now();
  const { plan, preview, sha256, liveStat } = preflight(request, request.allowOpen, control);
  refuseIfBlocked(preview);
  const tables = preview.tables;
  timings.push({ step: 'preflight', durationMs: Date.now() - started, note: null });

  const journal: RestoreJournal = {
    version: 1,
    database: databasePath,
    snapshot: request.snapshotPath,
    snapshotSha256: sha256 ?? '',
    preRestore: null,
    owner: liveStat === null ? null : { mode: liveStat.mode & 0o7777, uid: liveStat.uid, gid: liveStat.gid },
    step: 'stop',
    startedAt: new Date().toISOString(),
    upgrade: request.undo !== true,
  };
  writeJournal(journal);
  crashPointForTests('stop');
  let preRestore: string | null = null;
  let appStopped = false;
  try {
    started = Date.now();
    control.report(restorePhase('stop'), 0);
    const stopped = await appCommand(plan, 'stop', databasePath, control);
    appStopped = stopped !== null;
    // Whatever stopped the app, nothing may hold the database now (unless the user said so).
    refuseIfHeld(databasePath, request.allowOpen);
    timings.push({ step: 'stop', durationMs: Date.now() - started, note: stopped === null ? 'no stop command: the app must be stopped already' : `ran ${stopped}` });
    writeJournal({ ...journal, step: 'pre-restore' });
    crashPointForTests('pre-restore');
    started = Date.now();
    control.report(restorePhase('pre-restore'), 0);
    if (preview.liveExists) {
      preRestore = await takePinnedSnapshot(request.location, 'pre-restore', `Taken before restoring ${path.basename(request.snapshotPath)}`, control);
    }
    timings.push({ step: 'pre-restore', durationMs: Date.now() - started, note: preRestore === null ? 'no live database: nothing to keep' : path.basename(preRestore) });
  } catch (error) {
    // Nothing was touched: bring the app back if its stop command stopped it, and say why.
    const note = await undo({ ...journal, step: appStopped ? 'pre-restore' : 'stop' }, plan, control, rollbackTimings);
    const detail = toLifeboatError(error);
    const restarted = note === null && rollbackTimings.some((t) => t.step === 'start-app') ? ' The app was started again.' : '';
    throw new LifeboatFailure(detail.code, `${detail.message} Nothing was changed.${note === null ? restarted : ` ${note}`}`, detail.path);
  }
  const withPreRestore = { ...journal, preRestore };
  const base = { database: databasePath, snapshot: request.snapshotPath, preRestoreSnapshot: preRestore, tables, steps: timings, rollbackSteps: rollbackTimings };
  try {
    await runSteps(withPreRestore, 'stage', plan, control, timings);
  } catch (error) {
    const detail = toLifeboatError(error);
    const note = await undo({ ...withPreRestore, step: readJournal(databasePath)?.step ?? 'stage' }, plan, control, rollbackTimings);
    const message = `${detail.message} The live database was rolled back to what it was before.${note === null ? '' : ` ${note}`}`;
    return { ...base, outcome: 'rolled-back', error: { ...detail, message } };
  }
  control.report('Done', 1);
  return { ...base, outcome: 'restored', error: null };
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
  const timings: Timings = [];
  const rollbackTimings: RollbackTimings = [];
  const base = { database: databasePath, snapshot: journal?.snapshot ?? null, preRestoreSnapshot: journal?.preRestore ?? null, tables: [], steps: timings, rollbackSteps: rollbackTimings };
  if (journal === null) {
    return { ...base, outcome: 'nothing-to-recover', error: null };
  }
  const plan = planFor({ ...request, undo: !journal.upgrade });
  if (forward.indexOf(journal.step) < forward.indexOf('start')) {
    refuseIfHeld(databasePath, request.allowOpen);
  }
  if (request.mode === 'rollback' || !forward.includes(journal.step)) {
    // Before the pre-restore snapshot was complete there is nothing to finish safely: undo.
    const note = await undo(journal, plan, control, rollbackTimings);
    return { ...base, outcome: 'rolled-back', error: note === null ? null : { code: 'APP_COMMAND_FAILED', message: note } };
  }
  try {
    await runSteps(journal, journal.step, plan, control, timings);
  } catch (error) {
    const detail = toLifeboatError(error);
    await undo({ ...journal, step: readJournal(databasePath)?.step ?? journal.step }, plan, control, rollbackTimings);
    return { ...base, outcome: 'rolled-back', error: detail };
  }
  return { ...base, outcome: 'resumed', error: null };
}

/**
 * Runs the app's upgrade command on the rehearsal's scratch copy, named in LIFEBOAT_DATABASE_URL. A
 * command that does not read it works on the live database instead: that is found out (the live
 * database's revision moved) and said plainly, so the setting gets corrected.
 */
async function upgradeScratchWithAppCommand(plan: AppPlan, scratch: string, livePath: string, control: JobControl): Promise<string | null> {
  const liveRevision = (): string => liveSchemaStatus(plan, livePath, 'live')?.current.join(',') ?? '';
  const before = liveRevision();
  const ran = await runUpgrade(plan, scratch, control);
  if (liveRevision() !== before) {
    throw new LifeboatFailure(
      'APP_COMMAND_FAILED',
      `The upgrade command upgraded the live database, not the rehearsal's copy: it does not read $LIFEBOAT_DATABASE_URL. Make it read it (see the README), or turn off "the upgrade works on the database in $LIFEBOAT_DATABASE_URL" in the app's settings.`,
      livePath,
    );
  }
  return ran;
}

/**
 * A rehearsal: preflight, then the swap, upgrade and verification on a scratch copy of the snapshot,
 * reporting what a restore would meet, without touching the live database or the app. The app's own
 * upgrade command works on the database its configuration names, so it cannot be pointed at the
 * scratch copy: with one, the rehearsal lists the migrations it would apply and checks the rest.
 */
export async function rehearseRestore(request: PreviewRequest, control: JobControl): Promise<RestoreResult> {
  const timings: Timings = [];
  const result = (error: LifeboatError | null, tables: TableDifference[]): RestoreResult => ({
    outcome: 'rehearsed', database: request.location.databasePath, snapshot: request.snapshotPath, preRestoreSnapshot: null, tables, steps: timings, rollbackSteps: [], error,
  });
  let started = Date.now();
  // Who holds the live file does not matter here: the rehearsal never touches it.
  const { plan, preview, sha256 } = preflight(request, true, control);
  timings.push({ step: 'preflight', durationMs: Date.now() - started, note: null });
  const [blocker] = preview.blockers;
  if (blocker !== undefined || sha256 === null) {
    return result(blocker ?? null, preview.tables);
  }
  const scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeboat-rehearsal-'));
  const scratch = path.join(scratchDir, path.basename(request.location.databasePath));
  const step = async (name: RestoreStep, work: () => Promise<string | null> | string | null): Promise<void> => {
    control.throwIfCancelled();
    control.report(restorePhase(name), forward.indexOf(name) / forward.length);
    started = Date.now();
    const note = await work();
    timings.push({ step: name, durationMs: Date.now() - started, note });
  };
  try {
    await step('stage', async () => {
      const noRoom = spaceError(scratchDir, preview.neededBytes, 'the rehearsal\'s scratch copy');
      if (noRoom !== null) {
        throw noRoom;
      }
      await stageCopy(request.snapshotPath, scratch, sha256, null, control);
      return `scratch copy in ${scratchDir}`;
    });
    await step('verify', () => {
      requireSound(scratch);
      return null;
    });
    let upgraded = true;
    await step('upgrade', async () => {
      const status = liveSchemaStatus(plan, scratch, 'snapshot');
      if (status === null || status.status === 'at-head') {
        return status === null ? 'no migrations known: skipped' : 'already at head: skipped';
      }
      if (plan.upgrade === 'built-in') {
        return runUpgrade(plan, scratch, control);
      }
      if (plan.upgradeUsesLifeboatDatabase) {
        // The app's command is told the scratch copy in LIFEBOAT_DATABASE_URL, as it is told the live file in a restore.
        return upgradeScratchWithAppCommand(plan, scratch, request.location.databasePath, control);
      }
      upgraded = false;
      return `not run on the scratch copy (the app's command works on the database its own settings name; let it read $LIFEBOAT_DATABASE_URL to rehearse it); it would apply ${status.pending.join(', ')}`;
    });
    await step('check', () => {
      if (!upgraded) {
        return 'the head check waits for the real upgrade; the copy is sound';
      }
      requireHeadAndSmoke(plan, scratch);
      return plan.smokeQueries.length === 0 ? 'at head' : `at head; ${plan.smokeQueries.length} smoke queries ran`;
    });
  } catch (error) {
    return result(toLifeboatError(error), preview.tables);
  } finally {
    fs.rmSync(scratchDir, { recursive: true, force: true });
  }
  control.report('Done', 1);
  return result(null, preview.tables);
}
