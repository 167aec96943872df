import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AppCommand, AppRun, CommandOrigin } from '../../contract/app-run';
import type { MigrationTool } from '../../contract/migrations';
import { projectVirtualenvs } from '../migrations/django-adapter';
import { findMigrations, type MigrationSetup } from '../migrations/migration-reader';
import type { MigrationAdapter, MigrationSource } from '../migrations/migration-adapter';
import type { CodeGraph } from '../migrations/revision-graph';
import { appCommandUser, lifeboatUser, type RunUser } from './command-user';

/** The app a restore works for. */
export interface AppSettings {
  readonly dir: string;
  readonly run: AppRun | null;
  /** The lifeboat.json `run` was read from; null when it is Lifeboat's own settings (or there is none). */
  readonly runFile: string | null;
  readonly migrations: MigrationSetup | null;
}

/** One command to run: what, where it comes from, and as whom. */
export interface PlannedCommand {
  readonly command: AppCommand;
  readonly origin: CommandOrigin;
  readonly user: RunUser;
}

/** The upgrade Lifeboat runs by itself, without a command: its own runner for numbered SQL files. */
export type Upgrade = PlannedCommand | 'built-in';

/** What a restore does around the swap: the app's commands and its migrations. */
export interface AppPlan {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly stop: PlannedCommand | null;
  readonly start: PlannedCommand | null;
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

/** The python of the project's virtualenv, as the migration reader finds it; python3 from PATH without one. */
function projectPython(cwd: string): string {
  return (
    projectVirtualenvs(cwd)
      .map((venv) => path.join(venv, 'bin', 'python'))
      .find((python) => fs.existsSync(python)) ?? 'python3'
  );
}

/** Each tool's own upgrade command, run in the app folder (`cwd`). */
function defaultUpgrade(tool: MigrationTool, cwd: string): AppCommand | 'built-in' | null {
  switch (tool) {
    case 'alembic':
      return { argv: ['alembic', 'upgrade', 'head'] };
    case 'django':
      return { argv: [projectPython(cwd), 'manage.py', 'migrate'] };
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

/** The tool's own upgrade, run as the app's other commands are. */
function toolUpgrade(tool: MigrationTool, cwd: string, user: RunUser): Upgrade | null {
  const command = defaultUpgrade(tool, cwd);
  return command === null || command === 'built-in'
    ? command
    : { command, origin: { kind: 'default', tool }, user };
}

/** The commands Lifeboat composes for a preset; null when the settings chose none. */
function presetCommands(
  run: AppRun | null,
): { preset: 'docker-compose' | 'systemd'; stop: AppCommand; start: AppCommand } | null {
  const service = run?.service ?? '';
  switch (run?.preset) {
    case 'docker-compose':
      return {
        preset: run.preset,
        stop: { argv: ['docker', 'compose', 'stop', service] },
        start: { argv: ['docker', 'compose', 'start', service] },
      };
    case 'systemd':
      return {
        preset: run.preset,
        stop: { argv: ['systemctl', 'stop', service] },
        start: { argv: ['systemctl', 'start', service] },
      };
    case 'manual':
    case 'commands':
    case undefined:
      return null;
  }
}

/**
 * Puts together how to run the app around a restore, from its settings and its migrations: each
 * command with where it comes from and the user it runs as (see command-user.ts).
 */
export function planApp(app: AppSettings, databasePath: string): AppPlan {
  const { run, runFile } = app;
  const found = app.migrations === null ? null : findMigrations(app.migrations);
  const migrations = found === null ? null : { ...found, graph: found.adapter.readGraph(found.source) };
  const appUser = appCommandUser(databasePath, run?.runAs ?? 'app');
  const fromSettings = (command: AppCommand | undefined): PlannedCommand | null =>
    command === undefined ? null : { command, origin: { kind: 'setting', file: runFile }, user: appUser };
  const preset = presetCommands(run);
  // A preset's commands are Lifeboat's, not the app's code: they drive Docker or systemd, which needs Lifeboat's rights.
  const fromPreset = (which: 'stop' | 'start'): PlannedCommand | null =>
    preset === null
      ? null
      : {
          command: preset[which],
          origin: { kind: 'preset', preset: preset.preset, file: runFile },
          user: lifeboatUser('preset'),
        };
  const seconds = (value: number | undefined, fallback: number): number => (value ?? fallback) * 1000;
  const cwd = run?.workingDir === undefined ? app.dir : `${app.dir}/${run.workingDir}`;
  return {
    cwd,
    env: run?.env ?? {},
    stop: fromSettings(run?.stop) ?? fromPreset('stop'),
    start: fromSettings(run?.start) ?? fromPreset('start'),
    upgrade:
      fromSettings(run?.upgrade) ??
      (migrations === null ? null : toolUpgrade(migrations.source.tool, cwd, appUser)),
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
