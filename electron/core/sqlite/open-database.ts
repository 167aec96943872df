import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { descriptorPaths } from '../fs/durable-file';
import { LifeboatFailure } from '../lifeboat-failure';

/**
 * The one module that opens SQLite databases. Everything else asks for a database by intent:
 *
 * - `openLiveDatabase`: the app's live file, read-only, with a busy timeout. A read transaction on it
 *   takes the ordinary shared lock (rollback journal) or read mark (WAL), so the app keeps writing.
 *   In WAL mode SQLite needs the -shm index to read, so opening a WAL database whose app is stopped
 *   leaves an empty -wal and a -shm beside it, exactly as the app itself would; the database file is
 *   never written.
 * - `openSnapshotFile`: a snapshot or any other file in a backups folder, through the `immutable=1`
 *   URI: no locks, no journal, no -wal or -shm created beside it, whatever its header says.
 * - `openLiveDatabaseForMigration`: read-write, for `lifeboat migrate` (one transaction per migration).
 * - `openOwnDatabase`: read-write, only for files Lifeboat owns (the demo app's database).
 *
 * Native module: the better-sqlite3 build under node_modules is the one built for Node by
 * `npm install`; it serves the CLI, the headless host and the tests. The Electron shell loads a
 * second build made for Electron's ABI, kept in its own folder and passed as `nativeBinding`, so
 * `npm test` and `npm start` never rebuild each other's module.
 */

// better-sqlite3 is compiled with URI filenames off; its addon turns them on from this variable when
// it first loads. Workers copy the environment but SQLite reads the process's own, so the main thread
// must set it before any worker opens a database: every entry point imports this module first.
if (isMainThread) {
  process.env['SQLITE_USE_URI'] = '1';
}

function assertUriFilenamesEnabled(): void {
  if (process.env['SQLITE_USE_URI'] !== '1') {
    throw new LifeboatFailure(
      'INTERNAL',
      'SQLite URI filenames are off: open-database must be imported by the main thread before workers start.',
    );
  }
}

export type SqliteDatabase = Database.Database;

const liveBusyTimeoutMs = 5000;

// Set by the Electron shell to its own build of the module (see electron/main/native-binding.ts).
const nativeBinding = process.env['LIFEBOAT_SQLITE_BINDING'];
const bindingOption = nativeBinding === undefined || nativeBinding === '' ? {} : { nativeBinding };

/**
 * Opens the live database read-only. The caller closes it. `busyTimeoutMs`: how long to wait for a
 * moment between the app's writes (a snapshot in rollback-journal mode under a busy writer needs longer).
 */
export function openLiveDatabase(filePath: string, busyTimeoutMs = liveBusyTimeoutMs): SqliteDatabase {
  try {
    return new Database(filePath, {
      ...bindingOption,
      readonly: true,
      fileMustExist: true,
      timeout: busyTimeoutMs,
    });
  } catch (error) {
    // SQLite says only "cannot open" (read as a permission problem); a missing file is its own cause.
    if (!fs.existsSync(filePath)) {
      throw new LifeboatFailure('DB_NOT_FOUND', `The database ${filePath} does not exist.`, filePath);
    }
    throw error;
  }
}

// Reading a snapshot through a memory map makes integrity checks about ten times faster (measured:
// quick_check of 512 MiB in 30 ms instead of 300 ms), and a snapshot is never written.
const snapshotMmapBytes = 0x7fff0000;

/** Opens a file in a backups folder without creating anything beside it. The caller closes it. */
export function openSnapshotFile(filePath: string): SqliteDatabase {
  assertUriFilenamesEnabled();
  const db = new Database(`${pathToFileURL(filePath).href}?immutable=1`, {
    ...bindingOption,
    readonly: true,
    fileMustExist: true,
  });
  db.pragma(`mmap_size = ${snapshotMmapBytes}`);
  return db;
}

/**
 * Opens the file held open at `fd`, reached at `filePath` (a path through a folder's descriptor,
 * see `makeStagingFolder`), and proves that SQLite opened that very file: SQLite resolves every link
 * in a path and opens the file by the name it finds, so whoever can rename a folder on that name's
 * way could hand it another file. The caller closes it.
 */
export function openSnapshotDescriptor(fd: number, filePath: string): SqliteDatabase {
  if (descriptorPaths === null) {
    return openSnapshotFile(filePath);
  }
  const ours = fs.fstatSync(fd);
  const before = openFileIds(descriptorPaths);
  const db = openSnapshotFile(filePath);
  const opened = [...openFileIds(descriptorPaths)].filter(([n, id]) => before.get(n) !== id);
  if (!opened.some(([, id]) => id === `${ours.dev}:${ours.ino}`)) {
    db.close();
    throw new LifeboatFailure(
      'IO_ERROR',
      `The file SQLite opened at ${filePath} is not the one Lifeboat wrote: something replaced a folder on its way. Nothing was published.`,
      filePath,
    );
  }
  return db;
}

/** The file (device and inode) behind each descriptor of this process. */
function openFileIds(descriptors: string): Map<number, string> {
  const ids = new Map<number, string>();
  for (const entry of fs.readdirSync(descriptors)) {
    try {
      const stat = fs.fstatSync(Number(entry));
      ids.set(Number(entry), `${stat.dev}:${stat.ino}`);
    } catch (error) {
      // Closed by another thread since it was listed (or the listing's own descriptor): not SQLite's.
      if ((error as NodeJS.ErrnoException).code !== 'EBADF') {
        throw error;
      }
    }
  }
  return ids;
}

/**
 * Opens the live database read-write, for `lifeboat migrate` only: the one place Lifeboat changes an
 * app's database on request, each migration in its own transaction.
 */
export function openLiveDatabaseForMigration(filePath: string): SqliteDatabase {
  return new Database(filePath, { ...bindingOption, timeout: liveBusyTimeoutMs });
}

/** Opens, read-write, a database Lifeboat itself owns (the demo app's), creating it if needed. */
export function openOwnDatabase(filePath: string): SqliteDatabase {
  return new Database(filePath, bindingOption);
}

let libraryVersion: string | undefined;

/** The version of the SQLite library Lifeboat runs (asked once per thread: it cannot change). */
export function sqliteLibraryVersion(): string {
  if (libraryVersion === undefined) {
    const db = new Database(':memory:', bindingOption);
    try {
      libraryVersion = String(db.prepare('SELECT sqlite_version()').pluck().get());
    } finally {
      db.close();
    }
  }
  return libraryVersion;
}
