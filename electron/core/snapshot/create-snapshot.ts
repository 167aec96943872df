import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BackupOutcome } from '../../contract/snapshots';
import type { DatabaseLocation } from '../database-location';
import { promisify } from 'node:util';
import { fsyncDirectory, publishWithoutClobber, removeAbandonedTemporaries, removeIfPresent, temporaryName } from '../fs/durable-file';
import { scaledControl, type JobControl } from '../jobs/job-control';
import { LifeboatFailure } from '../lifeboat-failure';
import { databaseStem, sanitizeSlug, snapshotFileName } from '../snapshot-name';
import { openSnapshotFile, sqliteLibraryVersion } from '../sqlite/open-database';
import { readSqliteHeaderSync } from '../sqlite/sqlite-header';
import { copyConsistently, type CopyOutcome } from './consistent-copy';
import { describeFile } from './snapshot-status';
import { writeRecord, type SnapshotRecord } from './snapshot-records';

export interface SnapshotRequest {
  readonly location: DatabaseLocation;
  /** Free text; becomes the slug of the file name. */
  readonly reason?: string | undefined;
  readonly note?: string | undefined;
  /** When the snapshot counts as taken (its name and record); now unless given (the demo back-dates). */
  readonly takenAt?: Date | undefined;
  /** Pinned from the moment it is recorded (pre-restore and pre-upgrade snapshots): never deleted until unpinned. */
  readonly pinned?: boolean;
}

// Share of the progress bar the copy takes; the check and the flush to disk share the rest.
const copyShare = 0.8;
const fsyncAsync = promisify(fs.fsync);

/**
 * Takes a snapshot (invariant 2): a consistent copy under a temporary name in the backups folder,
 * switched to rollback-journal mode, quick-checked, fsynced, published under its final name without
 * replacing anything, then recorded with its SHA-256. On failure or cancellation nothing is left.
 */
export async function createSnapshot(request: SnapshotRequest, control: JobControl): Promise<BackupOutcome> {
  const started = Date.now();
  const { databasePath, backupsDir } = request.location;
  const live = liveFileState(databasePath);
  if (live !== 'present') {
    return {
      kind: 'nothing-to-back-up',
      database: databasePath,
      message: live === 'missing' ? `Nothing to back up: ${databasePath} does not exist yet.` : `Nothing to back up: ${databasePath} is empty.`,
    };
  }
  fs.mkdirSync(backupsDir, { recursive: true });
  // What a snapshot killed mid-way (SIGKILL, power cut) left behind goes before a new one is written.
  removeAbandonedTemporaries(backupsDir);
  const tempPath = path.join(backupsDir, temporaryName('.db'));
  let publishedPath: string | undefined;
  try {
    const mode = fs.statSync(databasePath).mode & 0o444;
    const fd = fs.openSync(tempPath, 'wx+', 0o600);
    let copy: CopyOutcome;
    try {
      copy = await copyConsistently(databasePath, fd, scaledControl(control, 0, copyShare));
      control.throwIfCancelled();
      control.report('Checking integrity and writing to disk', copyShare);
      // The flush runs on libuv's thread pool while the CPU-bound quick_check runs here.
      const synced = fsyncAsync(fd);
      try {
        quickCheck(tempPath);
      } finally {
        await synced;
      }
    } finally {
      fs.closeSync(fd);
    }
    // Read-only from now on: a snapshot is immutable. Same readers as the live file.
    fs.chmodSync(tempPath, mode === 0 ? 0o400 : mode);
    control.throwIfCancelled();

    // Named and dated by when it was asked for, which is within moments of the state it holds.
    const now = request.takenAt ?? new Date(started);
    const slug = sanitizeSlug(request.reason);
    const dbFileName = path.basename(databasePath);
    publishedPath = publishWithoutClobber(tempPath, (attempt) => path.join(backupsDir, snapshotFileName(dbFileName, now, slug, attempt)));
    fsyncDirectory(backupsDir);
    const stat = fs.statSync(publishedPath);
    const record: SnapshotRecord = {
      version: 1,
      file: path.basename(publishedPath),
      madeBy: 'lifeboat',
      sha256: copy.sha256,
      size: stat.size,
      mtimeMs: stat.mtimeMs,
      recordedAt: now.toISOString(),
      label: slug,
      note: request.note === undefined || request.note === '' ? null : request.note,
      source: { path: databasePath, journalMode: copy.journalMode },
      sqliteVersion: sqliteLibraryVersion(),
      pageSize: copy.pageSize,
      pageCount: copy.pageCount,
      verification: { at: now.toISOString(), ok: true, problem: null },
      ...(request.pinned === true ? { pinned: true } : {}),
    };
    writeRecord(backupsDir, record);
    control.report('Done', 1);
    const snapshot = describeFile(
      { file: record.file, path: publishedPath, size: stat.size, mtimeMs: stat.mtimeMs, header: readSqliteHeaderSync(publishedPath), record, sidecars: [] },
      databaseStem(dbFileName),
    );
    return { kind: 'created', snapshot, durationMs: Date.now() - started, sourceJournalMode: copy.journalMode, pageSize: copy.pageSize, pageCount: copy.pageCount };
  } catch (error) {
    removeIfPresent(tempPath);
    if (publishedPath !== undefined) {
      // Published but not recorded (e.g. the disk filled up): a snapshot without its record is not done.
      removeIfPresent(publishedPath);
    }
    throw error;
  }
}

function liveFileState(databasePath: string): 'missing' | 'empty' | 'present' {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(databasePath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return 'missing';
    }
    throw error;
  }
  if (!stat.isFile()) {
    throw new LifeboatFailure('NOT_A_DATABASE', `${databasePath} is not a file.`, databasePath);
  }
  if (stat.size === 0) {
    return 'empty';
  }
  if (readSqliteHeaderSync(databasePath).kind !== 'sqlite') {
    throw new LifeboatFailure('NOT_A_DATABASE', `${databasePath} is not an SQLite database, so Lifeboat cannot back it up. Check the --db path.`, databasePath);
  }
  return 'present';
}

function quickCheck(filePath: string): void {
  const db = openSnapshotFile(filePath);
  try {
    const rows = db.prepare('PRAGMA quick_check').pluck().all();
    if (rows.length !== 1 || rows[0] !== 'ok') {
      throw new LifeboatFailure('SNAPSHOT_CORRUPT', `The copy failed its integrity check (${String(rows[0])}); it was removed and the live database was not touched. Run "lifeboat info" to check the live database.`);
    }
  } finally {
    db.close();
  }
}
