import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LifeboatError } from '../../contract/errors';
import type { RestoreResult, RestoreStep, TableDifference } from '../../contract/restore';
import type { DatabaseLocation } from '../database-location';
import { fsyncDirectory, removeIfPresent, sha256OfFile } from '../fs/durable-file';
import type { JobControl } from '../jobs/job-control';
import { LifeboatFailure, toLifeboatError } from '../lifeboat-failure';
import { createSnapshot } from '../snapshot/create-snapshot';
import { readRecord, writeRecord } from '../snapshot/snapshot-records';
import { verifySnapshots } from '../snapshot/verify-snapshots';
import { openLiveDatabase, openSnapshotFile } from '../sqlite/open-database';
import { countTableRows } from '../sqlite/table-rows';
import { processesHolding } from './file-holders';
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
}

const forward: readonly RestoreStep[] = ['stage', 'set-aside', 'put-in-place', 'verify', 'discard-old'];
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

/** Runs the steps from `from` on, idempotently; each recorded in the journal before it runs. */
function runSteps(journal: RestoreJournal, from: RestoreStep, control: JobControl, timings: RestoreResult['steps']): void {
  const paths = restorePaths(journal.database);
  const dir = path.dirname(journal.database);
  for (const step of forward.slice(Math.max(0, forward.indexOf(from)))) {
    writeJournal({ ...journal, step });
    crashPointForTests(step);
    control.throwIfCancelled();
    control.report(`Restore: ${step}`, forward.indexOf(step) / forward.length);
    const started = Date.now();
    switch (step) {
      case 'stage': {
        copyAndFlush(journal.snapshot, paths.staged, journal.owner);
        if (sha256OfFile(paths.staged, () => undefined) !== journal.snapshotSha256) {
          throw new LifeboatFailure('SNAPSHOT_CORRUPT', 'The copy of the snapshot differs from the snapshot: the disk may be failing. Nothing was changed.');
        }
        break;
      }
      case 'set-aside':
        // Sidecars first, the database last: a stale -wal or -journal must never meet the new file.
        for (const suffix of [...sidecarSuffixes, '']) {
          if (fs.existsSync(`${journal.database}${suffix}`) && !fs.existsSync(`${paths.old}${suffix}`)) {
            fs.renameSync(`${journal.database}${suffix}`, `${paths.old}${suffix}`);
          }
        }
        fsyncDirectory(dir);
        break;
      case 'put-in-place':
        if (fs.existsSync(paths.staged)) {
          fs.renameSync(paths.staged, journal.database);
          fsyncDirectory(dir);
        }
        break;
      case 'verify': {
        const db = openSnapshotFile(journal.database);
        let integrity: unknown[];
        try {
          integrity = db.prepare('PRAGMA integrity_check(5)').pluck().all();
        } finally {
          db.close();
        }
        if (integrity.length !== 1 || integrity[0] !== 'ok' || sha256OfFile(journal.database, () => undefined) !== journal.snapshotSha256) {
          throw new LifeboatFailure('RESTORE_FAILED', `The restored database failed its check (${String(integrity[0])}).`);
        }
        break;
      }
      case 'discard-old':
        for (const suffix of ['', ...sidecarSuffixes]) {
          removeIfPresent(`${paths.old}${suffix}`);
        }
        fsyncDirectory(dir);
        break;
      default:
        throw new LifeboatFailure('INTERNAL', `A restore cannot resume at ${step}.`);
    }
    timings.push({ step, durationMs: Date.now() - started });
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
  const timings: RestoreResult['steps'] = [];
  let started = Date.now();
  control.report('Restore: preflight', 0);
  const verified = verifySnapshots({ backupsDir, paths: [request.snapshotPath] }, control).reports[0];
  if (verified === undefined || !verified.ok || verified.sha256 === null) {
    const reason: LifeboatError = verified?.error ?? { code: 'SNAPSHOT_CORRUPT', message: 'The snapshot could not be verified.' };
    throw new LifeboatFailure(reason.code, `${reason.message} Nothing was changed.`, request.snapshotPath);
  }
  refuseIfHeld(databasePath, request.allowOpen);
  const snapshotSize = fs.statSync(request.snapshotPath).size;
  requireSpace(path.dirname(databasePath), snapshotSize, 'the restored copy');
  const liveStat = fs.existsSync(databasePath) ? fs.statSync(databasePath) : null;
  const liveExists = liveStat !== null && liveStat.size > 0;
  if (liveExists) {
    fs.mkdirSync(backupsDir, { recursive: true });
    requireSpace(backupsDir, fs.statSync(databasePath).size, 'the pre-restore snapshot');
  }
  const tables = compareTables(databasePath, request.snapshotPath, control);
  timings.push({ step: 'preflight', durationMs: Date.now() - started });

  const journal: RestoreJournal = {
    version: 1,
    database: databasePath,
    snapshot: request.snapshotPath,
    snapshotSha256: verified.sha256,
    preRestore: null,
    owner: liveStat === null ? null : { mode: liveStat.mode & 0o7777, uid: liveStat.uid, gid: liveStat.gid },
    step: 'pre-restore',
    startedAt: new Date().toISOString(),
  };
  writeJournal(journal);
  crashPointForTests('pre-restore');
  started = Date.now();
  let preRestore: string | null = null;
  try {
    if (liveExists) {
      const outcome = await createSnapshot({ location: request.location, reason: 'pre-restore', note: `Taken before restoring ${path.basename(request.snapshotPath)}` }, control);
      if (outcome.kind === 'created') {
        preRestore = outcome.snapshot.path;
        const record = readRecord(backupsDir, outcome.snapshot.file);
        if (record !== null) {
          writeRecord(backupsDir, { ...record, pinned: true });
        }
      }
    }
  } catch (error) {
    removeJournal(databasePath);
    throw error;
  }
  timings.push({ step: 'pre-restore', durationMs: Date.now() - started });
  const withPreRestore = { ...journal, preRestore };
  try {
    runSteps(withPreRestore, 'stage', control, timings);
  } catch (error) {
    const detail = toLifeboatError(error);
    rollBack({ ...withPreRestore, step: readJournal(databasePath)?.step ?? 'stage' });
    return { outcome: 'rolled-back', database: databasePath, snapshot: request.snapshotPath, preRestoreSnapshot: preRestore, tables, steps: timings, error: detail };
  }
  control.report('Done', 1);
  return { outcome: 'restored', database: databasePath, snapshot: request.snapshotPath, preRestoreSnapshot: preRestore, tables, steps: timings, error: null };
}

/** After a crash: finish the restore the journal records (`resume`) or undo it (`rollback`). */
export function recoverRestore(databasePath: string, mode: 'resume' | 'rollback', allowOpen: boolean, control: JobControl): RestoreResult {
  const journal = readJournal(databasePath);
  const base = { database: databasePath, snapshot: journal?.snapshot ?? null, preRestoreSnapshot: journal?.preRestore ?? null, tables: [], steps: [] };
  if (journal === null) {
    return { ...base, outcome: 'nothing-to-recover', error: null };
  }
  refuseIfHeld(databasePath, allowOpen);
  if (mode === 'rollback' || journal.step === 'preflight' || journal.step === 'pre-restore') {
    // Before the pre-restore snapshot was known to be complete there is nothing to finish safely.
    rollBack(journal);
    return { ...base, outcome: 'rolled-back', error: null };
  }
  const timings: RestoreResult['steps'] = [];
  try {
    runSteps(journal, journal.step, control, timings);
  } catch (error) {
    const detail = toLifeboatError(error);
    rollBack({ ...journal, step: readJournal(databasePath)?.step ?? journal.step });
    return { ...base, steps: timings, outcome: 'rolled-back', error: detail };
  }
  return { ...base, steps: timings, outcome: 'resumed', error: null };
}
