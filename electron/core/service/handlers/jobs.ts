import type { ActivityOrigin } from '../../../contract/activity';
import { readActivity } from '../../activity/activity-log';
import { startJob } from '../../jobs/job-runner';
import type { JobKind, JobOutputs, JobRequestOf } from '../../jobs/job-requests';
import { valueOrThrow } from '../../lifeboat-failure';
import type { HandlerContext, Handlers } from './context';

/** Runs a job to its end; with `origin`, it is written to the activity log. */
export async function runJob<K extends JobKind>(
  request: JobRequestOf<K>,
  origin?: ActivityOrigin,
): Promise<JobOutputs[K]> {
  return valueOrThrow(await startJob(request, undefined, origin).result);
}

/** The running jobs, and the activity log the finished ones are written to. */
export function jobHandlers(ctx: HandlerContext): Handlers<'jobs:cancel' | 'jobs:list' | 'activity:list'> {
  return {
    'jobs:cancel': (input) => Promise.resolve({ cancelled: ctx.cancelJob(input.jobId) }),
    'jobs:list': () => Promise.resolve(ctx.runningJobs()),
    'activity:list': (input) => Promise.resolve(readActivity(ctx.app(input.appId).backupsDir)),
  };
}
