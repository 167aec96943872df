import * as fs from 'node:fs';
import * as path from 'node:path';
import type { App } from '../../../contract/apps';
import { runSetsCommands } from '../../../contract/app-run';
import { parseAbsoluteDatabaseArgument } from '../../database-location';
import { demoAppName } from '../../demo/create-demo';
import { LifeboatFailure } from '../../lifeboat-failure';
import { appSettingsFileName } from '../../settings/app-settings-file';
import { databaseStem } from '../../snapshot-name';
import { readSqliteHeaderSync } from '../../sqlite/sqlite-header';
import { appDirOf } from './app-files';
import { summarize } from './app-summary';
import type { HandlerContext, Handlers } from './context';
import { runJob } from './jobs';
import { isInside } from './web-boundary';

// Database file stems that say nothing about the app: the folder's name is a better default name.
const genericStems = new Set([
  'app',
  'db',
  'data',
  'database',
  'sqlite',
  'main',
  'prod',
  'production',
  'db.sqlite3',
]);

/** Whether this host sets an app's commands for its user: never through a plain web host's token. */
function mayEditCommands(ctx: HandlerContext): boolean {
  return !ctx.limited;
}

/** The apps: listing, adding and removing them, where they are and how they run, the demo. */
export function appHandlers(
  ctx: HandlerContext,
): Handlers<'apps:list' | 'apps:add' | 'apps:remove' | 'apps:setRun' | 'demo:open' | 'database:info'> {
  return {
    'apps:list': async () => {
      const [apps, hostApps] = await Promise.all([
        Promise.all(ctx.settings.apps.map((app) => summarize(ctx, app))),
        ctx.hub?.apps() ?? [],
      ]);
      return {
        apps: [...apps, ...hostApps],
        settingsProblem: ctx.settings.problem,
        hosts: ctx.hub?.statuses() ?? [],
        host: {
          editOffsite: !ctx.limited,
          keepsKeys: !ctx.limited && ctx.secrets.writable,
          editHosts: !ctx.limited && ctx.hub !== null,
          editCommands: mayEditCommands(ctx),
          admin: ctx.origin === 'web' && !ctx.limited,
        },
      };
    },
    'apps:add': async (input) => {
      const databasePath = parseAbsoluteDatabaseArgument(input.database);
      ctx.boundary?.requireAllowed(databasePath, 'The database');
      if (fs.existsSync(databasePath)) {
        const stat = fs.statSync(databasePath);
        if (!stat.isFile() || (stat.size > 0 && readSqliteHeaderSync(databasePath).kind !== 'sqlite')) {
          throw new LifeboatFailure(
            'NOT_A_DATABASE',
            `${databasePath} is not an SQLite database. Choose the app's database file (often app.db, db.sqlite3 or data.db).`,
            databasePath,
          );
        }
      }
      const backupsDir =
        input.backupsDir === undefined || input.backupsDir === ''
          ? path.join(path.dirname(databasePath), 'backups')
          : parseAbsoluteDatabaseArgument(input.backupsDir);
      ctx.boundary?.requireAllowed(databasePath, 'The database');
      ctx.boundary?.requireAllowed(backupsDir, 'The backups folder');
      const folder = path.dirname(databasePath);
      if (!fs.existsSync(folder) && input.allowMissingFolder !== true) {
        throw new LifeboatFailure(
          'DB_NOT_FOUND',
          `The folder ${folder} does not exist: check the path (a typo, or a volume that is not mounted). If the app will create it, add the app anyway.`,
          folder,
        );
      }
      if (fs.existsSync(backupsDir) && !fs.statSync(backupsDir).isDirectory()) {
        throw new LifeboatFailure(
          'IO_ERROR',
          `${backupsDir} is a file, not a folder: choose a folder for the snapshots (it is made if it does not exist).`,
          backupsDir,
        );
      }
      const stem = databaseStem(path.basename(databasePath));
      const fallbackName = genericStems.has(stem.toLowerCase())
        ? path.basename(path.dirname(databasePath)) || stem
        : stem;
      const app = ctx.addApp(
        { databasePath, backupsDir },
        input.name === undefined || input.name === '' ? fallbackName : input.name,
      );
      return summarize(ctx, app);
    },
    'apps:remove': (input) => {
      const app = ctx.app(input.appId);
      ctx.settings.update((s) => ({ ...s, apps: s.apps.filter((a) => a.id !== app.id) }));
      ctx.unfollow(app.id);
      return Promise.resolve({ removed: app.id });
    },
    'apps:setRun': (input) => {
      const app = ctx.app(input.appId);
      if (input.appDir !== undefined && input.appDir !== '' && !path.isAbsolute(input.appDir)) {
        throw new LifeboatFailure(
          'INVALID_ARGUMENT',
          `"${input.appDir}" is a relative path: give the full path of the app's folder.`,
        );
      }
      const run = input.run;
      const appDir = input.appDir !== undefined && input.appDir !== '' ? input.appDir : appDirOf(app);
      if (input.appDir !== undefined && input.appDir !== '') {
        ctx.boundary?.requireAllowed(input.appDir, "The app's folder");
      }
      if (run?.workingDir !== undefined && !isInside(path.resolve(appDir, run.workingDir), appDir)) {
        throw new LifeboatFailure(
          'INVALID_ARGUMENT',
          `The working folder "${run.workingDir}" leads out of the app's folder ${appDir}: give a folder inside it.`,
        );
      }
      if (run !== undefined) {
        ctx.boundary?.requireRunAllowed(run, appDir, app.run);
      }
      if (run !== undefined && runSetsCommands(run) && !mayEditCommands(ctx)) {
        // Whoever holds the web host's token must not gain a shell on the server through it.
        throw new LifeboatFailure(
          'INVALID_ARGUMENT',
          `Commands and environment variables cannot be set through lifeboat serve: write them in ${appSettingsFileName} in the app's folder on the server, or use the desktop app.`,
        );
      }
      // Absent fields go back to their defaults: the database's folder, no run settings.
      const updated = ctx.updateApp(app.id, (current) => {
        const next: App = { ...current };
        delete next.appDir;
        delete next.run;
        return {
          ...next,
          ...(input.appDir !== undefined && input.appDir !== '' ? { appDir: input.appDir } : {}),
          ...(input.run !== undefined ? { run: input.run } : {}),
        };
      });
      return summarize(ctx, updated);
    },
    'demo:open': async () => {
      const location = await runJob({ kind: 'demo', input: { dataDir: ctx.dataDir } });
      return summarize(ctx, ctx.addApp(location, demoAppName));
    },
    'database:info': (input) => runJob({ kind: 'info', input: ctx.app(input.appId) }),
  };
}
