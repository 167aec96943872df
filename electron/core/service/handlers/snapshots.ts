import * as fs from 'node:fs';
import * as path from 'node:path';
import type { App } from '../../../contract/apps';
import type { RowsQuery } from '../../browse/table-rows';
import { sideOf } from '../../diff/diff-databases';
import { LifeboatFailure } from '../../lifeboat-failure';
import { databaseStem } from '../../snapshot-name';
import { resolveSnapshotPath } from '../../snapshot/resolve-snapshot';
import { deleteVerb, diffVerb, listVerb, pinVerb, snapshotVerb, verifyVerb } from '../../verbs/app-verbs';
import { appFileOf, migrationSetupOf, verbTarget } from './app-files';
import type { HandlerContext, Handlers } from './context';
import { runJob } from './jobs';

function rowsQueryOf(
  app: App,
  input: {
    source: string;
    table?: string | undefined;
    filter: string;
    orderBy?: string | undefined;
    descending: boolean;
  },
): RowsQuery {
  return {
    side: sideOf(app, input.source, app.backupsDir),
    table: input.table ?? null,
    filter: input.filter,
    orderBy: input.orderBy ?? null,
    descending: input.descending,
  };
}

/** A new file the user named for an export or a copy: a full path, in a folder the web host may reach, not there yet. */
function newFileTarget(ctx: HandlerContext, target: string, what: string): string {
  if (!path.isAbsolute(target)) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `"${target}" is a relative path: give the full path of the new file.`,
    );
  }
  ctx.boundary?.requireAllowed(path.dirname(target), `${what}'s folder`);
  if (fs.existsSync(target)) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `${target} already exists: choose a new file name. Nothing was written.`,
      target,
    );
  }
  if (!fs.existsSync(path.dirname(target))) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `The folder ${path.dirname(target)} does not exist.`,
      target,
    );
  }
  return target;
}

/** An app's snapshots: taking, listing, checking, comparing and browsing them, and copying data out of them. */
export function snapshotHandlers(
  ctx: HandlerContext,
): Handlers<
  | 'snapshots:list'
  | 'snapshots:inspect'
  | 'snapshots:create'
  | 'snapshots:verify'
  | 'snapshots:delete'
  | 'snapshots:pin'
  | 'snapshots:diff'
  | 'snapshots:rows'
  | 'snapshots:export'
  | 'snapshots:copy'
> {
  return {
    'snapshots:list': (input) => {
      const app = ctx.app(input.appId);
      const { file } = appFileOf(app);
      const offsiteTargets = ctx.automationOf(app, file).automation.offsite.targets.map((t) => t.name);
      return runJob(listVerb(verbTarget(app), migrationSetupOf(app), offsiteTargets));
    },
    'snapshots:inspect': (input) => {
      const app = ctx.app(input.appId);
      const filePath = resolveSnapshotPath(app.backupsDir, input.file, app.backupsDir);
      return runJob({
        kind: 'inspect',
        input: {
          backupsDir: app.backupsDir,
          path: filePath,
          liveStem: databaseStem(path.basename(app.databasePath)),
        },
      });
    },
    'snapshots:create': (input) => {
      const app = ctx.app(input.appId);
      ctx.refuseIfRestoring(app);
      return Promise.resolve(ctx.startUiJob('snapshot', app.id, snapshotVerb(verbTarget(app), input)));
    },
    'snapshots:verify': (input) => {
      const app = ctx.app(input.appId);
      return Promise.resolve(ctx.startUiJob('verify', app.id, verifyVerb(verbTarget(app), input.files)));
    },
    'snapshots:delete': async (input) => {
      const request = deleteVerb(verbTarget(ctx.app(input.appId)), [input.file]);
      const liveDatabases = ctx.settings.apps.map((app) => app.databasePath);
      request.input.paths.forEach((p) => ctx.boundary?.requireSnapshotToDelete(p, liveDatabases));
      await runJob(request, ctx.origin);
      return { deleted: input.file };
    },
    'snapshots:pin': async (input) => {
      const target = verbTarget(ctx.app(input.appId));
      await runJob(pinVerb(target, [input.file], input.pinned), ctx.origin);
      return { file: input.file, pinned: input.pinned };
    },
    'snapshots:diff': (input) => {
      const app = ctx.app(input.appId);
      const request = diffVerb(verbTarget(app), input.a, input.b, input.table);
      return Promise.resolve(ctx.startUiJob('diff', app.id, request));
    },
    'snapshots:rows': (input) => {
      const app = ctx.app(input.appId);
      const { offset, limit } = input;
      return runJob({ kind: 'rows', input: { ...rowsQueryOf(app, input), offset, limit } });
    },
    'snapshots:export': (input) => {
      const app = ctx.app(input.appId);
      const target = newFileTarget(ctx, input.path, 'The export');
      return Promise.resolve(
        ctx.startUiJob('export', app.id, {
          kind: 'export',
          input: { ...rowsQueryOf(app, input), format: input.format, target },
        }),
      );
    },
    'snapshots:copy': (input) => {
      const app = ctx.app(input.appId);
      const target = newFileTarget(ctx, input.path, 'The copy');
      const snapshotPath = resolveSnapshotPath(app.backupsDir, input.file, app.backupsDir);
      return Promise.resolve(
        ctx.startUiJob('copy', app.id, { kind: 'copy', input: { snapshotPath, target } }),
      );
    },
  };
}
