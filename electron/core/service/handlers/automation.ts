import type { App } from '../../../contract/apps';
import { hasNoRules, type PruneResult, type RetentionRules } from '../../../contract/retention';
import type { Schedule } from '../../../contract/schedule';
import { nextScheduledSnapshot } from '../../schedule/keeper';
import { checkSchedule } from '../../schedule/schedule-times';
import { summarize } from './app-summary';
import type { HandlerContext, Handlers } from './context';
import { runJob } from './jobs';

/** What rules would keep and delete among the app's snapshots now (nothing is deleted). */
export function previewRetention(
  app: App,
  rules: RetentionRules,
  schedule: Schedule | undefined,
): Promise<PruneResult> {
  // With a schedule, what its next run deletes: that run's snapshot comes first and may push one out.
  const planned = schedule === undefined ? null : nextScheduledSnapshot(app.backupsDir, schedule, Date.now());
  return runJob({
    kind: 'prune',
    input: { location: app, rules, dryRun: true, ...(planned === null ? {} : { planned }) },
  });
}

/** An app's schedule, retention and staleness, which the keeper carries out. */
export function automationHandlers(
  ctx: HandlerContext,
): Handlers<'apps:setAutomation' | 'retention:preview'> {
  return {
    'apps:setAutomation': async (input) => {
      const app = ctx.app(input.appId);
      if (input.schedule !== undefined) {
        checkSchedule(input.schedule, ctx.now().getTime());
      }
      // Absent parts are cleared: the dialog sends the whole of what it shows.
      const updated = ctx.updateApp(app.id, (current) => {
        const next: App = { ...current };
        delete next.schedule;
        delete next.retention;
        delete next.staleAfter;
        return {
          ...next,
          ...(input.schedule === undefined ? {} : { schedule: input.schedule }),
          ...(input.retention === undefined || hasNoRules(input.retention)
            ? {}
            : { retention: input.retention }),
          ...(input.staleAfter === undefined ? {} : { staleAfter: input.staleAfter }),
        };
      });
      ctx.keeperPass();
      return summarize(ctx, updated);
    },
    'retention:preview': (input) => previewRetention(ctx.app(input.appId), input.rules, input.schedule),
  };
}
