import * as path from 'node:path';
import type { MigrationTool } from '../../contract/migrations';
import type { SqliteDatabase } from '../sqlite/open-database';
import { quotedName } from '../sqlite/quoted-name';
import type { MigrationAdapter, MigrationSource } from './migration-adapter';
import { entriesOf, foldersNamed, readSource, tableChanges } from './migration-files';
import type { AheadTest, AppliedState } from './migration-status';
import { userVersion, versionId } from './recorded-bookkeeping';
import { readRecordedBy, type Recorded } from './recorded-migrations';
import { buildGraph, type CodeGraph, type CodeRevision } from './revision-graph';
import { compareOrder, compareVersions } from '../compare-order';

/**
 * Tools whose migrations form one line, ordered by a version in the file name (or, for Knex and
 * Sequelize, by the file name itself), and whose database records what it applied (or only the
 * latest, for golang-migrate, Drizzle and `PRAGMA user_version`). Each is a small spec: where its files
 * are, how they are named. What the database records is read by `recorded-migrations.ts` (and its
 * readers of each family of tools), the one place that knows each tool's table.
 */

interface MigrationFile {
  /** The id the database records for it (a version number, or the file name). */
  readonly id: string;
  /** Where it sorts: versions numerically, names as strings. */
  readonly order: bigint | string;
  readonly name: string;
  readonly file: string;
  readonly sql: string | null;
}

/** The migrations in a folder, and the files that look like migrations but could not be read. */
interface Listing {
  readonly files: MigrationFile[];
  readonly unreadable: string[];
}

interface LinearSpec {
  readonly tool: MigrationTool;
  /** How the tool records applied migrations, for messages. */
  readonly bookkeeping: string;
  /** Folders, relative to the app folder, where the tool keeps migrations (each also with a `sqlite` subfolder). */
  readonly folders: readonly string[];
  /** Folder names searched for under the app folder (a few levels down), for tools whose projects nest them. */
  readonly nestedFolders?: readonly string[];
  /** Other files whose presence in the app folder says the tool is used. */
  readonly markers?: readonly string[];
  /** Folders the app's own configuration names (a knexfile's `directory`), relative to the app folder. */
  configuredFolders?(appDir: string): string[];
  list(dir: string): Listing;
  /** What the database records, in the ids `list` gives; the default reads the tool's own table. */
  read?(db: SqliteDatabase, files: readonly MigrationFile[], source: MigrationSource): Recorded | null;
}

interface Naming {
  /** Matches a migration's entry name; group 1 is its version, group 2 its name. */
  readonly pattern: RegExp;
  /** Entries that look like this tool's migrations: one that does not match `pattern` is reported, never dropped. */
  readonly candidate: RegExp;
  /** Its SQL (for the tables it makes), given its full path; null when it has none Lifeboat reads. */
  readonly sqlOf?: (full: string) => string | null;
  /** The id the database records, when it is not the version number (Knex and Sequelize record the file name). */
  readonly idOf?: (entry: string) => string;
  /**
   * Skip an entry that matches but is not a migration (a `.down.sql`, a goose file without `+goose`).
   * `sql()` is what `sqlOf` reads, read once and only when asked for.
   */
  readonly accept?: (entry: string, sql: () => string | null, full: string) => boolean;
}

const sqlFile = (full: string): string | null => (full.endsWith('.sql') ? readSource(full) : null);

function listFolder(dir: string, naming: Naming): Listing {
  const files: MigrationFile[] = [];
  const unreadable: string[] = [];
  for (const entry of entriesOf(dir).map((e) => e.name)) {
    if (!naming.candidate.test(entry)) {
      continue;
    }
    const full = path.join(dir, entry);
    const match = naming.pattern.exec(entry);
    const version = versionId(match?.[1]);
    if (match === null || (version === null && naming.idOf === undefined)) {
      unreadable.push(`${entry}: the name does not follow the tool's pattern, so Lifeboat cannot place it.`);
      continue;
    }
    let read: { sql: string | null } | undefined;
    const sql = (): string | null => (read ??= { sql: (naming.sqlOf ?? sqlFile)(full) }).sql;
    if (naming.accept !== undefined && !naming.accept(entry, sql, full)) {
      continue;
    }
    const id = naming.idOf?.(entry) ?? (version as string);
    files.push({
      id,
      order: naming.idOf === undefined ? BigInt(id) : id,
      name: (match[2] ?? '').replace(/[_-]+/g, ' ').trim(),
      file: entry,
      sql: sql(),
    });
  }
  files.sort((a, b) => compareOrder(a.order, b.order));
  return { files, unreadable };
}

function revisionsOf(files: readonly MigrationFile[]): CodeRevision[] {
  return files.map((f, i) => {
    const previous = files[i - 1];
    const tables = f.sql === null ? { created: [], dropped: [] } : tableChanges(f.sql);
    return {
      id: f.id,
      parents: previous === undefined ? [] : [previous.id],
      dependsOn: [],
      branchLabels: [],
      message: f.name,
      createdAt: null,
      file: f.file,
      tablesCreated: tables.created,
      tablesDropped: tables.dropped,
    };
  });
}

/** Ids the code does not have are newer when they sort after its newest migration, read as versions. */
const sortsAfterNewest: AheadTest = (unknown, graph) => {
  const newest = graph.revisions
    .map((r) => r.id)
    .reduce((max, id) => (compareVersions(id, max) > 0 ? id : max), '');
  return unknown.every((id) => compareVersions(id, newest) > 0);
};

function linearAdapter(spec: LinearSpec): MigrationAdapter {
  const listAll = (source: MigrationSource): Listing => {
    const listings = source.locations.map((dir) => spec.list(dir));
    return { files: listings.flatMap((l) => l.files), unreadable: listings.flatMap((l) => l.unreadable) };
  };
  const candidates = (appDir: string): string[] => {
    const direct = [...(spec.configuredFolders?.(appDir) ?? []), ...spec.folders].flatMap((f) =>
      ['sqlite', 'sqlite3', ''].map((sub) => path.join(appDir, f, sub)),
    );
    const nested = foldersNamed(
      appDir,
      new Set(spec.nestedFolders ?? []),
      spec.nestedFolders === undefined ? -1 : 5,
    );
    return [
      ...direct,
      ...nested.flatMap((dir) => ['sqlite', 'sqlite3', ''].map((sub) => path.join(dir, sub))),
    ];
  };
  const read = (db: SqliteDatabase, source: MigrationSource): Recorded | null =>
    spec.read === undefined ? readRecordedBy(db, spec.tool) : spec.read(db, listAll(source).files, source);
  return {
    tool: spec.tool,
    bookkeeping: spec.bookkeeping,
    detect(appDir) {
      if (
        spec.markers !== undefined &&
        !spec.markers.some((m) => entriesOf(appDir).some((e) => e.name === m))
      ) {
        return null;
      }
      const folder = candidates(appDir).find((dir) => spec.list(dir).files.length > 0);
      return folder === undefined ? null : { tool: spec.tool, locations: [folder] };
    },
    fromFolder(dir) {
      return { tool: spec.tool, locations: [dir] };
    },
    readGraph(source): CodeGraph {
      const { files, unreadable } = listAll(source);
      const problems = [...unreadable];
      const seen = new Set<string>();
      for (const f of files) {
        if (seen.has(f.id)) {
          problems.push(`${f.file}: another migration has the same version ${f.id}.`);
        }
        seen.add(f.id);
      }
      return buildGraph(spec.tool, source.locations, revisionsOf(files), problems);
    },
    readApplied(db, tables, source): AppliedState {
      const recorded = read(db, source);
      if (recorded === null) {
        return { kind: 'unstamped', tables };
      }
      return {
        kind: 'stamped',
        recorded: recorded.applied.map((m) => m.id),
        recordsPositionOnly: recorded.positionOnly,
        tables,
        failed: recorded.failed,
        dirty: recorded.dirty,
        locked: recorded.locked,
      };
    },
    isAhead: sortsAfterNewest,
  };
}

const scripts = /\.(?:c|m)?[jt]s$/;
const knexfiles = ['knexfile.js', 'knexfile.ts', 'knexfile.cjs', 'knexfile.mjs'];

export const railsAdapter = linearAdapter({
  tool: 'rails',
  bookkeeping: 'the schema_migrations table',
  folders: ['db/migrate'],
  list: (dir) => listFolder(dir, { pattern: /^(\d+)_(\w+)\.rb$/, candidate: /\.rb$/ }),
});

/** Knex records each file's name, and orders migrations by name, whatever the name looks like. */
export const knexAdapter = linearAdapter({
  tool: 'knex',
  bookkeeping: 'the knex_migrations table',
  folders: ['migrations', 'db/migrations', 'src/migrations'],
  markers: knexfiles,
  // Read as text, never run: `directory: './db/knex_migrations'` (Uptime Kuma 2 keeps its migrations there).
  configuredFolders: (appDir) =>
    knexfiles
      .flatMap((name) =>
        [...(readSource(path.join(appDir, name)) ?? '').matchAll(/directory\s*:\s*(['"`])([\w./-]+)\1/g)].map(
          (m) => m[2] ?? '',
        ),
      )
      .filter((d) => d !== '' && !d.split('/').includes('..')),
  list: (dir) =>
    listFolder(dir, {
      pattern: /^([\d_-]*)(.*)\.(?:c|m)?[jt]s$/,
      candidate: scripts,
      sqlOf: () => null,
      idOf: (entry) => entry,
    }),
});

export const prismaAdapter = linearAdapter({
  tool: 'prisma',
  bookkeeping: 'the _prisma_migrations table',
  folders: ['prisma/migrations'],
  list: (dir) =>
    listFolder(dir, {
      pattern: /^(\d{14})_(.+)$/,
      candidate: /^\d/,
      sqlOf: (full) => readSource(path.join(full, 'migration.sql')),
      accept: (_e, sql) => sql() !== null,
    }),
});

export const flywayAdapter = linearAdapter({
  tool: 'flyway',
  bookkeeping: 'the flyway_schema_history table',
  folders: ['db/migration', 'sql', 'src/main/resources/db/migration'],
  list: (dir) => listFolder(dir, { pattern: /^V(\d+(?:[._]\d+)*)__(.+)\.sql$/, candidate: /^V.*\.sql$/ }),
});

export const golangMigrateAdapter = linearAdapter({
  tool: 'golang-migrate',
  bookkeeping: 'the schema_migrations table',
  folders: [
    'migrations',
    'db/migrations',
    'resources/migrations',
    'internal/db/migrations',
    'sql/migrations',
  ],
  list: (dir) => listFolder(dir, { pattern: /^(\d+)_(.+)\.up\.sql$/, candidate: /\.up\.sql$/ }),
});

export const sqlxAdapter = linearAdapter({
  tool: 'sqlx',
  bookkeeping: 'the _sqlx_migrations table',
  folders: ['migrations'],
  markers: ['Cargo.toml'],
  list: (dir) =>
    listFolder(dir, {
      pattern: /^(\d+)_(.+?)(?:\.up)?\.sql$/,
      candidate: /\.sql$/,
      accept: (entry) => !entry.endsWith('.down.sql'),
    }),
});

/** Diesel: a folder per migration, `2024-03-13-101500_name/up.sql`; the version is the name up to `_`, without dashes. */
export const dieselAdapter = linearAdapter({
  tool: 'diesel',
  bookkeeping: 'the __diesel_schema_migrations table',
  folders: ['migrations'],
  list: (dir) =>
    listFolder(dir, {
      pattern: /^(\d[\d-]*)_(.+)$/,
      candidate: /^\d/,
      sqlOf: (full) => readSource(path.join(full, 'up.sql')),
      accept: (_e, sql) => sql() !== null,
    }),
});

/**
 * C# migrations (EF Core, FluentMigrator) are found by the attribute each class carries, in every `.cs`
 * file of the folder; `idOf` gives the id the tool records when it is not the version number.
 */
function attributedClasses(
  dir: string,
  attribute: RegExp,
  idOf?: (version: string, name: string) => string,
): Listing {
  const files: MigrationFile[] = [];
  for (const entry of entriesOf(dir).filter((e) => e.name.endsWith('.cs'))) {
    const source = readSource(path.join(dir, entry.name)) ?? '';
    for (const m of source.matchAll(attribute)) {
      const version = versionId(m[1]);
      if (version !== null) {
        files.push({
          id: idOf?.(m[1] ?? '', m[2] ?? '') ?? version,
          order: BigInt(version),
          name: (m[2] ?? '').replace(/([a-z])([A-Z])/g, '$1 $2'),
          file: entry.name,
          sql: null,
        });
      }
    }
  }
  files.sort((a, b) => compareOrder(a.order, b.order));
  return { files, unreadable: [] };
}

/** EF Core: `[Migration("20240313101500_AddUsers")]` on each migration (in its `.Designer.cs`), recorded by that whole id. */
export const efCoreAdapter = linearAdapter({
  tool: 'ef-core',
  bookkeeping: 'the __EFMigrationsHistory table',
  folders: ['Migrations', 'Data/Migrations'],
  nestedFolders: ['Migrations'],
  list: (dir) =>
    attributedClasses(
      dir,
      /\[Migration\(\s*"(\d{14})_(\w+)"\s*\)\]/g,
      (version, name) => `${version}_${name}`,
    ),
});

/** FluentMigrator (Sonarr, Radarr, …): `[Migration(42)]` or `[Migration(20240313101500, "description")]` on a class. */
export const fluentMigratorAdapter = linearAdapter({
  tool: 'fluentmigrator',
  bookkeeping: 'the VersionInfo table',
  folders: ['Migrations', 'Migration', 'Datastore/Migration'],
  nestedFolders: ['Migration', 'Migrations'],
  list: (dir) =>
    attributedClasses(
      dir,
      /\[Migration\(\s*(\d+)L?\s*(?:,[^\]]*)?\)\]\s*(?:\[[^\]]*\]\s*)*(?:public\s+)?(?:sealed\s+)?class\s+(\w+)/g,
    ),
});

/** TypeORM: `1710324900000-AddUsers.ts` holding `class AddUsers1710324900000`; the class name's timestamp is what it records. */
export const typeormAdapter = linearAdapter({
  tool: 'typeorm',
  bookkeeping: 'the migrations table (TypeORM)',
  folders: ['src/migrations', 'migrations', 'src/migration', 'src/database/migrations', 'dist/migrations'],
  nestedFolders: ['migrations'],
  list: (dir) => {
    const listing = listFolder(dir, {
      pattern: /^(\d{13})-(.+)\.(?:c|m)?[jt]s$/,
      candidate: /^\d{13}-.*\.(?:c|m)?[jt]s$/,
      sqlOf: () => null,
      accept: (entry) => !entry.endsWith('.d.ts'),
    });
    const files = listing.files.map((f) => {
      const stamp = /class\s+\w*?(\d{13})\b/.exec(readSource(path.join(dir, f.file)) ?? '')?.[1];
      return stamp === undefined ? f : { ...f, id: BigInt(stamp).toString(), order: BigInt(stamp) };
    });
    return { files, unreadable: listing.unreadable };
  },
});

/** goose: `00042_add_users.sql` with `-- +goose Up`, or a `.go` file that registers itself with goose. */
export const gooseAdapter = linearAdapter({
  tool: 'goose',
  bookkeeping: 'the goose_db_version table',
  folders: [
    'migrations',
    'db/migrations',
    'db/migration',
    'persistence/migrations',
    'internal/db/migrations',
    'sql/migrations',
  ],
  list: (dir) =>
    listFolder(dir, {
      pattern: /^(\d+)_(.+)\.(?:sql|go)$/,
      candidate: /^\d.*\.(?:sql|go)$/,
      // A .sql file's text is its SQL; a .go file is read for its registration with goose.
      accept: (entry, sql, full) =>
        !entry.endsWith('_test.go') && /\+goose\s+up|goose\.Add/i.test(sql() ?? readSource(full) ?? ''),
    }),
});

/** Laravel: `database/migrations/2024_03_13_101500_create_users_table.php`; the table records the name. */
export const laravelAdapter = linearAdapter({
  tool: 'laravel',
  bookkeeping: 'the migrations table (Laravel)',
  folders: ['database/migrations'],
  markers: ['artisan'],
  list: (dir) =>
    listFolder(dir, {
      pattern: /^(\d{4}_\d{2}_\d{2}_\d{6})_(\w+)\.php$/,
      candidate: /\.php$/,
      sqlOf: () => null,
      // The table records the file's name without `.php`, and Laravel runs them in the order of those names.
      idOf: (entry) => entry.slice(0, -4),
    }),
});

/** Sequelize (sequelize-cli, umzug): `20240313101500-create-user.js`; SequelizeMeta records the file name. */
export const sequelizeAdapter = linearAdapter({
  tool: 'sequelize',
  bookkeeping: 'the SequelizeMeta table',
  folders: ['migrations', 'db/migrations', 'src/migrations'],
  markers: ['.sequelizerc', 'config', 'models'],
  list: (dir) =>
    listFolder(dir, {
      pattern: /^(\d+)[-_](.+)\.(?:c|m)?[jt]s$/,
      candidate: scripts,
      sqlOf: () => null,
      idOf: (entry) => entry,
    }),
});

/** dbmate: `db/migrations/20240313101500_create_users.sql` with `-- migrate:up` and `-- migrate:down`. */
export const dbmateAdapter = linearAdapter({
  tool: 'dbmate',
  bookkeeping: 'the schema_migrations table (dbmate)',
  folders: ['db/migrations', 'migrations'],
  list: (dir) =>
    listFolder(dir, {
      pattern: /^(\d+)_(.+)\.sql$/,
      candidate: /^\d.*\.sql$/,
      accept: (_e, sql) => /^\s*--\s*migrate:up/m.test(sql() ?? ''),
    }),
});

/** Authelia's own migrator: `V0001.Initial_Schema.up.sql`; its `migrations` table records the version each step reached. */
export const autheliaAdapter = linearAdapter({
  tool: 'authelia',
  bookkeeping: 'the migrations table (Authelia)',
  folders: ['internal/storage/migrations'],
  nestedFolders: ['migrations'],
  list: (dir) => listFolder(dir, { pattern: /^V(\d+)\.(\w+)\.up\.sql$/, candidate: /^V\d+\..*\.up\.sql$/ }),
});

/**
 * PocketBase: Go files (`migrations/`) or JS files (`pb_migrations/`) that register themselves, run in
 * the order of their names; `_migrations` records each file's name.
 */
export const pocketbaseAdapter = linearAdapter({
  tool: 'pocketbase',
  bookkeeping: 'the _migrations table (PocketBase)',
  folders: ['pb_migrations', 'migrations'],
  nestedFolders: ['pb_migrations'],
  list: (dir) =>
    listFolder(dir, {
      pattern: /^(\d+)_(.+)\.(?:go|js)$/,
      candidate: /^\d+_.*\.(?:go|js)$/,
      sqlOf: () => null,
      idOf: (entry) => entry,
      accept: (entry, _sql, full) =>
        !entry.endsWith('_test.go') &&
        /Migrations\.(?:Register|Add)\(|\bm\.Register\(|^\s*migrate\(/m.test(readSource(full) ?? ''),
    }),
});

/** Memos' versions: `0.22/01__x.sql` is version 0.22.2 (its number plus one), ordered part by part. */
function memosListing(dir: string): Listing {
  if (readSource(path.join(dir, 'LATEST.sql')) === null) {
    return { files: [], unreadable: [] };
  }
  const files: MigrationFile[] = [];
  const unreadable: string[] = [];
  for (const minor of entriesOf(dir).filter((e) => e.isDirectory() && /^\d+\.\d+$/.test(e.name))) {
    for (const entry of entriesOf(path.join(dir, minor.name)).filter((e) => e.name.endsWith('.sql'))) {
      const file = `${minor.name}/${entry.name}`;
      const match = /^(\d+)__(\w+)\.sql$/.exec(entry.name);
      if (match === null) {
        unreadable.push(`${file}: the name does not follow the tool's pattern, so Lifeboat cannot place it.`);
        continue;
      }
      const parts = [...minor.name.split('.').map(BigInt), BigInt(match[1] ?? '0') + 1n];
      files.push({
        id: parts.join('.'),
        order: parts.reduce((sum, part) => sum * 1_000_000n + part, 0n),
        name: (match[2] ?? '').replace(/_+/g, ' ').trim(),
        file,
        // Each file changes the schema of the release before it, and a new database starts from
        // LATEST.sql instead: walking the files from the first one would expect the wrong tables.
        sql: null,
      });
    }
  }
  files.sort((a, b) => compareOrder(a.order, b.order));
  return { files, unreadable };
}

/** Memos: `LATEST.sql` for a new database and a folder per minor release; the version is kept in its settings. */
export const memosAdapter = linearAdapter({
  tool: 'memos',
  bookkeeping: "the BASIC setting's schemaVersion (Memos)",
  folders: ['store/migration', 'migration'],
  list: memosListing,
});

/** Gitea's list in `migrations.go`: `newMigration(70, "add issue_dependencies", v1_6.AddIssueDependencies),`. */
function newMigrationList(dir: string): Listing {
  const source = readSource(path.join(dir, 'migrations.go')) ?? '';
  const files = [...source.matchAll(/^\s*newMigration\(\s*(\d+)\s*,\s*"((?:[^"\\\n]|\\.)*)"/gm)].map(
    (m): MigrationFile => ({
      id: BigInt(m[1] ?? '0').toString(),
      order: BigInt(m[1] ?? '0'),
      name: m[2] ?? '',
      file: 'migrations.go',
      sql: null,
    }),
  );
  files.sort((a, b) => compareOrder(a.order, b.order));
  return { files, unreadable: [] };
}

/**
 * Gitea (Forgejo, Gogs): the migrations are Go functions listed in `models/migrations/migrations.go`;
 * the one-row `version` table holds the last one applied plus one ("DB version").
 */
export const giteaAdapter = linearAdapter({
  tool: 'gitea',
  bookkeeping: 'the version table (Gitea)',
  folders: ['models/migrations'],
  list: newMigrationList,
  read: (db) => {
    const recorded = readRecordedBy(db, 'gitea');
    return recorded === null
      ? null
      : { ...recorded, applied: recorded.applied.map((m) => ({ ...m, id: (BigInt(m.id) - 1n).toString() })) };
  },
});

/**
 * Home Assistant's recorder: `SCHEMA_VERSION = 43` in `db_schema.py`; it migrates one schema version
 * at a time up to it, and `schema_changes` records the newest it reached.
 */
export const homeAssistantAdapter = linearAdapter({
  tool: 'home-assistant',
  bookkeeping: 'the schema_changes table (Home Assistant recorder)',
  folders: ['homeassistant/components/recorder', 'components/recorder', 'recorder'],
  list: (dir) => {
    const constant = /^SCHEMA_VERSION\s*(?::\s*\w+\s*)?=\s*(\d+)\s*(?:#.*)?$/m.exec(
      readSource(path.join(dir, 'db_schema.py')) ?? '',
    );
    const head = Number(constant?.[1] ?? 0);
    const files = Array.from({ length: Math.min(head, 10_000) }, (_, i): MigrationFile => ({
      id: String(i + 1),
      order: BigInt(i + 1),
      name: `schema version ${i + 1}`,
      file: 'db_schema.py',
      sql: null,
    }));
    return { files, unreadable: [] };
  },
});

/** Drizzle's journal (`meta/_journal.json`): each entry's `when` (ms) is its version, its tag its name. */
function drizzleJournal(dir: string): Listing {
  let parsed: { entries?: { when?: unknown; tag?: unknown }[] };
  try {
    parsed = JSON.parse(readSource(path.join(dir, 'meta', '_journal.json')) ?? '{}') as typeof parsed;
  } catch {
    return { files: [], unreadable: ['meta/_journal.json: not valid JSON.'] };
  }
  const files = (parsed.entries ?? []).flatMap((entry): MigrationFile[] => {
    if (typeof entry.when !== 'number' || typeof entry.tag !== 'string' || !/^[\w-]+$/.test(entry.tag)) {
      return [];
    }
    const file = `${entry.tag}.sql`;
    return [
      {
        id: BigInt(entry.when).toString(),
        order: BigInt(entry.when),
        name: entry.tag,
        file,
        sql: readSource(path.join(dir, file)),
      },
    ];
  });
  return { files, unreadable: [] };
}

/** Drizzle records each applied migration with its journal time; its migrator applies every newer one. */
export const drizzleAdapter = linearAdapter({
  tool: 'drizzle',
  bookkeeping: 'the __drizzle_migrations table',
  folders: ['drizzle', 'migrations'],
  list: drizzleJournal,
});

const numberedSql = (dir: string): Listing =>
  listFolder(dir, {
    pattern: /^(\d+)[_-](.+)\.sql$/,
    candidate: /^\d.*\.sql$/,
    accept: (entry) => !/\.(?:up|down)\.sql$/.test(entry),
  });

/**
 * Numbered `.sql` files tracked by `PRAGMA user_version`: the convention of `lifeboat migrate`. A
 * runner whose first file is `0000_…` counts applied files, so file N is applied when user_version > N.
 */
export const userVersionAdapter = linearAdapter({
  tool: 'user-version',
  bookkeeping: 'PRAGMA user_version above 0',
  folders: ['migrations', 'db/migrations', 'sql'],
  list: numberedSql,
  read: (db, files) => {
    const version = userVersion(db);
    if (version <= 0) {
      return null;
    }
    const position = files[0]?.order === 0n ? version - 1 : version;
    return {
      tool: 'user-version',
      applied: [{ id: String(position), name: null, appliedAt: null }],
      positionOnly: true,
      failed: [],
      dirty: [],
      locked: false,
    };
  },
});

/** Numbered `.sql` files tracked in a table and column the user names (`--version-table`, `--version-column`). */
export const tableAdapter = linearAdapter({
  tool: 'table',
  bookkeeping: 'the version table',
  folders: [],
  list: (dir) => listFolder(dir, { pattern: /^(\d+)[_-](.+)\.sql$/, candidate: /^\d.*\.sql$/ }),
  read: (db, _files, source) => {
    const table = source.options?.['table'] ?? 'schema_version';
    const column = source.options?.['column'] ?? 'version';
    if (
      db
        .prepare('SELECT 1 FROM sqlite_schema WHERE type = ? AND name = ? COLLATE NOCASE')
        .get('table', table) === undefined
    ) {
      return null;
    }
    const versions = db
      .prepare(`SELECT ${quotedName(column)} FROM ${quotedName(table)}`)
      .pluck()
      .all();
    const applied = versions.flatMap((v) => {
      const id = versionId(v);
      return id === null ? [] : [{ id, name: null, appliedAt: null }];
    });
    return { tool: 'table', applied, positionOnly: false, failed: [], dirty: [], locked: false };
  },
});
