import { quotedName } from '../sqlite/quoted-name';
import {
  byVersion,
  list,
  plain,
  position,
  schemaMigrationsVersions,
  text,
  versionId,
  type Bookkeeping,
  type Read,
  type Reader,
} from './recorded-bookkeeping';

/** The bookkeeping of the migration tools of Go, Rust, Java and .NET apps. */

/** Tools that record each attempt with a `success` flag (Flyway, sqlx): the others are flagged as the tool calls them. */
function bySuccess(rows: readonly Record<string, unknown>[], flag: 'failed' | 'dirty'): Read {
  const succeeded = (r: Record<string, unknown>): boolean => Number(r['success']) === 1;
  const id = (r: Record<string, unknown>): string | null => versionId(r['version']);
  return plain(list(rows.filter(succeeded), id, 'description', 'installed_on'), {
    [flag]: list(
      rows.filter((r) => !succeeded(r)),
      id,
      null,
      null,
    ).map((m) => m.id),
  });
}

/** gormigrate's and xormigrate's table: string ids only (`migrations(id)`; xormigrate adds `description`). */
function goMigrateTable(book: Bookkeeping): string | null {
  return (
    ['migrations', 'migration'].find((t) => {
      const columns = book.columns(t);
      return columns.has('id') && [...columns].every((c) => c === 'id' || c === 'description');
    }) ?? null
  );
}

// golang-migrate/database/sqlite3/sqlite3.go: `schema_migrations(version uint64, dirty bool)`, one row.
export const golangMigrate: Reader = {
  tool: 'golang-migrate',
  recognizes: (book) => book.hasColumns('schema_migrations', 'version', 'dirty'),
  read: (book) => {
    const row = book.rows('SELECT * FROM schema_migrations LIMIT 1')[0];
    const version = row === undefined ? null : versionId(row['version']);
    return {
      ...position(version),
      dirty: row !== undefined && version !== null && Number(row['dirty']) === 1 ? [version] : [],
    };
  },
};

// dbmate/pkg/driver/sqlite/sqlite.go: `schema_migrations(version varchar(128) primary key)` and nothing else.
export const dbmate: Reader = {
  tool: 'dbmate',
  recognizes: (book) => {
    const columns = book.columns('schema_migrations');
    return columns.size === 1 && columns.has('version');
  },
  read: (book) => schemaMigrationsVersions(book),
};

// flyway-core JdbcTableSchemaHistory: `flyway_schema_history(installed_rank, version, description, …, success)`.
export const flyway: Reader = {
  tool: 'flyway',
  recognizes: (book) => book.hasColumns('flyway_schema_history', 'version', 'success'),
  read: (book) =>
    bySuccess(
      book.rows('SELECT * FROM flyway_schema_history WHERE version IS NOT NULL ORDER BY installed_rank'),
      'failed',
    ),
};

// sqlx-sqlite/src/migrate.rs: `_sqlx_migrations(version, description, installed_on, success, checksum, execution_time)`.
export const sqlx: Reader = {
  tool: 'sqlx',
  recognizes: (book) => book.hasColumns('_sqlx_migrations', 'version', 'success'),
  read: (book) => bySuccess(book.rows('SELECT * FROM _sqlx_migrations ORDER BY version'), 'dirty'),
};

// diesel_migrations/src/migration_harness.rs: `__diesel_schema_migrations(version VARCHAR(50) PRIMARY KEY, run_on TIMESTAMP)`;
// the version is the folder name up to its first `_`, without dashes.
export const diesel: Reader = {
  tool: 'diesel',
  recognizes: (book) => book.hasColumns('__diesel_schema_migrations', 'version'),
  read: (book) =>
    plain(
      list(
        book.rows('SELECT * FROM __diesel_schema_migrations'),
        (r) => versionId(r['version']),
        null,
        'run_on',
      ).sort(byVersion),
    ),
};

// EFCore.Sqlite SqliteHistoryRepository: `__EFMigrationsHistory(MigrationId, ProductVersion)`, ids `<14 digits>_<Name>`;
// EF Core 9 holds `__EFMigrationsLock(Id, Timestamp)` while it migrates.
/** EF Core's `MigrationId` as EF Core names it (`20240313101500_AddUsers`); null when it is not one. */
export function efCoreId(value: unknown): string | null {
  const id = text(value);
  return id !== null && /^\d{14}_\w+$/.test(id) ? id : null;
}

export const efCore: Reader = {
  tool: 'ef-core',
  recognizes: (book) => book.hasColumns('__EFMigrationsHistory', 'MigrationId'),
  read: (book) => {
    const rows = book.rows('SELECT MigrationId FROM "__EFMigrationsHistory" ORDER BY MigrationId');
    const locked =
      book.has('__EFMigrationsLock') &&
      Number(book.db.prepare('SELECT count(*) FROM "__EFMigrationsLock"').pluck().get()) > 0;
    return plain(
      list(rows, (r) => efCoreId(r['migrationid']), 'MigrationId', null),
      { locked },
    );
  },
};

// FluentMigrator.Runner VersionTableMetaData: `VersionInfo(Version, AppliedOn, Description)`.
export const fluentMigrator: Reader = {
  tool: 'fluentmigrator',
  recognizes: (book) => book.hasColumns('VersionInfo', 'Version', 'AppliedOn'),
  read: (book) =>
    plain(
      list(
        book.rows('SELECT * FROM VersionInfo'),
        (r) => versionId(r['version']),
        'Description',
        'AppliedOn',
      ).sort(byVersion),
    ),
};

// pressly/goose dialect/dialectquery/sqlite3.go: `goose_db_version(id, version_id, is_applied, tstamp)`;
// the newest row of a version says whether it is applied; version 0 is goose's own first row.
export const goose: Reader = {
  tool: 'goose',
  recognizes: (book) => book.hasColumns('goose_db_version', 'version_id', 'is_applied'),
  read: (book) => {
    const rows = book.rows(
      'SELECT * FROM goose_db_version g WHERE id = (SELECT max(id) FROM goose_db_version WHERE version_id = g.version_id) AND version_id <> 0',
    );
    return plain(
      list(
        rows.filter((r) => Number(r['is_applied']) === 1),
        (r) => versionId(r['version_id']),
        null,
        'tstamp',
      ).sort(byVersion),
    );
  },
};

// rust-db/refinery refinery_core/src/traits/mod.rs: `refinery_schema_history(version, name, applied_on, checksum)`.
export const refinery: Reader = {
  tool: 'refinery',
  recognizes: (book) => book.hasColumns('refinery_schema_history', 'version', 'name'),
  read: (book) =>
    plain(
      list(
        book.rows('SELECT * FROM refinery_schema_history'),
        (r) => versionId(r['version']),
        'name',
        'applied_on',
      ).sort(byVersion),
    ),
};

// SeaQL/sea-orm sea-orm-migration/src/seaql_migrations.rs: `seaql_migrations(version, applied_at)`, versions `mYYYYMMDD_HHMMSS_name`.
export const seaOrm: Reader = {
  tool: 'sea-orm',
  recognizes: (book) => book.hasColumns('seaql_migrations', 'version', 'applied_at'),
  read: (book) =>
    plain(
      list(
        book.rows('SELECT * FROM seaql_migrations ORDER BY version'),
        (r) => text(r['version']),
        'version',
        'applied_at',
      ),
    ),
};

// liquibase-standard StandardChangeLogHistoryService: `DATABASECHANGELOG(ID, AUTHOR, FILENAME, DATEEXECUTED, ORDEREXECUTED, EXECTYPE, …)`
// and `DATABASECHANGELOGLOCK(ID, LOCKED, …)`.
export const liquibase: Reader = {
  tool: 'liquibase',
  recognizes: (book) => book.hasColumns('DATABASECHANGELOG', 'ID', 'AUTHOR', 'ORDEREXECUTED'),
  read: (book) => {
    const rows = book.rows('SELECT * FROM DATABASECHANGELOG ORDER BY ORDEREXECUTED');
    const id = (r: Record<string, unknown>): string => `${text(r['id']) ?? ''}::${text(r['author']) ?? ''}`;
    const locked =
      book.hasColumns('DATABASECHANGELOGLOCK', 'LOCKED') &&
      Number(book.db.prepare('SELECT max(LOCKED) FROM DATABASECHANGELOGLOCK').pluck().get() ?? 0) === 1;
    return plain(
      list(
        rows.filter((r) => r['exectype'] !== 'FAILED'),
        id,
        'DESCRIPTION',
        'DATEEXECUTED',
      ),
      {
        failed: rows.filter((r) => r['exectype'] === 'FAILED').map(id),
        locked,
      },
    );
  },
};

// ariga/atlas cmd/atlas/internal/migrate/ent/revision: `atlas_schema_revisions(version, description, type, applied, total, executed_at, error, …)`;
// a revision with an error, or fewer statements applied than it has, half-applied.
export const atlas: Reader = {
  tool: 'atlas',
  recognizes: (book) => book.hasColumns('atlas_schema_revisions', 'version', 'applied', 'total'),
  read: (book) => {
    const rows = book.rows(
      "SELECT * FROM atlas_schema_revisions WHERE version NOT LIKE '.%' ORDER BY version",
    );
    const broken = (r: Record<string, unknown>): boolean =>
      (r['error'] !== null && r['error'] !== '') || Number(r['applied']) < Number(r['total']);
    return plain(
      list(
        rows.filter((r) => !broken(r)),
        (r) => versionId(r['version']) ?? text(r['version']),
        'description',
        'executed_at',
      ),
      {
        failed: rows.filter(broken).map((r) => text(r['version']) ?? ''),
      },
    );
  },
};

// pocketbase/tools/migrate/runner.go: `_migrations(file VARCHAR(255) PRIMARY KEY, applied INTEGER)`.
export const pocketbase: Reader = {
  tool: 'pocketbase',
  recognizes: (book) => book.hasColumns('_migrations', 'file', 'applied'),
  read: (book) =>
    plain(
      list(
        book.rows('SELECT * FROM _migrations ORDER BY applied, file'),
        (r) => text(r['file']),
        'file',
        'applied',
      ),
    ),
};

// go-gormigrate/gormigrate/gormigrate.go: `migrations(id VARCHAR(255) PRIMARY KEY)`; xormigrate adds `description`.
export const gormigrate: Reader = {
  tool: 'gormigrate',
  recognizes: (book) => goMigrateTable(book) !== null,
  read: (book) => {
    const table = goMigrateTable(book) as string;
    const description = book.columns(table).has('description') ? 'description' : null;
    return plain(
      list(
        book.rows(`SELECT * FROM ${quotedName(table)} ORDER BY rowid`),
        (r) => text(r['id']),
        description,
        null,
      ),
    );
  },
};
