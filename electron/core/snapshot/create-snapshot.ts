import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BackupOutcome } from '../../contract/snapshots';
import type { DatabaseLocation } from '../database-location';
import { promisify } from 'node:util';
import {
  fsyncDirectory,
  makeStagingFolder,
  publishIfFree,
  removeAbandonedTemporaries,
  removeIfPresent,
} from '../fs/durable-file';
import { crashPointForTests } from '../crash-point';
import { scaledControl, type JobControl } from '../job-control';
import { asLiveDatabaseFailure, LifeboatFailure, toLifeboatError } from '../lifeboat-failure';
import { databaseStem, sanitizeSlug, snapshotFileName } from '../snapshot-name';
import { openSnapshotDescriptor, sqliteLibraryVersion } from '../sqlite/open-database';
import { readSqliteHeaderSync } from '../sqlite/sqlite-header';
import { copyConsistently, type CopyOutcome } from './consistent-copy';
import { describeFile } from './snapshot-status';
import { removeRecord, writeNewRecord, type SnapshotRecord } from './snapshot-records';

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
// The snapshot's name in its staging folder while it is written.
const stagedName = 'snapshot.db';

/**
 * Takes a snapshot (invariant 2): a consistent copy written in a staging folder of Lifeboat's own in
 * the backups folder, switched to rollback-journal mode, quick-checked, fsynced, published under its
 * final name without replacing anything, then recorded with its SHA-256. On failure or cancellation
 * nothing is left. The backups folder may be the app user's: from creation to publication the file
 * is reached only through its descriptor or its staging folder's, never by a name they can change.
 */
export async function createSnapshot(request: SnapshotRequest, control: JobControl): Promise<BackupOutcome> {
  const started = Date.now();
  const { databasePath, backupsDir } = request.location;
  const live = liveFileState(databasePath);
  if (live !== 'present') {
    return {
      kind: 'nothing-to-back-up',
      database: databasePath,
      message:
        live === 'missing'
          ? `Nothing to back up: ${databasePath} does not exist yet.`
          : `Nothing to back up: ${databasePath} is empty.`,
    };
  }
  fs.mkdirSync(backupsDir, { recursive: true });
  // What a snapshot killed mid-way (SIGKILL, power cut) left behind goes before a new one is written.
  removeAbandonedTemporaries(backupsDir);
  const staging = makeStagingFolder(backupsDir);
  const tempPath = staging.pathOf(stagedName);
  let publishedPath: string | undefined;
  try {
    const liveStat = fs.statSync(databasePath);
    const fd = fs.openSync(tempPath, 'wx+', 0o600);
    let copy: CopyOutcome;
    let sha256: string;
    let stat: fs.Stats;
    try {
      copy = await copyConsistently(databasePath, fd, backupsDir, scaledControl(control, 0, copyShare)).catch(
        (error: unknown) => {
          throw asLiveDatabaseFailure(error, databasePath);
        },
      );
      keepAsLifeboats(fd, liveStat);
      control.report('Checking integrity and writing to disk', copyShare);
      // Side by side: the flush on libuv's thread pool, the end of the SHA-256 on its own thread,
      // the CPU-bound quick_check here.
      const synced = fsyncAsync(fd);
      try {
        control.throwIfCancelled();
        quickCheck(fd, tempPath, databasePath);
        sha256 = await copy.sha256.digest;
      } finally {
        await copy.sha256.stop();
        await synced;
      }
      stat = fs.fstatSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    control.throwIfCancelled();

    // Named and dated by when it was asked for, which is within moments of the state it holds.
    const now = request.takenAt ?? new Date(started);
    const slug = sanitizeSlug(request.reason);
    const dbFileName = path.basename(databasePath);
    const recordFor = (file: string): SnapshotRecord => ({
      version: 1,
      file,
      madeBy: 'lifeboat',
      sha256,
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
    });
    const published = publishRecorded(tempPath, backupsDir, (attempt) =>
      recordFor(snapshotFileName(dbFileName, now, slug, attempt)),
    );
    publishedPath = published.path;
    staging.remove([]);
    const { record } = published;
    crashPointForTests('snapshot-published');
    fsyncDirectory(backupsDir);
    control.report('Done', 1);
    const snapshot = describeFile(
      {
        file: record.file,
        path: publishedPath,
        size: stat.size,
        mtimeMs: stat.mtimeMs,
        header: readSqliteHeaderSync(publishedPath),
        record,
        sidecars: [],
      },
      databaseStem(dbFileName),
    );
    return {
      kind: 'created',
      snapshot,
      durationMs: Date.now() - started,
      sourceJournalMode: copy.journalMode,
      pageSize: copy.pageSize,
      pageCount: copy.pageCount,
    };
  } catch (error) {
    staging.remove([stagedName]);
    if (publishedPath !== undefined) {
      // Published but not flushed (e.g. the disk filled up): a snapshot not known to be on disk is not done.
      removeIfPresent(publishedPath);
      removeRecord(backupsDir, path.basename(publishedPath));
    }
    // A write to the snapshot's descriptor names no file: a full disk is the backups folder's.
    const detail = toLifeboatError(error, backupsDir);
    throw detail.code === 'DISK_FULL' ? new LifeboatFailure(detail.code, detail.message, detail.path) : error;
  }
}

/**
 * Publishes the finished snapshot at `tempPath` with its record written first, so that no snapshot
 * is ever seen without its record. A name taken (a snapshot in the same second, or a record left by
 * one killed between the two steps) moves on to the next name.
 */
function publishRecorded(
  tempPath: string,
  backupsDir: string,
  recordFor: (attempt: number) => SnapshotRecord,
): { path: string; record: SnapshotRecord } {
  for (let attempt = 1; attempt < 1000; attempt += 1) {
    const record = recordFor(attempt);
    const target = path.join(backupsDir, record.file);
    if (fs.existsSync(target) || !writeNewRecord(backupsDir, record)) {
      continue;
    }
    let published = false;
    try {
      published = publishIfFree(tempPath, target);
    } finally {
      if (!published) {
        removeRecord(backupsDir, record.file);
      }
    }
    if (published) {
      return { path: target, record };
    }
  }
  throw new LifeboatFailure('IO_ERROR', `No free name for a snapshot in ${backupsDir}.`, backupsDir);
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
    throw new LifeboatFailure(
      'NOT_A_DATABASE',
      `${databasePath} is not an SQLite database, so Lifeboat cannot back it up. Check the --db path.`,
      databasePath,
    );
  }
  return 'present';
}

/**
 * Makes the finished copy open at `fd` Lifeboat's and read-only (a snapshot is immutable), through
 * its descriptor. The copy (libuv's copyfile) gave it the live file's owner: run as root, the app's
 * user, who could then make it writable and rewrite or truncate it while it is checked or later. It
 * stays in the live file's group with the live file's read bits, so whoever could read the live
 * database (the app through its group, a backup script's users) can read its snapshots.
 */
function keepAsLifeboats(fd: number, live: fs.Stats): void {
  const uid = process.getuid?.();
  if (uid !== undefined && fs.fstatSync(fd).uid !== uid) {
    fs.fchownSync(fd, uid, live.gid);
  }
  const readers = live.mode & 0o444;
  fs.fchmodSync(fd, readers === 0 ? 0o400 : readers);
}

/** A quick_check of the copy of `databasePath` open at `fd` (reached at `filePath`). */
function quickCheck(fd: number, filePath: string, databasePath: string): void {
  let db: ReturnType<typeof openSnapshotDescriptor> | undefined;
  try {
    db = openSnapshotDescriptor(fd, filePath);
    const rows = db.prepare('PRAGMA quick_check').pluck().all();
    if (rows.length !== 1 || rows[0] !== 'ok') {
      // The copy holds exactly the live file's pages, read under its lock: the damage is the live database's.
      throw new LifeboatFailure(
        'DB_CORRUPT',
        `The live database is damaged: a faithful copy of it failed its integrity check (${String(rows[0])}). The copy was removed and the live database not touched. Restore a verified snapshot, or rescue what it holds with sqlite3's .recover on a copy.`,
      );
    }
  } catch (error) {
    throw asLiveDatabaseFailure(error, databasePath);
  } finally {
    db?.close();
  }
}
