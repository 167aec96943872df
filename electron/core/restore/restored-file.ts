import * as fs from 'node:fs';
import type { FileJournalMode } from '../../contract/restore';
import type { JobControl } from '../jobs/job-control';
import { removeIfPresent, sha256OfFile } from '../fs/durable-file';
import { LifeboatFailure } from '../lifeboat-failure';
import { openSnapshotFile } from '../sqlite/open-database';
import { readFileJournalMode, writeFileJournalMode } from '../sqlite/sqlite-header';
import type { AppPlan } from './app-plan';
import { liveSchemaStatus } from './app-steps';
import type { RestoreJournal } from './restore-journal';

/** The restored file itself: copied in and proved to be the snapshot, then checked as a database. */

/** Permissions for a restored file: the live file's, else read-write for its owner (snapshots are read-only). */
const defaultMode = 0o644;

/**
 * Copies the snapshot to `target` and proves the bytes copied are the verified snapshot's: the kernel
 * copies the file (copy_file_range, on the thread pool) while this thread hashes the snapshot, so the
 * checksum costs no time of its own (measured: 0.34 s for 512 MiB, against 0.6 s to copy and then
 * hash the copy, and 1 s to copy through a user-space pipeline). Hashing the copy instead would read
 * it back from the page cache, which proves nothing more about the disk; the quick_check after the
 * rename reads the restored file's every b-tree page.
 */
export async function stageCopy(snapshot: string, target: string, sha256: string, settle: Settling, control: JobControl): Promise<void> {
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
  settleAndFlush(target, settle);
}

/** A quick_check of a database that nothing else has open. */
export function requireSound(databasePath: string): void {
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
export function requireHeadAndSmoke(plan: AppPlan, databasePath: string): void {
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

/** The restored database's journal mode is the one it must have: what the journal recorded from the live file. */
export function requireJournalMode(databasePath: string, expected: FileJournalMode | null): void {
  const found = readFileJournalMode(databasePath);
  if (expected !== null && found !== expected) {
    throw new LifeboatFailure('RESTORE_FAILED', `The restored database is in ${found ?? 'no'} journal mode, not ${expected} as the live database was.`, databasePath);
  }
}

/** What a restored file is given before it takes the live file's name: as the live file was. */
export interface Settling {
  /** The live file's permissions and owner (snapshots are read-only); null: read-write for its owner. */
  readonly owner: RestoreJournal['owner'];
  /** The live file's journal mode (snapshots are stored in rollback-journal mode); null: as copied. */
  readonly journalMode: FileJournalMode | null;
}

/**
 * Opens a fresh copy (read-only like the snapshot it came from) for writing, never through a link:
 * made writable for its owner on a read-only descriptor, then opened again and proved to be the same file.
 */
function openCopyForWriting(target: string): number {
  const readOnly = fs.openSync(target, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    fs.fchmodSync(readOnly, 0o600);
    const fd = fs.openSync(target, fs.constants.O_RDWR | fs.constants.O_NOFOLLOW);
    const [was, is] = [fs.fstatSync(readOnly), fs.fstatSync(fd)];
    if (was.dev !== is.dev || was.ino !== is.ino || !is.isFile()) {
      fs.closeSync(fd);
      throw new LifeboatFailure('RESTORE_FAILED', `${target} was replaced while Lifeboat prepared it. Nothing was changed.`, target);
    }
    return fd;
  } finally {
    fs.closeSync(readOnly);
  }
}

/** Gives a restored file the live file's journal mode, permissions and owner, and flushes it; all on its descriptor. */
function settleAndFlush(target: string, { owner, journalMode }: Settling): void {
  const fd = openCopyForWriting(target);
  try {
    if (journalMode !== null) {
      writeFileJournalMode(fd, journalMode);
    }
    fs.fchmodSync(fd, owner?.mode ?? defaultMode);
    if (owner !== null && process.getuid?.() === 0) {
      // Run as root (a container entrypoint, sudo): the app's user must still own its database.
      fs.fchownSync(fd, owner.uid, owner.gid);
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Copies a file to a new name as the live file was (journal mode, permissions, owner), and flushes it to disk. */
export function copyAndFlush(source: string, target: string, settle: Settling): void {
  removeIfPresent(target);
  fs.copyFileSync(source, target, fs.constants.COPYFILE_EXCL);
  settleAndFlush(target, settle);
}
