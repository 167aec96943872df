import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MigrationTool } from '../../contract/migrations';
import type { SqliteDatabase } from '../sqlite/open-database';
import type { MigrationAdapter, MigrationSource } from './migration-adapter';
import type { AppliedState } from './migration-status';
import { buildGraph, type CodeGraph, type CodeRevision } from './revision-graph';
import { quotedName } from '../sqlite/quoted-name';

/**
 * Tools whose migrations form one line ordered by a version number in the file name, and whose
 * database records the versions it applied (or, for golang-migrate and `PRAGMA user_version`, only
 * the latest). Each is a small spec: where its files are, how they are named, how the database
 * records them.
 */

interface MigrationFile {
  readonly version: bigint;
  readonly name: string;
  readonly file: string;
  readonly sql: string | null;
}

interface Recorded {
  readonly applied: readonly string[];
  readonly positionOnly: boolean;
  readonly failed?: readonly string[];
  readonly dirty?: readonly string[];
  readonly locked?: boolean;
}

interface LinearSpec {
  readonly tool: MigrationTool;
  /** How the tool records applied migrations, for messages. */
  readonly bookkeeping: string;
  /** Folders, relative to the app folder, where the tool keeps migrations by default. */
  readonly folders: readonly string[];
  /** Other files whose presence in the app folder says the tool is used. */
  readonly markers?: readonly string[];
  /** Lists the migrations in a folder. */
  list(dir: string): MigrationFile[];
  /** Whether the database has the tool's bookkeeping. */
  recognizes(tables: ReadonlySet<string>, db: SqliteDatabase, source?: MigrationSource): boolean;
  read(db: SqliteDatabase, files: readonly MigrationFile[], source: MigrationSource): Recorded;
}

function filesMatching(dir: string, pattern: RegExp, sqlOf: (file: string) => string | null = (file) => readIfSql(file)): MigrationFile[] {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs
    .readdirSync(dir)
    .flatMap((entry) => {
      const match = pattern.exec(entry);
      if (match?.[1] === undefined) {
        return [];
      }
      const full = path.join(dir, entry);
      return [{ version: BigInt(match[1].replace(/[._]/g, '')), name: (match[2] ?? '').replace(/[_-]+/g, ' ').trim(), file: entry, sql: sqlOf(full) }];
    })
    .sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
}

function readIfSql(file: string): string | null {
  return file.endsWith('.sql') && fs.statSync(file).isFile() ? fs.readFileSync(file, 'utf8') : null;
}

function hasColumn(db: SqliteDatabase, table: string, column: string): boolean {
  return db
    .prepare(`SELECT name FROM pragma_table_info(?)`)
    .pluck()
    .all(table)
    .some((name) => String(name).toLowerCase() === column.toLowerCase());
}

const createTable = /create\s+table\s+(?:if\s+not\s+exists\s+)?[`"[]?(\w+)[`"\]]?/gi;
const dropTable = /drop\s+table\s+(?:if\s+exists\s+)?[`"[]?(\w+)[`"\]]?/gi;

function revisionsOf(files: readonly MigrationFile[]): CodeRevision[] {
  return files.map((f, i) => {
    const previous = files[i - 1];
    return {
      id: f.version.toString(),
      parents: previous === undefined ? [] : [previous.version.toString()],
      dependsOn: [],
      branchLabels: [],
      message: f.name,
      createdAt: null,
      file: f.file,
      tablesCreated: f.sql === null ? [] : [...f.sql.matchAll(createTable)].map((m) => m[1] ?? ''),
      tablesDropped: f.sql === null ? [] : [...f.sql.matchAll(dropTable)].map((m) => m[1] ?? ''),
    };
  });
}

function linearAdapter(spec: LinearSpec): MigrationAdapter {
  const listAll = (source: MigrationSource): MigrationFile[] => source.locations.flatMap((dir) => spec.list(dir));
  return {
    tool: spec.tool,
    bookkeeping: spec.bookkeeping,
    detect(appDir) {
      const markers = (spec.markers ?? []).some((m) => fs.existsSync(path.join(appDir, m)));
      const folder = spec.folders.map((f) => path.join(appDir, f)).find((dir) => spec.list(dir).length > 0);
      return folder !== undefined && (spec.markers === undefined || markers) ? { tool: spec.tool, locations: [folder] } : null;
    },
    fromFolder(dir) {
      return { tool: spec.tool, locations: [dir] };
    },
    readGraph(source): CodeGraph {
      const files = listAll(source);
      const problems: string[] = [];
      const seen = new Set<string>();
      for (const f of files) {
        if (seen.has(f.version.toString())) {
          problems.push(`${f.file}: another migration has the same version ${f.version}.`);
        }
        seen.add(f.version.toString());
      }
      return buildGraph(spec.tool, source.locations, revisionsOf(files), problems);
    },
    recognizes: (tables, db) => spec.recognizes(tables, db),
    readApplied(db, tables, source): AppliedState {
      if (!spec.recognizes(new Set(tables), db, source)) {
        return { kind: 'unstamped', tables };
      }
      const recorded = spec.read(db, listAll(source), source);
      return {
        kind: 'stamped',
        recorded: recorded.applied,
        recordsPositionOnly: recorded.positionOnly,
        tables,
        failed: recorded.failed ?? [],
        dirty: recorded.dirty ?? [],
        locked: recorded.locked ?? false,
      };
    },
    isAhead(unknown, graph) {
      const newest = graph.revisions.reduce((max, r) => (BigInt(r.id) > max ? BigInt(r.id) : max), -1n);
      return unknown.every((id) => /^\d+$/.test(id) && BigInt(id) > newest);
    },
  };
}

const numbers = (db: SqliteDatabase, sql: string): string[] =>
  db
    .prepare(sql)
    .pluck()
    .all()
    .map((v) => String(v).replace(/[._]/g, ''))
    .filter((v) => /^\d+$/.test(v))
    .map((v) => BigInt(v).toString());

export const railsAdapter = linearAdapter({
  tool: 'rails',
  bookkeeping: 'the schema_migrations table',
  folders: ['db/migrate'],
  list: (dir) => filesMatching(dir, /^(\d+)_(\w+)\.rb$/),
  recognizes: (tables, db) => tables.has('schema_migrations') && tables.has('ar_internal_metadata') && !hasColumn(db, 'schema_migrations', 'dirty'),
  read: (db) => ({ applied: numbers(db, 'SELECT version FROM schema_migrations'), positionOnly: false }),
});

export const knexAdapter = linearAdapter({
  tool: 'knex',
  bookkeeping: 'the knex_migrations table',
  folders: ['migrations', 'db/migrations', 'src/migrations'],
  markers: ['knexfile.js', 'knexfile.ts', 'knexfile.cjs', 'knexfile.mjs'],
  list: (dir) => filesMatching(dir, /^(\d{14})_(.+)\.(?:c|m)?[jt]s$/),
  recognizes: (tables) => tables.has('knex_migrations'),
  read: (db) => ({
    applied: numbers(db, "SELECT substr(name, 1, instr(name, '_') - 1) FROM knex_migrations"),
    positionOnly: false,
    locked: db.prepare('SELECT name FROM sqlite_schema WHERE name = ?').get('knex_migrations_lock') !== undefined && Number(db.prepare('SELECT max(is_locked) FROM knex_migrations_lock').pluck().get() ?? 0) === 1,
  }),
});

export const prismaAdapter = linearAdapter({
  tool: 'prisma',
  bookkeeping: 'the _prisma_migrations table',
  folders: ['prisma/migrations'],
  list: (dir) => filesMatching(dir, /^(\d{14})_(.+)$/, (full) => (fs.existsSync(path.join(full, 'migration.sql')) ? fs.readFileSync(path.join(full, 'migration.sql'), 'utf8') : null)).filter((f) => f.sql !== null),
  recognizes: (tables) => tables.has('_prisma_migrations'),
  read: (db) => ({
    applied: numbers(db, "SELECT substr(migration_name, 1, 14) FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL"),
    positionOnly: false,
    failed: numbers(db, 'SELECT substr(migration_name, 1, 14) FROM _prisma_migrations WHERE finished_at IS NULL AND rolled_back_at IS NULL'),
  }),
});

export const flywayAdapter = linearAdapter({
  tool: 'flyway',
  bookkeeping: 'the flyway_schema_history table',
  folders: ['db/migration', 'sql', 'src/main/resources/db/migration'],
  list: (dir) => filesMatching(dir, /^V(\d+(?:[._]\d+)*)__(.+)\.sql$/),
  recognizes: (tables) => tables.has('flyway_schema_history'),
  read: (db) => ({
    applied: numbers(db, 'SELECT version FROM flyway_schema_history WHERE success = 1 AND version IS NOT NULL'),
    positionOnly: false,
    failed: numbers(db, 'SELECT version FROM flyway_schema_history WHERE success = 0 AND version IS NOT NULL'),
  }),
});

export const golangMigrateAdapter = linearAdapter({
  tool: 'golang-migrate',
  bookkeeping: 'the schema_migrations table',
  folders: ['migrations', 'db/migrations'],
  list: (dir) => filesMatching(dir, /^(\d+)_(.+)\.up\.sql$/),
  recognizes: (tables, db) => tables.has('schema_migrations') && hasColumn(db, 'schema_migrations', 'dirty'),
  read: (db) => {
    const row = db.prepare('SELECT version, dirty FROM schema_migrations LIMIT 1').get() as { version: number | bigint; dirty: number } | undefined;
    const version = row === undefined ? [] : [BigInt(row.version).toString()];
    return { applied: version, positionOnly: true, dirty: row !== undefined && Number(row.dirty) === 1 ? version : [] };
  },
});

export const sqlxAdapter = linearAdapter({
  tool: 'sqlx',
  bookkeeping: 'the _sqlx_migrations table',
  folders: ['migrations'],
  markers: ['Cargo.toml'],
  list: (dir) => filesMatching(dir, /^(\d+)_(.+?)(?:\.up)?\.sql$/).filter((f) => !f.file.endsWith('.down.sql')),
  recognizes: (tables) => tables.has('_sqlx_migrations'),
  read: (db) => ({
    applied: numbers(db, 'SELECT version FROM _sqlx_migrations WHERE success = 1'),
    positionOnly: false,
    dirty: numbers(db, 'SELECT version FROM _sqlx_migrations WHERE success = 0'),
  }),
});

/** Drizzle's journal (`meta/_journal.json`): each entry's `when` (ms) is its version, its tag its name. */
function drizzleJournal(dir: string): MigrationFile[] {
  const journal = path.join(dir, 'meta', '_journal.json');
  if (!fs.existsSync(journal)) {
    return [];
  }
  const parsed = JSON.parse(fs.readFileSync(journal, 'utf8')) as { entries?: { when?: unknown; tag?: unknown }[] };
  return (parsed.entries ?? []).flatMap((entry) => {
    if (typeof entry.when !== 'number' || typeof entry.tag !== 'string') {
      return [];
    }
    const file = `${entry.tag}.sql`;
    const full = path.join(dir, file);
    return [{ version: BigInt(entry.when), name: entry.tag, file, sql: fs.existsSync(full) ? fs.readFileSync(full, 'utf8') : null }];
  });
}

/** Drizzle records each applied migration with its journal time; its migrator applies every newer one. */
export const drizzleAdapter = linearAdapter({
  tool: 'drizzle',
  bookkeeping: 'the __drizzle_migrations table',
  folders: ['drizzle', 'migrations'],
  list: drizzleJournal,
  recognizes: (tables) => tables.has('__drizzle_migrations'),
  read: (db) => ({ applied: numbers(db, 'SELECT max(created_at) FROM __drizzle_migrations WHERE created_at IS NOT NULL'), positionOnly: true }),
});

/** Numbered `.sql` files tracked by `PRAGMA user_version`: the convention of `lifeboat migrate`. */
export const userVersionAdapter = linearAdapter({
  tool: 'user-version',
  bookkeeping: 'PRAGMA user_version above 0',
  folders: ['migrations', 'db/migrations', 'sql'],
  list: (dir) => filesMatching(dir, /^(\d+)[_-](.+)\.sql$/).filter((f) => !/\.down\.sql$/.test(f.file) && !f.file.endsWith('.up.sql')),
  recognizes: (_tables, db) => Number(db.pragma('user_version', { simple: true })) > 0,
  read: (db) => ({ applied: [String(Number(db.pragma('user_version', { simple: true })))], positionOnly: true }),
});

/** Numbered `.sql` files tracked in a table and column the user names (`--version-table`, `--version-column`). */
export const tableAdapter = linearAdapter({
  tool: 'table',
  bookkeeping: 'the version table',
  folders: [],
  list: (dir) => filesMatching(dir, /^(\d+)[_-](.+)\.sql$/),
  recognizes: (tables, _db, source) => tables.has(source?.options?.['table'] ?? 'schema_version'),
  read: (db, _files, source) => {
    const table = source.options?.['table'] ?? 'schema_version';
    const column = source.options?.['column'] ?? 'version';
    return { applied: numbers(db, `SELECT ${quotedName(column)} FROM ${quotedName(table)}`), positionOnly: false };
  },
});
