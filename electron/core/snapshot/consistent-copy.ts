import * as fs from 'node:fs';
import type { JournalMode } from '../../contract/snapshots';
import { cloneIntoDescriptor, clonesIntoDescriptors } from '../fs/descriptor-copy';
import { knownSha256, startSha256, type PendingHash } from '../fs/hash-thread';
import { readFully, writeHashed } from '../fs/hashed-copy';
import type { JobControl } from '../job-control';
import { LifeboatFailure } from '../lifeboat-failure';
import { journalModeOf } from '../sqlite/journal-mode';
import { openLiveDatabase, openLiveDatabaseForMigration } from '../sqlite/open-database';
import { scanWal, type WalLog } from '../sqlite/wal-log';
import { writeAfterWalScanForTests } from '../crash-point';

/**
 * How a snapshot copies a live database: a raw copy under a read transaction.
 *
 * A read transaction on the live database pins one committed state while the app keeps writing:
 * - rollback journal: the shared lock keeps every writer from changing the file, so the file is
 *   copied as it stands: cloned where the file system shares blocks (then hashed once the lock is
 *   let go), else read and written in one pass hashed on the way. The app's writers wait for the
 *   copy alone, not for the check or the flush;
 * - WAL: the read mark keeps checkpoints from copying frames newer than it into the main file and
 *   keeps the log from being restarted under it. The log is scanned first (committed frames only,
 *   checksums verified), then the main file is copied with every page the log holds taken from the
 *   log: the state of the last commit scanned, one moment at or after the read mark. Pages a
 *   checkpoint may rewrite during the copy are exactly pages taken from the log, so the copy is
 *   consistent; the WAL writer is never blocked.
 * A WAL image is written in one sequential pass too, and switched to rollback-journal mode (header
 * bytes 18-19) so that it needs no sidecar file.
 *
 * Measured here (`npm run bench`, 512 MiB): SQLite's stepwise backup restarts on every concurrent
 * commit and never finishes under a busy writer; the one-step backup and VACUUM INTO finish but take
 * about 3x `cp` + fsync, since every page goes through SQLite's pager (VACUUM INTO also rebuilds
 * every b-tree). This copy reads and writes each byte once, so it runs at about the speed of `cp`, and
 * the quick_check that follows proves the result before it is published.
 */

export interface CopyOutcome {
  readonly journalMode: JournalMode;
  readonly pageSize: number;
  readonly pageCount: number;
  /** SHA-256 of the image written: known already (WAL) or still being computed on its own thread. */
  readonly sha256: PendingHash;
}

const maxAttempts = 5;
// In rollback-journal mode a reader can only start between two of the app's commits; under a writer
// that commits back to back (measured: 2,000 a second) five seconds of retries were once not enough.
const readLockTimeoutMs = 60_000;

/** Copies `sourcePath` consistently into the empty file open for reading and writing at `destFd`. */
export async function copyConsistently(
  sourcePath: string,
  destFd: number,
  control: JobControl,
): Promise<CopyOutcome> {
  const copy = await copyUnderReadLock(sourcePath, destFd, control);
  // A clone is hashed now, with the lock let go, beside whatever the caller does next.
  const bytes = copy.pageSize * copy.pageCount;
  return { ...copy, sha256: copy.sha256 === null ? startSha256(destFd, bytes) : knownSha256(copy.sha256) };
}

// File systems (by device) that refused a clone: not asked again, since asking lets go of the lock.
const cannotClone = new Set<number>();

/** Whether a clone of `sourcePath` into the file open at `destFd` may work: same file system, not known to refuse. */
function mayClone(sourcePath: string, destFd: number): boolean {
  const { dev } = fs.fstatSync(destFd);
  return clonesIntoDescriptors && fs.statSync(sourcePath).dev === dev && !cannotClone.has(dev);
}

/** The copy itself, in one read transaction; its SHA-256 when it was hashed on the way (WAL), else null. */
async function copyUnderReadLock(
  sourcePath: string,
  destFd: number,
  control: JobControl,
): Promise<Omit<CopyOutcome, 'sha256'> & { sha256: string | null }> {
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
        const walPath = `${sourcePath}-wal`;
        const walBytes = journalMode === 'wal' && fs.existsSync(walPath) ? fs.statSync(walPath).size : 0;
        const total = Math.max(1, pageSize * pageCount + walBytes);
        let done = 0;
        const progress = (bytes: number): void => {
          done += bytes;
          control.report('Copying pages', Math.min(1, done / total));
        };
        if (journalMode !== 'wal') {
          // Rollback journal: the app's writers wait while the shared lock is held, so it is held
          // for the copy alone. A clone takes milliseconds and is hashed once the lock is let go;
          // otherwise the file is written hashed on the way, which costs the copy no time.
          const bytes = pageSize * pageCount;
          if (mayClone(sourcePath, destFd)) {
            if (!(await cloneIntoDescriptor(sourcePath, destFd))) {
              // Trying opened and closed the database file, and that let go of the shared lock:
              // POSIX locks belong to the process, and closing any descriptor of a file drops them
              // all. So the copy starts again in a new transaction, with the lock taken again.
              cannotClone.add(fs.fstatSync(destFd).dev);
              continue;
            }
            control.throwIfCancelled();
            if (fs.fstatSync(destFd).size !== bytes) {
              throw new LifeboatFailure(
                'DB_LOCKED',
                `The database changed size during the copy; try again.`,
                sourcePath,
              );
            }
            progress(bytes);
            return { journalMode, pageSize, pageCount, sha256: null };
          }
          const sha256 = await writeImage(sourcePath, destFd, pageSize, pageCount, null, control, progress);
          return { journalMode, pageSize, pageCount, sha256 };
        }
        const log = scanWal(walPath, pageSize, control, progress);
        writeAfterWalScanForTests(attempt, (sql) => {
          const writer = openLiveDatabaseForMigration(sourcePath);
          try {
            writer.exec(sql);
          } finally {
            writer.close();
          }
        });
        try {
          const finalPageCount = log.commitPageCount ?? pageCount;
          const sha256 = await writeImage(
            sourcePath,
            destFd,
            pageSize,
            finalPageCount,
            log,
            control,
            progress,
          );
          if (log.restartedSinceScan()) {
            // A writer restarted the log while it was copied from: the pages taken from it may be newer.
            control.report('The write-ahead log was restarted during the copy: copying again', 0);
            continue;
          }
          return { journalMode, pageSize, pageCount: finalPageCount, sha256 };
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
 * Writes the database image of `pageCount` pages: main-file pages overlaid with the log's pages (if
 * a log is given), hashed on the way.
 */
async function writeImage(
  sourcePath: string,
  destFd: number,
  pageSize: number,
  pageCount: number,
  log: WalLog | null,
  control: JobControl,
  progress: (bytes: number) => void,
): Promise<string> {
  const sourceFd = fs.openSync(sourcePath, 'r');
  try {
    fs.ftruncateSync(destFd, 0);
    const fill = async (buffer: Buffer, position: number, length: number): Promise<void> => {
      const read = await readFully(sourceFd, buffer, length, position);
      // Past the main file's end (the database grew in the log) the pages come from the log.
      buffer.fill(0, read, length);
      const logFd = log?.fd ?? null;
      if (log !== null && logFd !== null && log.pages.size > 0) {
        const reads: Promise<number>[] = [];
        for (let offset = 0; offset < length; offset += pageSize) {
          const logOffset = log.pages.get((position + offset) / pageSize + 1);
          if (logOffset !== undefined) {
            reads.push(readFully(logFd, buffer.subarray(offset), pageSize, logOffset));
          }
        }
        await Promise.all(reads);
      }
      if (position === 0) {
        // Header bytes 18-19: 1 = rollback journal, as `PRAGMA journal_mode=DELETE` would set them
        // (a rollback-journal database has them so already).
        buffer[18] = 1;
        buffer[19] = 1;
      }
    };
    return await writeHashed(destFd, pageCount * pageSize, fill, control, progress);
  } finally {
    fs.closeSync(sourceFd);
  }
}
