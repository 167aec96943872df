import * as fs from 'node:fs';
import type { MigrationReport, MigrationStatus, MigrationTool } from '../../contract/migrations';
import { LifeboatFailure } from '../lifeboat-failure';
import { openLiveDatabase, openSnapshotFile, type SqliteDatabase } from '../sqlite/open-database';
import { alembicAdapter } from './alembic-adapter';
import { djangoAdapter } from './django-adapter';
import { drizzleAdapter, flywayAdapter, golangMigrateAdapter, knexAdapter, prismaAdapter, railsAdapter, sqlxAdapter, tableAdapter, userVersionAdapter } from './linear-adapters';
import type { MigrationAdapter, MigrationSource } from './migration-adapter';
import { migrationStatus, type AppliedState } from './migration-status';
import { publicGraph, type CodeGraph } from './revision-graph';

/** Every adapter, in the order autodetection tries them (the configurable table only on request). */
export const adapters: readonly MigrationAdapter[] = [alembicAdapter, djangoAdapter, railsAdapter, prismaAdapter, drizzleAdapter, flywayAdapter, knexAdapter, golangMigrateAdapter, sqlxAdapter, userVersionAdapter, tableAdapter];
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
}

/** The migrations an app uses, or null when none are found. */
export function findMigrations(setup: MigrationSetup): { adapter: MigrationAdapter; source: MigrationSource } | null {
  const withOptions = (source: MigrationSource): MigrationSource =>
    source.tool === 'table' ? { ...source, options: { table: setup.versionTable ?? 'schema_version', column: setup.versionColumn ?? 'version' } } : source;
  if (setup.tool !== undefined) {
    const adapter = adapterFor(setup.tool);
    const source =
      setup.migrationsDir !== undefined ? adapter.fromFolder(setup.migrationsDir) : ((setup.appDirs ?? []).map((dir) => adapter.detect(dir)).find((s) => s !== null) ?? null);
    if (source === null) {
      throw new LifeboatFailure('INVALID_ARGUMENT', `No ${setup.tool} migrations found in ${(setup.appDirs ?? []).join(' or ') || 'the app folder'}: pass --migrations DIR.`);
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
    throw new LifeboatFailure('INVALID_ARGUMENT', `No migrations Lifeboat can read in ${dir}. Name the tool with --tool.`);
  }
  for (const appDir of setup.appDirs ?? []) {
    for (const adapter of autodetected) {
      const source = adapter.detect(appDir);
      if (source !== null) {
        return { adapter, source };
      }
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
export function readAppliedState(dbPath: string, adapter: MigrationAdapter, source: MigrationSource, how: 'live' | 'snapshot'): AppliedState {
  if (!fs.existsSync(dbPath) || fs.statSync(dbPath).size === 0) {
    return fs.existsSync(dbPath) ? { kind: 'empty' } : { kind: 'no-database' };
  }
  const db = how === 'live' ? openLiveDatabase(dbPath) : openSnapshotFile(dbPath);
  try {
    const tables = userTables(db);
    const applied = adapter.readApplied(db, tables, source);
    return tables.length === 0 && applied.kind !== 'stamped' ? { kind: 'empty' } : applied;
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
  const found = findMigrations(setup);
  if (found === null) {
    return null;
  }
  const graph = found.adapter.readGraph(found.source);
  const applied = readAppliedState(dbPath, found.adapter, found.source, 'live');
  return { ...found, graph, status: migrationStatus(graph, applied, found.adapter) };
}

/** The report `lifeboat status` prints: the graph (without table bookkeeping) and the live status. */
export function migrationReport(dbPath: string, setup: MigrationSetup): MigrationReport | null {
  const found = liveMigrationStatus(dbPath, setup);
  return found === null ? null : { database: dbPath, graph: publicGraph(found.graph), status: found.status };
}

/** Which tool's bookkeeping a database has (to say so when the app's migrations were not found). */
export function recognizeTool(dbPath: string): MigrationTool | null {
  if (!fs.existsSync(dbPath) || fs.statSync(dbPath).size === 0) {
    return null;
  }
  const db = openLiveDatabase(dbPath);
  try {
    const tables = new Set(userTables(db));
    return autodetected.find((adapter) => adapter.recognizes(tables, db))?.tool ?? null;
  } finally {
    db.close();
  }
}
