import * as fs from 'node:fs';
import type { JournalMode } from '../../contract/snapshots';
import { copyIntoDescriptor } from '../fs/descriptor-copy';
import { readFullySync } from '../fs/durable-file';
import type { JobControl } from '../job-control';
import { LifeboatFailure } from '../lifeboat-failure';
import { journalModeOf } from '../sqlite/journal-mode';
import { openLiveDatabase, openLiveDatabaseForMigration } from '../sqlite/open-database';
import { scanWal, type WalLog } from '../sqlite/wal-log';
import { writeAfterWalScanForTests } from '../crash-point';
import { startImageHash, type ImageHash } from './image-hash';

/**
 * How a snapshot copies a live database: a raw copy under a read transaction.
 *
 * A read transaction on the live database pins one committed state while the app keeps writing:
 * - rollback journal: the shared lock keeps every writer from changing the file, so the file is
 *   copied as it stands, by the kernel (a clone where the file system shares blocks, else
 *   copy_file_range). The app's writers wait for the copy alone, not for the check or the flush;
 * - WAL: the read mark keeps checkpoints from copying frames newer than it into the main file and
 *   keeps the log from being restarted under it. The log is scanned first (committed frames only,
 *   checksums verified), then the kernel copies the main file and every page the log holds is
 *   written over the copy from the log: the state of the last commit scanned, one moment at or after
 *   the read mark. Pages a checkpoint may rewrite during the copy are exactly pages taken from the
 *   log, so the copy is consistent; the WAL writer is never blocked. The image is switched to
 *   rollback-journal mode (header bytes 18-19) so that it needs no sidecar file.
 * A thread hashes the image close behind the kernel's copy (`image-hash.ts`).
 *
 * Measured here (`npm run bench`, 512 MiB): SQLite's stepwise backup restarts on every concurrent
 * commit and never finishes under a busy writer; the one-step backup and VACUUM INTO finish but take
 * about 3x `cp` + fsync, since every page goes through SQLite's pager (VACUUM INTO also rebuilds
 * every b-tree). This copy is the kernel's, as `cp`'s is, and the quick_check that follows proves the
 * result before it is published.
 */

export interface CopyOutcome {
  readonly journalMode: JournalMode;
  readonly pageSize: number;
  readonly pageCount: number;
  /** SHA-256 of the image written, still being computed: the caller checks the copy meanwhile. */
  readonly sha256: ImageHash;
}

const maxAttempts = 5;
// In rollback-journal mode a reader can only start between two of the app's commits; under a writer
// that commits back to back (measured: 2,000 a second) five seconds of retries were once not enough.
const readLockTimeoutMs = 60_000;

/**
 * Copies `sourcePath` consistently into the empty file open for reading and writing at `destFd`;
 * `destPath` is where it is written, the place a full disk is reported against.
 */
export async function copyConsistently(
  sourcePath: string,
  destFd: number,
  destPath: string,
  control: JobControl,
): Promise<CopyOutcome> {
  const db = openLiveDatabase(sourcePath, readLockTimeoutMs);
  try {
    const journalMode = journalModeOf(db.pragma('journal_mode', { simple: true }));
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      db.exec('BEGIN');
      try {
        // The first read takes the shared lock or read mark that pins the state we copy.
        db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get();
        const pageSize = Number(db.pragma('page_size', { simple: true }));
        const pageCount = Number(db.pragma('page_count', { simple: true }));
        const image = { journalMode, pageSize, pageCount };
        if (journalMode !== 'wal') {
          return { ...image, sha256: await copyFile(sourcePath, destFd, destPath, image, null, control) };
        }
        const log = scanWal(`${sourcePath}-wal`, pageSize, control, () => undefined);
        writeAfterWalScanForTests(attempt, (sql) => {
          const writer = openLiveDatabaseForMigration(sourcePath);
          try {
            writer.exec(sql);
          } finally {
            writer.close();
          }
        });
        try {
          const walImage = { ...image, pageCount: log.commitPageCount ?? pageCount };
          const sha256 = await copyFile(sourcePath, destFd, destPath, walImage, log, control);
          if (log.restartedSinceScan()) {
            // A writer restarted the log while it was copied from: the pages taken from it may be newer.
            await sha256.stop();
            fs.ftruncateSync(destFd, 0);
            control.report('The write-ahead log was restarted during the copy: copying again', 0);
            continue;
          }
          return { ...walImage, sha256 };
        } finally {
          log.close();
        }
      } finally {
        db.exec('COMMIT');
      }
    }
    throw new LifeboatFailure(
      'DB_LOCKED',
      `The database's write-ahead log was restarted ${maxAttempts} times during the copy; try again when the app is less busy.`,
      sourcePath,
    );
  } finally {
    db.close();
  }
}

/**
 * Copies the main file into `destFd` by the kernel, then (WAL) writes the log's pages over it and
 * sets the image's size and journal mode; hashed beside, by the time it returns the log is no longer read.
 */
async function copyFile(
  sourcePath: string,
  destFd: number,
  destPath: string,
  image: { readonly pageSize: number; readonly pageCount: number },
  log: WalLog | null,
  control: JobControl,
): Promise<ImageHash> {
  const bytes = image.pageSize * image.pageCount;
  let hashed = 0;
  const hash = startImageHash(destFd, { bytes, pageSize: image.pageSize, log }, (chunk) => {
    hashed += chunk;
    control.report('Copying pages', Math.min(1, hashed / Math.max(1, bytes)));
  });
  try {
    await copyIntoDescriptor(sourcePath, destFd, destPath);
    control.throwIfCancelled();
    if (log === null) {
      // Rollback journal: the shared lock kept the file as it was, so its size is the database's.
      if (fs.fstatSync(destFd).size !== bytes) {
        throw new LifeboatFailure(
          'DB_LOCKED',
          `The database changed size during the copy; try again.`,
          sourcePath,
        );
      }
    } else {
      writeLogPages(destFd, image.pageSize, image.pageCount, log);
    }
    await hash.copied();
    return hash;
  } catch (error) {
    await hash.stop();
    throw error;
  }
}

/**
 * Makes the copied main file the image of the last commit scanned: its size, every page the log
 * holds written over it, and header bytes 18-19 set to 1 (rollback journal, as `PRAGMA
 * journal_mode=DELETE` would set them).
 */
function writeLogPages(destFd: number, pageSize: number, pageCount: number, log: WalLog): void {
  fs.ftruncateSync(destFd, pageSize * pageCount);
  const page = Buffer.allocUnsafe(pageSize);
  const logFd = log.fd;
  if (logFd !== null) {
    for (const [pageNumber, offset] of log.pages) {
      if (pageNumber <= pageCount) {
        if (readFullySync(logFd, page, pageSize, offset) < pageSize) {
          throw new LifeboatFailure('DB_LOCKED', 'The write-ahead log changed during the copy; try again.');
        }
        fs.writeSync(destFd, page, 0, pageSize, (pageNumber - 1) * pageSize);
      }
    }
  }
  fs.writeSync(destFd, Buffer.from([1, 1]), 0, 2, 18);
}
