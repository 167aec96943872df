import type { MigrationTool } from '../../contract/migrations';
import type { SqliteDatabase } from '../sqlite/open-database';
import type { AheadTest, AppliedState } from './migration-status';
import type { CodeGraph } from './revision-graph';

/** Where an app's migrations are, for one tool. */
export interface MigrationSource {
  readonly tool: MigrationTool;
  /** Folders (or, for some tools, files) that hold the migrations. */
  readonly locations: readonly string[];
  /** Tool-specific settings, e.g. the version table of the configurable adapter. */
  readonly options?: Readonly<Record<string, string>>;
}

/** One migration tool: how to find its migrations, read them, and read what a database applied. */
export interface MigrationAdapter {
  readonly tool: MigrationTool;
  /** This tool's migrations in an app folder, or null when the app does not use it. */
  detect(appDir: string): MigrationSource | null;
  /** The tool's migrations in a folder named explicitly (`--migrations DIR`). */
  fromFolder(dir: string): MigrationSource;
  readGraph(source: MigrationSource): CodeGraph;
  /** What a database with user tables records; `unstamped` when it has none of the tool's tables. */
  readApplied(db: SqliteDatabase, tables: readonly string[], source: MigrationSource): AppliedState;
  readonly isAhead: AheadTest;
  /** How the tool records applied migrations, for messages ("an alembic_version table"). */
  readonly bookkeeping: string;
}

/** Never ahead: for tools whose ids carry no order (Alembic's hashes). */
export const neverAhead: AheadTest = () => false;
