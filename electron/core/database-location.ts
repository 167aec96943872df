import * as path from 'node:path';
import { LifeboatFailure } from './lifeboat-failure';

/** Where the live database and its snapshots live. */
export interface DatabaseLocation {
  /** Absolute path of the live database file. */
  readonly databasePath: string;
  /** Absolute path of the backups folder. */
  readonly backupsDir: string;
}

const schemePattern = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/**
 * Reads a live-database argument: a file path, or an SQLAlchemy-style URL (`sqlite:///relative.db`,
 * `sqlite:////absolute.db`, optionally `sqlite+driver://`). Anything that is not a file-backed SQLite
 * database (another scheme, an in-memory URL) is refused with NOT_SQLITE_URL.
 */
export function parseDatabaseArgument(argument: string, cwd: string): string {
  const text = argument.trim();
  if (text === '') {
    throw new LifeboatFailure('INVALID_ARGUMENT', 'No database given. Pass --db PATH or set LIFEBOAT_DB.');
  }
  if (text.includes('\0')) {
    throw new LifeboatFailure('INVALID_ARGUMENT', 'A path cannot contain a NUL character. Check the path.');
  }
  const scheme = schemePattern.exec(text)?.[1];
  // A Windows drive letter (C:\ or C:/) is a path, not a scheme.
  if (scheme === undefined || /^[A-Za-z]:[\\/]/.test(text)) {
    if (text === ':memory:') {
      throw notFileBacked(text);
    }
    return path.resolve(cwd, text);
  }
  const lower = scheme.toLowerCase();
  if (lower !== 'sqlite' && !lower.startsWith('sqlite+')) {
    throw new LifeboatFailure(
      'NOT_SQLITE_URL',
      `"${redactUrl(text)}" is not an SQLite database URL. Lifeboat backs up SQLite files: pass a path or a URL like sqlite:///app.db.`,
    );
  }
  const rest = text.slice(scheme.length + 1);
  if (!rest.startsWith('//')) {
    throw notFileBacked(text);
  }
  // sqlite://HOST/... names a host, which SQLite URLs never do; sqlite:/// starts the path.
  const afterSlashes = rest.slice(2);
  if (!afterSlashes.startsWith('/')) {
    throw notFileBacked(text);
  }
  const withoutQuery = afterSlashes.slice(1).split('?')[0] ?? '';
  if (withoutQuery === '' || withoutQuery === ':memory:' || withoutQuery.startsWith('file::memory:')) {
    throw notFileBacked(text);
  }
  return path.resolve(cwd, withoutQuery);
}

function notFileBacked(text: string): LifeboatFailure {
  return new LifeboatFailure(
    'NOT_SQLITE_URL',
    `"${redactUrl(text)}" does not name an SQLite file (an in-memory database cannot be backed up). Use sqlite:///relative/path.db or sqlite:////absolute/path.db.`,
  );
}

/** Hides a password in a URL before it is echoed back. */
function redactUrl(text: string): string {
  return text.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@');
}

/** Resolves the live database and its backups folder (default `<dir of the live db>/backups`). */
export function resolveLocation(
  databaseArgument: string,
  backupsDirArgument: string | undefined,
  cwd: string,
): DatabaseLocation {
  const databasePath = parseDatabaseArgument(databaseArgument, cwd);
  const backupsDir =
    backupsDirArgument === undefined || backupsDirArgument === ''
      ? path.join(path.dirname(databasePath), 'backups')
      : path.resolve(cwd, backupsDirArgument);
  return { databasePath, backupsDir };
}

/**
 * The same as parseDatabaseArgument for arguments that have no working directory to be relative to
 * (the desktop app, the web host): the path must be absolute.
 */
export function parseAbsoluteDatabaseArgument(argument: string): string {
  const resolved = parseDatabaseArgument(argument, path.resolve('/one'));
  // A relative path resolves differently from two folders; an absolute one does not.
  if (resolved !== parseDatabaseArgument(argument, path.resolve('/two'))) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `"${argument.trim()}" is a relative path. Give the full path of the database file (for example /srv/myapp/app.db), or a URL with four slashes (sqlite:////srv/myapp/app.db).`,
    );
  }
  return resolved;
}
