import * as fs from 'node:fs';
import { newestRestorable, type DatabaseInfo } from '../../contract/snapshots';
import type { DatabaseLocation } from '../database-location';
import type { JobControl } from '../job-control';
import { asLiveDatabaseFailure, LifeboatFailure } from '../lifeboat-failure';
import { listSnapshots } from './list-snapshots';
import { journalModeOf } from '../sqlite/journal-mode';
import { openLiveDatabase, sqliteLibraryVersion } from '../sqlite/open-database';
import { formatSqliteVersion, readSqliteHeaderSync, type HeaderReading } from '../sqlite/sqlite-header';
import { countTableRows } from '../sqlite/table-rows';

function fileSize(filePath: string): number {
  try {
    return fs.statSync(filePath).size;
  } catch {
    return 0;
  }
}

/** Describes the live database (read-only) and the age of its newest snapshot. */
export function describeDatabase(
  location: DatabaseLocation,
  control: JobControl,
  now: Date = new Date(),
): DatabaseInfo {
  const { databasePath, backupsDir } = location;
  const list = listSnapshots(location);
  const newest = newestRestorable(list.snapshots);
  const newestSnapshot =
    newest === undefined
      ? null
      : {
          file: newest.file,
          time: newest.time,
          ageSeconds: Math.max(0, Math.round((now.getTime() - Date.parse(newest.time)) / 1000)),
        };
  const base = {
    path: databasePath,
    backupsDir,
    sqliteVersion: sqliteLibraryVersion(),
    newestSnapshot,
    walSize: fileSize(`${databasePath}-wal`),
  };
  if (!fs.existsSync(databasePath)) {
    return {
      ...base,
      exists: false,
      size: 0,
      pageSize: null,
      pageCount: null,
      journalMode: null,
      lastWrittenBySqlite: null,
      tables: [],
    };
  }
  const size = fileSize(databasePath);
  const header = size === 0 ? null : readSqliteHeaderSync(databasePath);
  if (header !== null && header.kind !== 'sqlite') {
    throw new LifeboatFailure(
      'NOT_A_DATABASE',
      `${databasePath} is not an SQLite database. Check the --db path.`,
      databasePath,
    );
  }
  try {
    return { ...base, ...describeLive(databasePath, size, header, control) };
  } catch (error) {
    throw asLiveDatabaseFailure(error, databasePath);
  }
}

type LiveFacts = Pick<
  DatabaseInfo,
  'exists' | 'size' | 'pageSize' | 'pageCount' | 'journalMode' | 'lastWrittenBySqlite' | 'tables'
>;

/** What SQLite says of the live file, read in one transaction. */
function describeLive(
  databasePath: string,
  size: number,
  header: HeaderReading | null,
  control: JobControl,
): LiveFacts {
  const db = openLiveDatabase(databasePath);
  try {
    control.report('Reading schema', 0);
    db.exec('BEGIN');
    const tables = countTableRows(db, control);
    const info: LiveFacts = {
      exists: true,
      size,
      pageSize: Number(db.pragma('page_size', { simple: true })),
      pageCount: Number(db.pragma('page_count', { simple: true })),
      journalMode: journalModeOf(db.pragma('journal_mode', { simple: true })),
      lastWrittenBySqlite:
        header?.kind === 'sqlite' ? formatSqliteVersion(header.header.lastWriterVersion) : null,
      tables,
    };
    db.exec('COMMIT');
    control.report('Done', 1);
    return info;
  } finally {
    db.close();
  }
}
