import type { App } from '../../../contract/apps';
import type { JobRequestOf } from '../../jobs/job-requests';
import { LifeboatFailure } from '../../lifeboat-failure';
import { previewVerb, recoverVerb, rehearseVerb, restoreVerb, undoSnapshot } from '../../verbs/app-verbs';
import { interruptedRestoreOf, verbTarget } from './app-files';
import type { HandlerContext, Handlers } from './context';
import { runJob } from './jobs';

function startRestore(ctx: HandlerContext, app: App, request: JobRequestOf<'restore'>): { jobId: string } {
  ctx.refuseIfRestoring(app);
  if (interruptedRestoreOf(app) !== null) {
    throw new LifeboatFailure(
      'RESTORE_IN_PROGRESS',
      `A restore of ${app.name} was interrupted: finish it or roll it back first.`,
    );
  }
  return ctx.startUiJob('restore', app.id, request);
}

/** Restoring a snapshot over the live database, rehearsing it first, and undoing or recovering one. */
export function restoreHandlers(
  ctx: HandlerContext,
): Handlers<'restore:preview' | 'restore:start' | 'restore:undo' | 'restore:rehearse' | 'restore:recover'> {
  return {
    'restore:preview': (input) => {
      return runJob(previewVerb(verbTarget(ctx.app(input.appId)), input.file, input.undo));
    },
    'restore:start': (input) => {
      const app = ctx.app(input.appId);
      return Promise.resolve(
        startRestore(
          ctx,
          app,
          restoreVerb(verbTarget(app), input.file, { allowOpen: input.allowOpen, undo: false }),
        ),
      );
    },
    'restore:undo': (input) => {
      const app = ctx.app(input.appId);
      const target = verbTarget(app);
      // The snapshot the user saw as the undo: refused if another restore happened since.
      const snapshot = undoSnapshot(target, input.file);
      return Promise.resolve(
        startRestore(ctx, app, restoreVerb(target, snapshot, { allowOpen: false, undo: true })),
      );
    },
    'restore:rehearse': (input) => {
      const app = ctx.app(input.appId);
      return Promise.resolve(ctx.startUiJob('rehearse', app.id, rehearseVerb(verbTarget(app), input.file)));
    },
    'restore:recover': (input) => {
      const app = ctx.app(input.appId);
      ctx.refuseIfRestoring(app);
      const request = recoverVerb(verbTarget(app), input.mode, false);
      return Promise.resolve(ctx.startUiJob('restore-recover', app.id, request));
    },
  };
}
