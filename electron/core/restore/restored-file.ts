import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileJournalMode } from '../../contract/restore';
import type { JobControl } from '../job-control';
import { copyIntoDescriptor } from '../fs/descriptor-copy';
import { removeIfPresent, sha256OfFile } from '../fs/durable-file';
import { LifeboatFailure } from '../lifeboat-failure';
import { openLiveDatabase, openSnapshotFile } from '../sqlite/open-database';
import { readFileJournalMode, readSqliteHeaderSync, writeFileJournalMode } from '../sqlite/sqlite-header';
import type { AppPlan } from './app-plan';
import { liveSchemaStatus } from './app-steps';
import type { RestoreJournal } from './restore-journal';

/** The restored file itself: copied in and proved to be the snapshot, then checked as a database. */

/** Permissions for a restored file: the live file's, else read-write for its owner (snapshots are read-only). */
const defaultMode = 0o644;

/** Which file a restore created: its device and inode, checked before it is renamed into place. */
export interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
}

/**
 * Creates `target` as a new, empty file that only this process holds: whatever had the name is
 * removed (a link is removed, never followed), and O_EXCL|O_NOFOLLOW makes the creation fail rather
 * than open anything someone put there since. Everything after works on the descriptor, so renaming a
 * link over the name while Lifeboat works (the app's user owns the folder) changes nothing it does.
 */
function createExclusive(target: string): number {
  removeIfPresent(target);
  try {
    return fs.openSync(
      target,
      fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL | (fs.constants.O_NOFOLLOW ?? 0),
      0o600,
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new LifeboatFailure(
        'RESTORE_FAILED',
        `${target} appeared again as Lifeboat created it: another process writes in ${path.dirname(target)}. Nothing was changed.`,
        target,
      );
    }
    throw error;
  }
}

/**
 * Copies `source` to the new file `target` (see createExclusive), gives it the live file's journal
 * mode, permissions and owner and flushes it, all on its descriptor; `hashSource` runs meanwhile and
 * proves the bytes copied are the ones expected. Returns the file's identity; on any failure the file
 * is removed (if the name is still the file's).
 */
async function copyToNewFile(
  source: string,
  target: string,
  settle: Settling,
  hashSource: () => void,
): Promise<FileIdentity> {
  const fd = createExclusive(target);
  const identity = fs.fstatSync(fd);
  try {
    const copying = copyIntoDescriptor(source, fd, target);
    try {
      hashSource();
    } catch (error) {
      await copying.catch(() => undefined);
      throw error;
    }
    await copying;
    if (fs.fstatSync(fd).size !== fs.statSync(source).size) {
      throw new LifeboatFailure(
        'RESTORE_FAILED',
        `The copy of ${source} came out at a different size. Nothing was changed.`,
        target,
      );
    }
    if (settle.journalMode !== null) {
      writeFileJournalMode(fd, settle.journalMode);
    }
    fs.fchmodSync(fd, settle.owner?.mode ?? defaultMode);
    if (settle.owner !== null && process.getuid?.() === 0) {
      // Run as root (a container entrypoint, sudo): the app's user must still own its database.
      fs.fchownSync(fd, settle.owner.uid, settle.owner.gid);
    }
    fs.fsyncSync(fd);
  } catch (error) {
    removeIfOwn(target, identity);
    throw error;
  } finally {
    fs.closeSync(fd);
  }
  return { dev: identity.dev, ino: identity.ino };
}

/** Whether the name `filePath` holds the file `identity` (never through a link). */
function holdsFile(filePath: string, identity: FileIdentity): boolean {
  try {
    const stat = fs.lstatSync(filePath);
    return stat.dev === identity.dev && stat.ino === identity.ino;
  } catch {
    return false;
  }
}

function removeIfOwn(filePath: string, identity: FileIdentity): void {
  if (holdsFile(filePath, identity)) {
    removeIfPresent(filePath);
  }
}

/**
 * Renames the file Lifeboat created (`identity`) from `from` to `to`: refused if something else has
 * taken the name `from` since, and checked again after, so that only that file ever takes the live name.
 */
export function renameOwnFile(from: string, to: string, identity: FileIdentity): void {
  const replaced = (): LifeboatFailure =>
    new LifeboatFailure(
      'RESTORE_FAILED',
      `${from} was replaced by another file while Lifeboat worked; it was not put in place.`,
      from,
    );
  if (!holdsFile(from, identity)) {
    throw replaced();
  }
  fs.renameSync(from, to);
  if (!holdsFile(to, identity)) {
    throw replaced();
  }
}

/**
 * Copies the snapshot to `target` and proves the bytes copied are the verified snapshot's: the kernel
 * copies the file (copy_file_range, on the thread pool) while this thread hashes the snapshot, so the
 * checksum costs no time of its own (measured: 0.34 s for 512 MiB, against 0.6 s to copy and then
 * hash the copy, and 1 s to copy through a user-space pipeline). Hashing the copy instead would read
 * it back from the page cache, which proves nothing more about the disk; the preflight's integrity
 * check of the snapshot covers the content.
 */
export async function stageCopy(
  snapshot: string,
  target: string,
  sha256: string,
  settle: Settling,
  control: JobControl,
): Promise<FileIdentity> {
  const size = Math.max(1, fs.statSync(snapshot).size);
  return copyToNewFile(snapshot, target, settle, () => {
    let done = 0;
    const hashed = sha256OfFile(snapshot, (bytes) => {
      done += bytes;
      control.report('Copying the snapshot beside the database', done / size);
      control.throwIfCancelled();
    });
    if (hashed !== sha256) {
      throw new LifeboatFailure(
        'SNAPSHOT_CORRUPT',
        'The snapshot changed since it was verified (its bytes no longer match the checksum). Nothing was changed.',
        snapshot,
      );
    }
  });
}

/**
 * The restored file at the live name is the snapshot: its bytes were proved to be the snapshot's while
 * they were copied (SHA-256 against the checksum this restore's preflight verified, together with a full
 * integrity_check, moments before), and its size is checked on its descriptor. What is left to prove
 * here is cheap: the size its header's page count gives, and that SQLite opens it and reads its schema.
 * (A second quick_check here read every page again: half of the swap's time, for nothing more.)
 */
export function requireOpensAsSnapshot(databasePath: string): void {
  const reading = readSqliteHeaderSync(databasePath);
  const size = fs.statSync(databasePath).size;
  const pages = reading.kind === 'sqlite' ? reading.header.pageCount : null;
  if (reading.kind !== 'sqlite' || (pages !== null && pages * reading.header.pageSize !== size)) {
    throw new LifeboatFailure(
      'RESTORE_FAILED',
      `The restored database ${databasePath} is not the snapshot's size or not a database.`,
      databasePath,
    );
  }
  const db = openSnapshotFile(databasePath);
  try {
    db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get();
  } catch (error) {
    throw new LifeboatFailure(
      'RESTORE_FAILED',
      `The restored database does not open: ${(error as Error).message}`,
      databasePath,
    );
  } finally {
    db.close();
  }
}

/**
 * The database is at the code's head after an upgrade. Read as a live database, with its -wal: the
 * upgrade may have left its commits there (its tool killed right after them, or another reader open
 * when it closed), and the file alone would look as it was before the upgrade.
 */
export function requireHead(plan: AppPlan, databasePath: string): void {
  const status = liveSchemaStatus(plan, databasePath, 'live');
  if (status !== null && status.status !== 'at-head') {
    throw new LifeboatFailure(
      'SCHEMA_MISMATCH',
      `After the upgrade the database is not at head: ${status.summary}`,
    );
  }
}

/** The database is at the code's head and the app's smoke queries run on it (with its -wal, as above). */
export function requireHeadAndSmoke(plan: AppPlan, databasePath: string): void {
  requireHead(plan, databasePath);
  runSmokeQueries(plan.smokeQueries, databasePath);
}

/** The app's smoke queries (reads only) run on the database with its -wal; RESTORE_FAILED naming the first that fails. */
export function runSmokeQueries(queries: readonly string[], databasePath: string): void {
  if (queries.length === 0) {
    return;
  }
  const db = openLiveDatabase(databasePath);
  try {
    for (const query of queries) {
      try {
        const statement = db.prepare(query);
        // Only a query that reads: an ATTACH could open (and its error show) any file Lifeboat can read.
        if (!statement.reader || !statement.readonly) {
          throw new Error('it does not only read; a smoke query is a SELECT');
        }
        statement.all();
      } catch (error) {
        throw new LifeboatFailure(
          'RESTORE_FAILED',
          `The smoke query "${query}" failed: ${withoutData((error as Error).message)}.`,
        );
      }
    }
  } finally {
    db.close();
  }
}

/**
 * SQLite's message for a failed query without the part that can quote a value (`JSON path error near
 * '<a value>'`, `no such table: <a name>`): the query is shown beside it, and a value from the database
 * must not reach whoever set the query (a holder of the web host's token).
 */
function withoutData(message: string): string {
  const text = /^near .*?: (.+)$/.exec(message)?.[1] ?? message;
  return (
    text
      .split(/: | near |['"]/)[0]
      ?.trim()
      .replace(/\.$/, '') ?? ''
  );
}

/** The restored database's journal mode is the one it must have: what the journal recorded from the live file. */
export function requireJournalMode(databasePath: string, expected: FileJournalMode | null): void {
  const found = readFileJournalMode(databasePath);
  if (expected !== null && found !== expected) {
    throw new LifeboatFailure(
      'RESTORE_FAILED',
      `The restored database is in ${found ?? 'no'} journal mode, not ${expected} as the live database was.`,
      databasePath,
    );
  }
}

/** What a restored file is given before it takes the live file's name: as the live file was. */
export interface Settling {
  /** The live file's permissions and owner (snapshots are read-only); null: read-write for its owner. */
  readonly owner: RestoreJournal['owner'];
  /** The live file's journal mode (snapshots are stored in rollback-journal mode); null: as copied. */
  readonly journalMode: FileJournalMode | null;
}

/** Copies a file to a new name as the live file was (journal mode, permissions, owner), flushed to disk. */
export async function copyAndFlush(source: string, target: string, settle: Settling): Promise<FileIdentity> {
  return copyToNewFile(source, target, settle, () => undefined);
}
