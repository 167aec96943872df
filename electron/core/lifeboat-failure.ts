import * as path from 'node:path';
import type { ErrorCode, LifeboatError, Result } from '../contract/errors';

/**
 * Inside core, a failure travels as this exception so that I/O code stays linear; every boundary
 * (worker, CLI, IPC, HTTP) turns it back into a plain LifeboatError value with `toLifeboatError`.
 */
export class LifeboatFailure extends Error {
  readonly detail: LifeboatError;

  constructor(code: ErrorCode, message: string, path?: string) {
    super(message);
    this.name = 'LifeboatFailure';
    this.detail = path === undefined ? { code, message } : { code, message, path };
  }
}

/** The value of a result, or its failure thrown again as a LifeboatFailure (back inside core's linear code). */
export function valueOrThrow<T>(result: Result<T>): T {
  if (!result.ok) {
    throw new LifeboatFailure(result.error.code, result.error.message, result.error.path);
  }
  return result.value;
}

interface CodedError {
  code?: unknown;
  message?: unknown;
  path?: unknown;
}

function errnoFailure(code: string, path: string | undefined): LifeboatError | undefined {
  const where = path === undefined ? '' : ` (${path})`;
  const withPath = (e: LifeboatError): LifeboatError => (path === undefined ? e : { ...e, path });
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      // Whichever disk it is (the backups folder's, the database's): the path says, the advice fits both.
      return withPath({
        code: 'DISK_FULL',
        message: `The disk is full${where}. Free some space on that disk, then try again.`,
      });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return withPath({
        code: 'PERMISSION_DENIED',
        message: `Permission denied${where}. Run Lifeboat as a user that may read the database and write to the backups folder.`,
      });
    case 'ENOENT':
      return withPath({ code: 'DB_NOT_FOUND', message: `File not found${where}.` });
    case 'ENOTDIR':
      return withPath({
        code: 'IO_ERROR',
        message: `A file stands where a folder should be${where}. Choose a folder, then try again.`,
      });
    case 'ELOOP':
      return withPath({
        code: 'IO_ERROR',
        message: `A symbolic link stands where Lifeboat expects a file or folder of its own${where}; it does not follow it. Remove the link, then try again.`,
      });
    case 'ENAMETOOLONG':
      return withPath({
        code: 'INVALID_ARGUMENT',
        message: `A file name is too long for the file system${where}. Use a shorter name.`,
      });
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
    case 'SQLITE_BUSY_SNAPSHOT':
    case 'SQLITE_BUSY_RECOVERY':
      return withPath({
        code: 'DB_LOCKED',
        message: `The database is locked by another process${where}. Try again when its current write has finished.`,
      });
    case 'SQLITE_NOTADB':
      return withPath({ code: 'NOT_A_DATABASE', message: `This file is not an SQLite database${where}.` });
    case 'SQLITE_CORRUPT':
    case 'SQLITE_CORRUPT_INDEX':
    case 'SQLITE_CORRUPT_SEQUENCE':
    case 'SQLITE_CORRUPT_VTAB':
      return withPath({ code: 'SNAPSHOT_CORRUPT', message: `The database file is corrupt${where}.` });
    case 'SQLITE_FULL':
      return withPath({
        code: 'DISK_FULL',
        message: `The disk is full${where}. Free some space, then try again.`,
      });
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_READONLY':
    case 'SQLITE_READONLY_RECOVERY':
    case 'SQLITE_READONLY_CANTINIT':
    case 'SQLITE_READONLY_DIRECTORY':
    case 'SQLITE_PERM':
    case 'SQLITE_AUTH':
      return withPath({
        code: 'PERMISSION_DENIED',
        message: `SQLite could not open the file${where}: check that it exists and that this user may read it and its folder.`,
      });
    default:
      if (code.startsWith('SQLITE_IOERR')) {
        return withPath({
          code: 'IO_ERROR',
          message: `A disk read or write failed${where} (${code}). Check the disk and try again.`,
        });
      }
      return undefined;
  }
}

/**
 * SQLite found the live database damaged while Lifeboat read it: said as DB_CORRUPT (SQLite's own
 * code would read as a damaged snapshot), with what to do. Anything else is passed through as it was.
 */
export function asLiveDatabaseFailure(error: unknown, databasePath: string): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT')) {
    return new LifeboatFailure(
      'DB_CORRUPT',
      `The live database ${databasePath} is damaged (${(error as Error).message}). Nothing was changed. Restore a verified snapshot, or rescue what it holds with sqlite3's .recover on a copy.`,
      databasePath,
    );
  }
  return error;
}

/**
 * The SQLite module could not be loaded by this Node (built for another one): said with both versions
 * and the one command that rebuilds it right, not as a bug in Lifeboat.
 */
function nativeModuleMismatch(message: string): LifeboatError | undefined {
  if (!/better_sqlite3\.node/.test(message)) {
    return undefined;
  }
  const [, built, wanted] =
    /NODE_MODULE_VERSION (\d+)\. This version of Node\.js requires\s+NODE_MODULE_VERSION (\d+)/.exec(
      message,
    ) ?? [];
  const versions =
    built === undefined
      ? `it does not load under this Node (${message.split('\n')[0] ?? ''})`
      : `it needs NODE_MODULE_VERSION ${built}, and this Node is ${wanted ?? '?'}`;
  const tooOld =
    Number(process.versions.node.split('.')[0]) < 22
      ? ` Lifeboat needs Node.js 22 or newer: run it with one, or rebuild for this one with`
      : ' Rebuild it for this Node with';
  const root = path.resolve(__dirname, '../../..');
  return {
    code: 'NATIVE_MODULE_MISMATCH',
    message: `The SQLite module (better-sqlite3) was built for another Node.js: ${versions} (${process.version}, ${process.execPath}).${tooOld}: ${process.execPath} ${path.join(root, 'scripts', 'check-native-module.mjs')}`,
  };
}

/** Turns anything thrown into a LifeboatError with a stable code. */
export function toLifeboatError(error: unknown, path?: string): LifeboatError {
  if (error instanceof LifeboatFailure) {
    return error.detail;
  }
  const coded = (typeof error === 'object' && error !== null ? error : {}) as CodedError;
  if (coded.code === 'ERR_DLOPEN_FAILED' && typeof coded.message === 'string') {
    const mismatch = nativeModuleMismatch(coded.message);
    if (mismatch !== undefined) {
      return mismatch;
    }
  }
  const filePath = typeof coded.path === 'string' ? coded.path : path;
  if (typeof coded.code === 'string') {
    const mapped = errnoFailure(coded.code, filePath);
    if (mapped !== undefined) {
      return mapped;
    }
  }
  const text = typeof coded.message === 'string' ? coded.message : String(error);
  return { code: 'INTERNAL', message: `Unexpected error: ${text}` };
}
