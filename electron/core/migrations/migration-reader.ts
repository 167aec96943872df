import * as fs from 'node:fs';
import type { MigrationReport, MigrationStatus, MigrationTool } from '../../contract/migrations';
import { LifeboatFailure } from '../lifeboat-failure';
import { openLiveDatabase, openSnapshotFile, type SqliteDatabase } from '../sqlite/open-database';
import { alembicAdapter } from './alembic-adapter';
import { djangoAdapter } from './django-adapter';
import {
  autheliaAdapter,
  dbmateAdapter,
  dieselAdapter,
  drizzleAdapter,
  efCoreAdapter,
  fluentMigratorAdapter,
  flywayAdapter,
  giteaAdapter,
  golangMigrateAdapter,
  gooseAdapter,
  homeAssistantAdapter,
  knexAdapter,
  laravelAdapter,
  memosAdapter,
  pocketbaseAdapter,
  prismaAdapter,
  railsAdapter,
  sequelizeAdapter,
  sqlxAdapter,
  tableAdapter,
  typeormAdapter,
  userVersionAdapter,
} from './linear-adapters';
import { recogniseApp, type RecognisedApp } from './known-apps';
import { liveRecordStatus, recordedGraph, unrecordedAppStatus } from './live-reference';
import type { MigrationAdapter, MigrationSource } from './migration-adapter';
import { migrationStatus, type AppliedState } from './migration-status';
import { readRecorded, type Recorded } from './recorded-migrations';
import { Bookkeeping } from './recorded-bookkeeping';
import { buildGraph, publicGraph, type CodeGraph } from './revision-graph';

/** Every adapter, in the order autodetection tries them (the configurable table only on request). */
export const adapters: readonly MigrationAdapter[] = [
  alembicAdapter,
  djangoAdapter,
  railsAdapter,
  laravelAdapter,
  memosAdapter,
  pocketbaseAdapter,
  prismaAdapter,
  drizzleAdapter,
  flywayAdapter,
  knexAdapter,
  sequelizeAdapter,
  typeormAdapter,
  dieselAdapter,
  efCoreAdapter,
  fluentMigratorAdapter,
  gooseAdapter,
  pocketbaseAdapter,
  autheliaAdapter,
  memosAdapter,
  giteaAdapter,
  homeAssistantAdapter,
  dbmateAdapter,
  golangMigrateAdapter,
  sqlxAdapter,
  userVersionAdapter,
  tableAdapter,
];
const autodetected = adapters.filter((a) => a.tool !== 'table');

export function adapterFor(tool: MigrationTool): MigrationAdapter {
  const adapter = adapters.find((a) => a.tool === tool);
  if (adapter === undefined) {
    throw new LifeboatFailure('INVALID_ARGUMENT', `Lifeboat has no reader for "${tool}".`);
  }
  return adapter;
}

/** How to find an app's migrations: any of these may be given; the rest is detected. */
export interface MigrationSetup {
  /** The app's folder(s), searched in order when no migrations folder is given. */
  readonly appDirs?: readonly string[] | undefined;
  readonly migrationsDir?: string | undefined;
  readonly tool?: MigrationTool | undefined;
  /** For the configurable adapter: where the applied versions are recorded. */
  readonly versionTable?: string | undefined;
  readonly versionColumn?: string | undefined;
  /** The live database: when files fit several tools, the one whose bookkeeping it holds wins. */
  readonly databasePath?: string | undefined;
}

/**
 * The migrations an app uses, or null when none are found. A folder of numbered `.sql` files fits
 * several tools (sqlx, golang-migrate, goose, dbmate, a user_version runner): the tool whose
 * bookkeeping the live database holds wins.
 */
export function findMigrations(
  setup: MigrationSetup,
): { adapter: MigrationAdapter; source: MigrationSource } | null {
  const withOptions = (source: MigrationSource): MigrationSource =>
    source.tool === 'table'
      ? {
          ...source,
          options: {
            table: setup.versionTable ?? 'schema_version',
            column: setup.versionColumn ?? 'version',
          },
        }
      : source;
  if (setup.tool !== undefined) {
    const adapter = adapterFor(setup.tool);
    const source =
      setup.migrationsDir !== undefined
        ? adapter.fromFolder(setup.migrationsDir)
        : ((setup.appDirs ?? []).map((dir) => adapter.detect(dir)).find((s) => s !== null) ?? null);
    if (source === null) {
      throw new LifeboatFailure(
        'INVALID_ARGUMENT',
        `No ${setup.tool} migrations found in ${(setup.appDirs ?? []).join(' or ') || 'the app folder'}: pass --migrations DIR.`,
      );
    }
    return { adapter, source: withOptions(source) };
  }
  if (setup.migrationsDir !== undefined) {
    const dir = setup.migrationsDir;
    if (!fs.existsSync(dir)) {
      throw new LifeboatFailure('INVALID_ARGUMENT', `The migrations folder ${dir} does not exist.`);
    }
    for (const adapter of autodetected) {
      const source = adapter.detect(dir) ?? adapter.fromFolder(dir);
      if (adapter.readGraph(source).revisions.length > 0) {
        return { adapter, source };
      }
    }
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `No migrations Lifeboat can read in ${dir}. Name the tool with --tool.`,
    );
  }
  for (const appDir of setup.appDirs ?? []) {
    const found = autodetected.flatMap((adapter) => {
      const source = adapter.detect(appDir);
      return source === null ? [] : [{ adapter, source }];
    });
    if (found.length > 0) {
      const recorded =
        found.length > 1 && setup.databasePath !== undefined ? recordIfReadable(setup.databasePath) : null;
      return found.find((f) => f.adapter.tool === recorded?.tool) ?? (found[0] as (typeof found)[number]);
    }
  }
  return null;
}

function userTables(db: SqliteDatabase): string[] {
  return db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
    .pluck()
    .all()
    .map(String);
}

/** What a database records about its migrations. `snapshot` opens it immutable (nothing written). */
export function readAppliedState(
  dbPath: string,
  adapter: MigrationAdapter,
  source: MigrationSource,
  how: 'live' | 'snapshot',
): AppliedState {
  if (!fs.existsSync(dbPath) || fs.statSync(dbPath).size === 0) {
    return fs.existsSync(dbPath) ? { kind: 'empty' } : { kind: 'no-database' };
  }
  const db = how === 'live' ? openLiveDatabase(dbPath) : openSnapshotFile(dbPath);
  try {
    const tables = userTables(db);
    const applied = adapter.readApplied(db, tables, source);
    if (tables.length === 0 && applied.kind !== 'stamped') {
      return { kind: 'empty' };
    }
    // Never "unstamped" for one tool when the database holds another tool's record.
    const other = applied.kind === 'unstamped' ? readRecorded(db) : null;
    return other === null ? applied : { kind: 'foreign', tool: other.tool };
  } finally {
    db.close();
  }
}

export interface DatabaseMigrations {
  readonly adapter: MigrationAdapter;
  readonly source: MigrationSource;
  readonly graph: CodeGraph;
  readonly status: MigrationStatus;
}

/** The live database's status against the app's migrations. */
export function liveMigrationStatus(dbPath: string, setup: MigrationSetup): DatabaseMigrations | null {
  const found = findMigrations({ ...setup, databasePath: dbPath });
  if (found === null) {
    return null;
  }
  const graph = found.adapter.readGraph(found.source);
  const applied = readAppliedState(dbPath, found.adapter, found.source, 'live');
  return { ...found, graph, status: migrationStatus(graph, applied, found.adapter) };
}

/**
 * The report `lifeboat status` prints: the graph (without table bookkeeping) and the live status,
 * against the code when it is found, else what the live database records; null when neither is there.
 * It names the app when the database's tables are a known app's.
 */
export function migrationReport(dbPath: string, setup: MigrationSetup): MigrationReport | null {
  const app = appOf(dbPath);
  const named = app === null ? {} : { app: app.name };
  const found = liveMigrationStatus(dbPath, setup);
  if (found !== null) {
    return { database: dbPath, ...named, graph: publicGraph(found.graph), status: found.status };
  }
  const live = readRecordOf(dbPath, 'live');
  if (live !== null) {
    return {
      database: dbPath,
      ...named,
      graph: publicGraph(recordedGraph(live)),
      status: liveRecordStatus(live),
    };
  }
  return app === null
    ? null
    : {
        database: dbPath,
        ...named,
        graph: publicGraph(buildGraph(app.tool, [], [], [])),
        status: unrecordedAppStatus(app),
      };
}

/** The known app whose tables the database has; null when none (or no database). */
function appOf(dbPath: string): RecognisedApp | null {
  if (!fs.existsSync(dbPath) || fs.statSync(dbPath).size === 0) {
    return null;
  }
  const db = openLiveDatabase(dbPath);
  try {
    return recogniseApp(new Bookkeeping(db));
  } finally {
    db.close();
  }
}

/** What a database records about its migrations, by any tool; null when it has no file or no record. */
export function readRecordOf(dbPath: string, how: 'live' | 'snapshot'): Recorded | null {
  if (!fs.existsSync(dbPath) || fs.statSync(dbPath).size === 0) {
    return null;
  }
  const db = how === 'live' ? openLiveDatabase(dbPath) : openSnapshotFile(dbPath);
  try {
    return readRecorded(db);
  } finally {
    db.close();
  }
}

/** A database's record, or null when it has none or cannot be read (nothing to compare with then). */
export function recordIfReadable(dbPath: string, how: 'live' | 'snapshot' = 'live'): Recorded | null {
  try {
    return readRecordOf(dbPath, how);
  } catch {
    return null;
  }
}
