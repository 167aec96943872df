import type { AppCommand, AppRun } from '../../contract/app-run';
import type { MigrationTool } from '../../contract/migrations';
import { findMigrations, type MigrationSetup } from '../migrations/migration-reader';
import type { MigrationAdapter, MigrationSource } from '../migrations/migration-adapter';
import type { CodeGraph } from '../migrations/revision-graph';

/** The upgrade Lifeboat runs by itself, without a command: its own runner for numbered SQL files. */
export type Upgrade = AppCommand | 'built-in';

/** What a restore does around the swap: the app's commands and its migrations. */
export interface AppPlan {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly stop: AppCommand | null;
  readonly start: AppCommand | null;
  readonly upgrade: Upgrade | null;
  /** The upgrade command works on the database in $LIFEBOAT_DATABASE_URL: a rehearsal can run it on a copy. */
  readonly upgradeUsesLifeboatDatabase: boolean;
  readonly healthUrl: string | null;
  readonly smokeQueries: readonly string[];
  readonly timeoutsMs: {
    readonly stop: number;
    readonly start: number;
    readonly upgrade: number;
    readonly health: number;
  };
  readonly migrations: {
    readonly adapter: MigrationAdapter;
    readonly source: MigrationSource;
    readonly graph: CodeGraph;
  } | null;
}

/** Each tool's own upgrade command, run in the app folder. */
function defaultUpgrade(tool: MigrationTool): Upgrade | null {
  switch (tool) {
    case 'alembic':
      return { argv: ['alembic', 'upgrade', 'head'] };
    case 'django':
      return { argv: ['python3', 'manage.py', 'migrate'] };
    case 'knex':
      return { argv: ['npx', 'knex', 'migrate:latest'] };
    case 'rails':
      return { argv: ['bin/rails', 'db:migrate'] };
    case 'prisma':
      return { argv: ['npx', 'prisma', 'migrate', 'deploy'] };
    case 'drizzle':
      return { argv: ['npx', 'drizzle-kit', 'migrate'] };
    case 'flyway':
      return { argv: ['flyway', 'migrate'] };
    case 'sqlx':
      return { argv: ['sqlx', 'migrate', 'run'] };
    case 'user-version':
    case 'table':
      return 'built-in';
    case 'laravel':
      return { argv: ['php', 'artisan', 'migrate', '--force'] };
    case 'sequelize':
      return { argv: ['npx', 'sequelize-cli', 'db:migrate'] };
    case 'golang-migrate':
    case 'goose':
    case 'dbmate':
    case 'diesel':
    case 'typeorm':
    case 'ef-core':
    case 'fluentmigrator':
    case 'pocketbase':
    case 'authelia':
    case 'memos':
    case 'gitea':
    case 'home-assistant':
      // They need the database URL, a data source or a build of the app (most such apps migrate when
      // they start): the app's settings must say the command.
      return null;
  }
}

function presetCommands(run: AppRun): { stop: AppCommand | null; start: AppCommand | null } {
  const service = run.service ?? '';
  switch (run.preset) {
    case 'docker-compose':
      return {
        stop: { argv: ['docker', 'compose', 'stop', service] },
        start: { argv: ['docker', 'compose', 'start', service] },
      };
    case 'systemd':
      return {
        stop: { argv: ['systemctl', 'stop', service] },
        start: { argv: ['systemctl', 'start', service] },
      };
    case 'manual':
    case 'commands':
      return { stop: null, start: null };
  }
}

/** Puts together how to run the app around a restore, from its settings and its migrations. */
export function planApp(appDir: string, run: AppRun | null, setup: MigrationSetup | null): AppPlan {
  const found = setup === null ? null : findMigrations(setup);
  const migrations = found === null ? null : { ...found, graph: found.adapter.readGraph(found.source) };
  const preset = run === null ? { stop: null, start: null } : presetCommands(run);
  const seconds = (value: number | undefined, fallback: number): number => (value ?? fallback) * 1000;
  return {
    cwd: run?.workingDir === undefined ? appDir : `${appDir}/${run.workingDir}`,
    env: run?.env ?? {},
    stop: run?.stop ?? preset.stop,
    start: run?.start ?? preset.start,
    upgrade: run?.upgrade ?? (migrations === null ? null : defaultUpgrade(migrations.source.tool)),
    upgradeUsesLifeboatDatabase: run?.upgradeUsesLifeboatDatabase ?? false,
    healthUrl: run?.healthUrl ?? null,
    smokeQueries: run?.smokeQueries ?? [],
    timeoutsMs: {
      stop: seconds(run?.timeouts.stopSeconds, 60),
      start: seconds(run?.timeouts.startSeconds, 60),
      upgrade: seconds(run?.timeouts.upgradeSeconds, 600),
      health: seconds(run?.timeouts.healthSeconds, 60),
    },
    migrations,
  };
}
