import type { RecordedTool } from '../../contract/migrations';
import type { SqliteDatabase } from '../sqlite/open-database';
import { quotedName } from '../sqlite/quoted-name';
import { compareOrder } from '../compare-order';

/**
 * What a database records about its migrations, read from the bookkeeping tables alone. Most
 * self-hosted apps run in a container whose image holds the migrations (or compiles them in), so the
 * database's own record is the one thing Lifeboat can always read. Each reader below follows the
 * table exactly as its tool writes it; the source it was read from is named beside it. The order of
 * the list matters where tools share a table name (`schema_migrations`, `migrations`): the shape of
 * the table tells them apart, most specific first.
 */

export interface RecordedMigration {
  /** The id the tool records, in the form Lifeboat's code readers use (a version number, a name). */
  readonly id: string;
  readonly name: string | null;
  /** When the tool says it applied it, as the tool wrote it; null when it does not record it. */
  readonly appliedAt: string | null;
}

export interface Recorded {
  readonly tool: RecordedTool;
  /** Oldest first. For tools that record only where they are, one entry: the current position. */
  readonly applied: readonly RecordedMigration[];
  readonly positionOnly: boolean;
  readonly failed: readonly string[];
  readonly dirty: readonly string[];
  readonly locked: boolean;
}

/** The tables of one database and their columns, looked up case-insensitively as SQLite does. */
class Bookkeeping {
  private readonly names: Map<string, string>;
  private readonly columnCache = new Map<string, Set<string>>();

  constructor(readonly db: SqliteDatabase) {
    // Virtual tables are never bookkeeping, and reading one of an extension Lifeboat does not load fails.
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND coalesce(sql, '') NOT LIKE 'CREATE VIRTUAL%'",
      )
      .pluck()
      .all()
      .map(String);
    this.names = new Map(tables.map((t) => [t.toLowerCase(), t]));
  }

  has(table: string): boolean {
    return this.names.has(table.toLowerCase());
  }

  /** The table's columns, lower case; empty when there is no such table. */
  columns(table: string): Set<string> {
    const key = table.toLowerCase();
    let cached = this.columnCache.get(key);
    if (cached === undefined) {
      cached = new Set(
        this.has(table)
          ? this.db
              .prepare('SELECT name FROM pragma_table_info(?)')
              .pluck()
              .all(table)
              .map((c) => String(c).toLowerCase())
          : [],
      );
      this.columnCache.set(key, cached);
    }
    return cached;
  }

  /** True when the table exists and has every one of the columns. */
  hasColumns(table: string, ...columns: string[]): boolean {
    const have = this.columns(table);
    return columns.every((c) => have.has(c.toLowerCase()));
  }

  /** The tables whose columns include all of these. */
  tablesWith(...columns: string[]): string[] {
    return [...this.names.values()].filter((t) => this.hasColumns(t, ...columns));
  }

  /** Rows with their column names in lower case (apps and tools differ in case, SQLite does not care). */
  rows(sql: string, ...params: unknown[]): Record<string, unknown>[] {
    return (this.db.prepare(sql).all(...params) as Record<string, unknown>[]).map((row) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k.toLowerCase(), v])),
    );
  }
}

type Read = Omit<Recorded, 'tool'>;

interface Reader {
  readonly tool: RecordedTool;
  /** Whether the database holds this tool's bookkeeping, told by its tables' names and shapes. */
  recognizes(book: Bookkeeping): boolean;
  read(book: Bookkeeping): Read;
}

/** A column's value as text; blobs and NULL are not names or versions. */
function text(value: unknown): string | null {
  if (typeof value === 'string') {
    return value;
  }
  return typeof value === 'number' || typeof value === 'bigint' ? value.toString() : null;
}

/** A version number as the code readers key it: digits only, no leading zeros. */
export function versionId(value: unknown): string | null {
  const digits = (text(value) ?? '').replace(/[._\-\s]/g, '');
  return /^\d+$/.test(digits) ? BigInt(digits).toString() : null;
}

function list(
  rows: readonly Record<string, unknown>[],
  id: (row: Record<string, unknown>) => string | null,
  name: string | null,
  at: string | null,
): RecordedMigration[] {
  return rows.flatMap((row) => {
    const key = id(row);
    return key === null
      ? []
      : [
          {
            id: key,
            name: name === null ? null : text(row[name.toLowerCase()]),
            appliedAt: at === null ? null : text(row[at.toLowerCase()]),
          },
        ];
  });
}

function plain(applied: RecordedMigration[], extra: Partial<Read> = {}): Read {
  return { applied, positionOnly: false, failed: [], dirty: [], locked: false, ...extra };
}

function position(id: string | null, appliedAt: string | null = null, name: string | null = null): Read {
  return {
    applied: id === null ? [] : [{ id, name, appliedAt }],
    positionOnly: true,
    failed: [],
    dirty: [],
    locked: false,
  };
}

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

const byVersion = (a: RecordedMigration, b: RecordedMigration): number =>
  compareOrder(BigInt(a.id), BigInt(b.id));

/** Rails and dbmate alike: every version in `schema_migrations`, oldest first. */
function schemaMigrationsVersions(book: Bookkeeping): Read {
  const versions = list(
    book.rows('SELECT version FROM schema_migrations'),
    (r) => versionId(r['version']),
    null,
    null,
  );
  return plain(versions.sort(byVersion));
}

/** The Knex table: `knex_migrations` by default, any name in a knexfile (Nginx Proxy Manager: `migrations`). */
function knexTable(book: Bookkeeping): string | null {
  if (book.hasColumns('knex_migrations', 'name', 'batch')) {
    return 'knex_migrations';
  }
  return book.tablesWith('name', 'batch', 'migration_time').find((t) => book.has(`${t}_lock`)) ?? null;
}

/** TypeORM's table: `migrations` unless configured, and exactly the three columns TypeORM creates. */
function typeormTable(book: Bookkeeping): string | null {
  const exact = (t: string): boolean =>
    book.columns(t).size === 3 && book.hasColumns(t, 'id', 'timestamp', 'name');
  return exact('migrations')
    ? 'migrations'
    : (book.tablesWith('id', 'timestamp', 'name').find(exact) ?? null);
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

const readers: readonly Reader[] = [
  {
    // alembic/runtime/migration.py: `alembic_version(version_num)`, one row per head.
    tool: 'alembic',
    recognizes: (book) => book.hasColumns('alembic_version', 'version_num'),
    read: (book) => ({
      ...plain(
        list(book.rows('SELECT version_num FROM alembic_version'), (r) => text(r['version_num']), null, null),
      ),
      positionOnly: true,
    }),
  },
  {
    // django/db/migrations/recorder.py: `django_migrations(id, app, name, applied)`.
    tool: 'django',
    recognizes: (book) => book.hasColumns('django_migrations', 'app', 'name'),
    read: (book) =>
      plain(
        list(
          book.rows('SELECT * FROM django_migrations ORDER BY id'),
          (r) => `${text(r['app']) ?? ''}.${text(r['name']) ?? ''}`,
          'name',
          'applied',
        ),
      ),
  },
  {
    // knex/lib/migrations/migrate/table-creator.js: `<tableName>(id, name, batch, migration_time)` and `<tableName>_lock(index, is_locked)`.
    tool: 'knex',
    recognizes: (book) => knexTable(book) !== null,
    read: (book) => {
      const table = knexTable(book) as string;
      const lock = `${table}_lock`;
      const locked =
        book.hasColumns(lock, 'is_locked') &&
        Number(
          book.db
            .prepare(`SELECT max(is_locked) FROM ${quotedName(lock)}`)
            .pluck()
            .get() ?? 0,
        ) === 1;
      return plain(
        list(
          book.rows(`SELECT * FROM ${quotedName(table)} ORDER BY id`),
          (r) => text(r['name']),
          'name',
          'migration_time',
        ),
        { locked },
      );
    },
  },
  {
    // activerecord/lib/active_record/schema_migration.rb: `schema_migrations(version)` beside `ar_internal_metadata`.
    tool: 'rails',
    recognizes: (book) =>
      book.has('ar_internal_metadata') &&
      book.hasColumns('schema_migrations', 'version') &&
      !book.hasColumns('schema_migrations', 'dirty'),
    read: (book) => schemaMigrationsVersions(book),
  },
  {
    // golang-migrate/database/sqlite3/sqlite3.go: `schema_migrations(version uint64, dirty bool)`, one row.
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
  },
  {
    // dbmate/pkg/driver/sqlite/sqlite.go: `schema_migrations(version varchar(128) primary key)` and nothing else.
    tool: 'dbmate',
    recognizes: (book) => {
      const columns = book.columns('schema_migrations');
      return columns.size === 1 && columns.has('version');
    },
    read: (book) => schemaMigrationsVersions(book),
  },
  {
    // prisma-engines migration-persistence: `_prisma_migrations(id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)`.
    tool: 'prisma',
    recognizes: (book) => book.hasColumns('_prisma_migrations', 'migration_name', 'finished_at'),
    read: (book) => {
      const rows = book.rows('SELECT * FROM _prisma_migrations ORDER BY started_at');
      const id = (r: Record<string, unknown>): string | null =>
        versionId((text(r['migration_name']) ?? '').slice(0, 14));
      const live = rows.filter((r) => r['rolled_back_at'] === null);
      return plain(
        list(
          live.filter((r) => r['finished_at'] !== null),
          id,
          'migration_name',
          'finished_at',
        ),
        {
          failed: list(
            live.filter((r) => r['finished_at'] === null),
            id,
            null,
            null,
          ).map((m) => m.id),
        },
      );
    },
  },
  {
    // drizzle-orm/sqlite-core/dialect.ts: `__drizzle_migrations(id, hash, created_at)`; the migrator compares the newest created_at.
    tool: 'drizzle',
    recognizes: (book) => book.hasColumns('__drizzle_migrations', 'created_at'),
    read: (book) =>
      position(
        versionId(
          book.db
            .prepare('SELECT max(created_at) FROM __drizzle_migrations WHERE created_at IS NOT NULL')
            .pluck()
            .get(),
        ),
      ),
  },
  {
    // flyway-core JdbcTableSchemaHistory: `flyway_schema_history(installed_rank, version, description, …, success)`.
    tool: 'flyway',
    recognizes: (book) => book.hasColumns('flyway_schema_history', 'version', 'success'),
    read: (book) =>
      bySuccess(
        book.rows('SELECT * FROM flyway_schema_history WHERE version IS NOT NULL ORDER BY installed_rank'),
        'failed',
      ),
  },
  {
    // sqlx-sqlite/src/migrate.rs: `_sqlx_migrations(version, description, installed_on, success, checksum, execution_time)`.
    tool: 'sqlx',
    recognizes: (book) => book.hasColumns('_sqlx_migrations', 'version', 'success'),
    read: (book) => bySuccess(book.rows('SELECT * FROM _sqlx_migrations ORDER BY version'), 'dirty'),
  },
  {
    // diesel_migrations/src/migration_harness.rs: `__diesel_schema_migrations(version VARCHAR(50) PRIMARY KEY, run_on TIMESTAMP)`;
    // the version is the folder name up to its first `_`, without dashes.
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
  },
  {
    // EFCore.Sqlite SqliteHistoryRepository: `__EFMigrationsHistory(MigrationId, ProductVersion)`, ids `<14 digits>_<Name>`;
    // EF Core 9 holds `__EFMigrationsLock(Id, Timestamp)` while it migrates.
    tool: 'ef-core',
    recognizes: (book) => book.hasColumns('__EFMigrationsHistory', 'MigrationId'),
    read: (book) => {
      const rows = book.rows('SELECT MigrationId FROM "__EFMigrationsHistory" ORDER BY MigrationId');
      const locked =
        book.has('__EFMigrationsLock') &&
        Number(book.db.prepare('SELECT count(*) FROM "__EFMigrationsLock"').pluck().get()) > 0;
      return plain(
        list(rows, (r) => versionId(/^(\d+)_/.exec(text(r['migrationid']) ?? '')?.[1]), 'MigrationId', null),
        { locked },
      );
    },
  },
  {
    // FluentMigrator.Runner VersionTableMetaData: `VersionInfo(Version, AppliedOn, Description)`.
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
  },
  {
    // typeorm/src/migration/MigrationExecutor.ts: `migrations(id, timestamp, name)` (the table name is configurable; its shape is not).
    tool: 'typeorm',
    recognizes: (book) => typeormTable(book) !== null,
    read: (book) => {
      const table = typeormTable(book) as string;
      return plain(
        list(
          book.rows(`SELECT * FROM ${quotedName(table)} ORDER BY id`),
          (r) => versionId(r['timestamp']),
          'name',
          null,
        ),
      );
    },
  },
  {
    // pressly/goose dialect/dialectquery/sqlite3.go: `goose_db_version(id, version_id, is_applied, tstamp)`;
    // the newest row of a version says whether it is applied; version 0 is goose's own first row.
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
  },
  {
    // laravel/framework Migrations/DatabaseMigrationRepository.php: `migrations(id, migration, batch)`, names `YYYY_MM_DD_HHMMSS_name`.
    tool: 'laravel',
    recognizes: (book) => book.hasColumns('migrations', 'migration', 'batch'),
    read: (book) =>
      plain(
        list(
          book.rows('SELECT migration FROM migrations ORDER BY id'),
          (r) => laravelId(text(r['migration']) ?? ''),
          'migration',
          null,
        ),
      ),
  },
  {
    // umzug/src/storage/sequelize.ts (and sequelize-cli): `SequelizeMeta(name)`, the migration's file name.
    tool: 'sequelize',
    recognizes: (book) => book.hasColumns('SequelizeMeta', 'name'),
    read: (book) =>
      plain(
        list(
          book.rows('SELECT name FROM "SequelizeMeta" ORDER BY name'),
          (r) => text(r['name']),
          'name',
          null,
        ),
      ),
  },
  {
    // rust-db/refinery refinery_core/src/traits/mod.rs: `refinery_schema_history(version, name, applied_on, checksum)`.
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
  },
  {
    // SeaQL/sea-orm sea-orm-migration/src/seaql_migrations.rs: `seaql_migrations(version, applied_at)`, versions `mYYYYMMDD_HHMMSS_name`.
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
  },
  {
    // liquibase-standard StandardChangeLogHistoryService: `DATABASECHANGELOG(ID, AUTHOR, FILENAME, DATEEXECUTED, ORDEREXECUTED, EXECTYPE, …)`
    // and `DATABASECHANGELOGLOCK(ID, LOCKED, …)`.
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
  },
  {
    // ariga/atlas cmd/atlas/internal/migrate/ent/revision: `atlas_schema_revisions(version, description, type, applied, total, executed_at, error, …)`;
    // a revision with an error, or fewer statements applied than it has, half-applied.
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
  },
  {
    // pocketbase/tools/migrate/runner.go: `_migrations(file VARCHAR(255) PRIMARY KEY, applied INTEGER)`.
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
  },
  {
    // authelia internal/storage/sql_provider_schema.go: `migrations(id, applied, version_before, version_after, application_version)`.
    tool: 'authelia',
    recognizes: (book) => book.hasColumns('migrations', 'version_before', 'version_after'),
    read: (book) => {
      const row = book.rows('SELECT * FROM migrations ORDER BY id DESC LIMIT 1')[0];
      return position(
        row === undefined ? null : versionId(row['version_after']),
        text(row?.['applied']),
        row === undefined ? null : `Authelia ${text(row['application_version']) ?? ''}`,
      );
    },
  },
  {
    // go-gormigrate/gormigrate/gormigrate.go: `migrations(id VARCHAR(255) PRIMARY KEY)`; xormigrate adds `description`.
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
  },
  {
    // home-assistant/core homeassistant/components/recorder/db_schema.py: `schema_changes(change_id, schema_version, changed)`.
    tool: 'home-assistant',
    recognizes: (book) => book.hasColumns('schema_changes', 'schema_version', 'change_id'),
    read: (book) => {
      const row = book.rows('SELECT * FROM schema_changes ORDER BY change_id DESC LIMIT 1')[0];
      return position(row === undefined ? null : versionId(row['schema_version']), text(row?.['changed']));
    },
  },
  {
    // louislam/uptime-kuma server/database.js (1.x): the `setting` row `database_version` counts its patch-NN.sql files.
    tool: 'uptime-kuma',
    recognizes: (book) =>
      book.hasColumns('setting', 'key', 'value') &&
      book.rows("SELECT 1 FROM setting WHERE key = 'database_version'").length > 0,
    read: (book) =>
      position(
        versionId(book.db.prepare("SELECT value FROM setting WHERE key = 'database_version'").pluck().get()),
      ),
  },
  {
    // go-gitea/gitea models/migrations/migrations.go (also Forgejo, Gogs): xorm's `version(id, version)`, one row.
    tool: 'gitea',
    recognizes: (book) => {
      const columns = book.columns('version');
      return columns.size === 2 && columns.has('id') && columns.has('version');
    },
    read: (book) => position(versionId(book.db.prepare('SELECT max(version) FROM version').pluck().get())),
  },
  {
    // usememos/memos store/migrator.go: `migration_history(version, created_ts)` up to 0.21, then the `BASIC`
    // instance setting's `schemaVersion` (table `system_setting`, later `instance_setting`).
    tool: 'memos',
    recognizes: (book) =>
      book.hasColumns('migration_history', 'version') || memosSettingsTable(book) !== null,
    read: (book) => {
      const table = memosSettingsTable(book);
      if (table !== null) {
        const value = book.db
          .prepare(`SELECT value FROM ${quotedName(table)} WHERE name = 'BASIC'`)
          .pluck()
          .get();
        const version = memosSchemaVersion(value);
        if (version !== null) {
          return position(version);
        }
      }
      if (!book.has('migration_history')) {
        return position(null);
      }
      const versions = book
        .rows('SELECT * FROM migration_history')
        .sort((a, b) => compareDotted(text(a['version']) ?? '', text(b['version']) ?? ''));
      const newest = versions[versions.length - 1];
      return position(newest === undefined ? null : String(newest['version']), text(newest?.['created_ts']));
    },
  },
  {
    // PRAGMA user_version: the convention of many small runners (and of `lifeboat migrate`).
    tool: 'user-version',
    recognizes: (book) => userVersion(book.db) > 0,
    read: (book) => position(String(userVersion(book.db))),
  },
];

export function userVersion(db: SqliteDatabase): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/** Laravel's `2014_10_12_000000_create_users_table` → 20141012000000; other names are their own id. */
export function laravelId(migration: string): string {
  const stamp = /^(\d{4})_(\d{2})_(\d{2})_(\d{6})_/.exec(migration);
  return stamp === null ? migration : (versionId(stamp.slice(1).join('')) ?? migration);
}

function memosSettingsTable(book: Bookkeeping): string | null {
  return (
    ['instance_setting', 'system_setting'].find(
      (t) =>
        book.hasColumns(t, 'name', 'value') &&
        book.rows(`SELECT 1 FROM ${quotedName(t)} WHERE name = 'BASIC'`).length > 0,
    ) ?? null
  );
}

function memosSchemaVersion(value: unknown): string | null {
  try {
    const parsed: unknown = JSON.parse(String(value));
    const version =
      typeof parsed === 'object' && parsed !== null
        ? (parsed as Record<string, unknown>)['schemaVersion']
        : undefined;
    return typeof version === 'string' && /^[\w.-]{1,40}$/.test(version) ? version : null;
  } catch {
    return null;
  }
}

/** Compares dotted versions (`0.9.1` < `0.10.0`) part by part. */
function compareDotted(a: string, b: string): number {
  const [x, y] = [a.split('.').map(Number), b.split('.').map(Number)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0 && !Number.isNaN(d)) {
      return d;
    }
  }
  return a.localeCompare(b);
}

/** What the database records, by whichever tool's bookkeeping it holds; null when it holds none. */
export function readRecorded(db: SqliteDatabase): Recorded | null {
  const book = new Bookkeeping(db);
  const reader = readers.find((r) => r.recognizes(book));
  return reader === undefined ? null : { tool: reader.tool, ...reader.read(book) };
}

/** What the database records for one tool; null when it does not hold that tool's bookkeeping. */
export function readRecordedBy(db: SqliteDatabase, tool: RecordedTool): Recorded | null {
  const book = new Bookkeeping(db);
  const reader = readers.find((r) => r.tool === tool);
  return reader === undefined || !reader.recognizes(book) ? null : { tool, ...reader.read(book) };
}
