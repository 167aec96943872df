import { quotedName } from '../sqlite/quoted-name';
import {
  list,
  plain,
  position,
  schemaMigrationsVersions,
  text,
  versionId,
  type Bookkeeping,
  type Reader,
} from './recorded-bookkeeping';

/** The bookkeeping of the migration tools of Python, Ruby, PHP and JavaScript apps. */

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

// alembic/runtime/migration.py: `alembic_version(version_num)`, one row per head.
export const alembic: Reader = {
  tool: 'alembic',
  recognizes: (book) => book.hasColumns('alembic_version', 'version_num'),
  read: (book) => ({
    ...plain(
      list(book.rows('SELECT version_num FROM alembic_version'), (r) => text(r['version_num']), null, null),
    ),
    positionOnly: true,
  }),
};

// django/db/migrations/recorder.py: `django_migrations(id, app, name, applied)`.
export const django: Reader = {
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
};

// knex/lib/migrations/migrate/table-creator.js: `<tableName>(id, name, batch, migration_time)` and `<tableName>_lock(index, is_locked)`.
export const knex: Reader = {
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
};

// activerecord/lib/active_record/schema_migration.rb: `schema_migrations(version)` beside `ar_internal_metadata`.
export const rails: Reader = {
  tool: 'rails',
  recognizes: (book) =>
    book.has('ar_internal_metadata') &&
    book.hasColumns('schema_migrations', 'version') &&
    !book.hasColumns('schema_migrations', 'dirty'),
  read: (book) => schemaMigrationsVersions(book),
};

// prisma-engines migration-persistence: `_prisma_migrations(id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)`.
export const prisma: Reader = {
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
};

// drizzle-orm/sqlite-core/dialect.ts: `__drizzle_migrations(id, hash, created_at)`; the migrator compares the newest created_at.
export const drizzle: Reader = {
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
};

// typeorm/src/migration/MigrationExecutor.ts: `migrations(id, timestamp, name)` (the table name is configurable; its shape is not).
export const typeorm: Reader = {
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
};

// laravel/framework Migrations/DatabaseMigrationRepository.php: `migrations(id, migration, batch)`, names `YYYY_MM_DD_HHMMSS_name`.
export const laravel: Reader = {
  tool: 'laravel',
  recognizes: (book) => book.hasColumns('migrations', 'migration', 'batch'),
  read: (book) =>
    plain(
      list(
        book.rows('SELECT migration FROM migrations ORDER BY id'),
        (r) => text(r['migration']),
        'migration',
        null,
      ),
    ),
};

// umzug/src/storage/sequelize.ts (and sequelize-cli): `SequelizeMeta(name)`, the migration's file name.
export const sequelize: Reader = {
  tool: 'sequelize',
  recognizes: (book) => book.hasColumns('SequelizeMeta', 'name'),
  read: (book) =>
    plain(
      list(book.rows('SELECT name FROM "SequelizeMeta" ORDER BY name'), (r) => text(r['name']), 'name', null),
    ),
};
