import * as path from 'node:path';
import type { App } from '../../../contract/apps';
import type { OffsiteTarget } from '../../../contract/offsite';
import { LifeboatFailure } from '../../lifeboat-failure';
import { thisHost } from '../../offsite/remote-snapshots';
import { parseTargetUrl, type ResolvedTarget } from '../../offsite/target-url';
import { resolveSnapshotPath } from '../../snapshot/resolve-snapshot';
import { appFileOf, settingsHomeOf } from './app-files';
import { summarize } from './app-summary';
import type { HandlerContext, Handlers } from './context';
import { runJob } from './jobs';

/** The app's targets in effect (its lifeboat.json's, then those in Lifeboat's settings), ready to use. */
function targetsOf(ctx: HandlerContext, app: App): { targets: readonly OffsiteTarget[]; app: string } {
  const { file, problem } = appFileOf(app);
  if (problem !== null) {
    throw new LifeboatFailure('INVALID_ARGUMENT', problem);
  }
  return ctx.automationOf(app, file).automation.offsite;
}

function targetOf(ctx: HandlerContext, app: App, name: string): ResolvedTarget {
  const target = targetsOf(ctx, app).targets.find((t) => t.name === name);
  if (target === undefined) {
    throw new LifeboatFailure('INVALID_ARGUMENT', `${app.name} has no offsite target named "${name}".`);
  }
  return ctx.resolveTarget(target);
}

/** An app's offsite targets: setting them, pushing snapshots there, listing and pulling them back. */
export function offsiteHandlers(
  ctx: HandlerContext,
): Handlers<'apps:setOffsite' | 'offsite:push' | 'offsite:list' | 'offsite:pull'> {
  return {
    'apps:setOffsite': async (input) => {
      const app = ctx.app(input.appId);
      if (ctx.limited) {
        // A token holder must not be able to send the app's data somewhere new.
        throw new LifeboatFailure(
          'INVALID_ARGUMENT',
          `Offsite targets cannot be set through lifeboat serve: list them under "offsite" in ${settingsHomeOf(app).path} on the server, start it with --admin, or use the desktop app.`,
        );
      }
      const names = new Set<string>();
      for (const target of input.targets) {
        parseTargetUrl(target.url);
        if (names.has(target.name)) {
          throw new LifeboatFailure(
            'INVALID_ARGUMENT',
            `Two offsite targets are named "${target.name}": name each once.`,
          );
        }
        names.add(target.name);
      }
      for (const [name, keys] of Object.entries(input.keys)) {
        ctx.secrets.set(name, keys);
      }
      const updated = ctx.updateApp(app.id, (current) => {
        const next: App = { ...current };
        delete next.offsite;
        return input.targets.length === 0 ? next : { ...next, offsite: input.targets };
      });
      return summarize(ctx, updated);
    },
    'offsite:push': (input) => {
      const app = ctx.app(input.appId);
      const offsite = targetsOf(ctx, app);
      const targets = offsite.targets.map((t) => ctx.resolveTarget(t));
      if (targets.length === 0) {
        throw new LifeboatFailure(
          'INVALID_ARGUMENT',
          `${app.name} has no offsite target yet: add one in its Offsite settings.`,
        );
      }
      const files = input.files.map((file) =>
        path.basename(resolveSnapshotPath(app.backupsDir, file, app.backupsDir)),
      );
      return Promise.resolve(
        ctx.startUiJob('push', app.id, {
          kind: 'push',
          input: { location: app, host: thisHost(), app: offsite.app, targets, files },
        }),
      );
    },
    'offsite:list': (input) => {
      const app = ctx.app(input.appId);
      const target = targetOf(ctx, app, input.target);
      const scope = input.allHosts
        ? { host: null, app: null }
        : { host: thisHost(), app: targetsOf(ctx, app).app };
      return runJob({ kind: 'remote-list', input: { target, scope } });
    },
    'offsite:pull': (input) => {
      const app = ctx.app(input.appId);
      ctx.refuseIfRestoring(app);
      const target = targetOf(ctx, app, input.target);
      const scope = { host: thisHost(), app: targetsOf(ctx, app).app };
      return Promise.resolve(
        ctx.startUiJob('pull', app.id, {
          kind: 'pull',
          input: { location: app, target, id: input.id, scope, identities: input.identities },
        }),
      );
    },
  };
}
