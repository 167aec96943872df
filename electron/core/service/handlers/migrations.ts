import * as path from 'node:path';
import type { App } from '../../../contract/apps';
import { LifeboatFailure } from '../../lifeboat-failure';
import { findMigrations } from '../../migrations/migration-reader';
import { migrationSetupOf } from './app-files';
import { summarize } from './app-summary';
import type { HandlerContext, Handlers } from './context';
import { runJob } from './jobs';

/** An app's migrations: where they are, and how far its database is along them. */
export function migrationHandlers(ctx: HandlerContext): Handlers<'apps:setMigrations' | 'migrations:status'> {
  return {
    'apps:setMigrations': async (input) => {
      const app = ctx.app(input.appId);
      let migrations: App['migrations'];
      if (input.dir === undefined || input.dir === '') {
        migrations = undefined;
      } else {
        if (!path.isAbsolute(input.dir)) {
          throw new LifeboatFailure(
            'INVALID_ARGUMENT',
            `"${input.dir}" is a relative path: give the full path of the migrations folder.`,
          );
        }
        ctx.boundary?.requireAllowed(input.dir, 'The migrations folder');
        // Refuse a folder with nothing readable in it, rather than keep a setting that shows nothing.
        const found = findMigrations({ migrationsDir: input.dir, tool: input.tool });
        if (found === null || found.adapter.readGraph(found.source).revisions.length === 0) {
          const what = input.tool === undefined ? 'migrations' : `${input.tool} migrations`;
          throw new LifeboatFailure(
            'INVALID_ARGUMENT',
            `No ${what} found in ${input.dir}: choose the folder that holds the migration files (for Alembic, the one with alembic.ini).`,
          );
        }
        migrations = { dir: input.dir, tool: found.source.tool };
      }
      if (app.migrations === undefined && migrations === undefined) {
        return summarize(ctx, app);
      }
      const updated = ctx.updateApp(app.id, (current) => {
        const next: App = { ...current };
        delete next.migrations;
        return migrations === undefined ? next : { ...next, migrations };
      });
      return summarize(ctx, updated);
    },
    'migrations:status': async (input) => {
      const app = ctx.app(input.appId);
      return (
        await runJob({
          kind: 'migrations',
          input: { databasePath: app.databasePath, setup: migrationSetupOf(app) },
        })
      ).report;
    },
  };
}
