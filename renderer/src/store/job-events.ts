import type { JobFinished, JobEvents } from '#contract/events';
import type { PushResult } from '#contract/offsite';
import { uiJobKindOf } from '#contract/operations';
import { notTriedText, type RestoreResult } from '#contract/restore';
import type { JobView } from './jobs-state';

/**
 * The jobs list as its events change it: pure functions of the list and one event, so a job's life
 * (heard of first by its progress or only by its end, done, failed, cancelled) is tested without a window.
 */

export type Jobs = Readonly<Record<string, JobView>>;

/** A job first heard of at `now`. */
function newJob(jobId: string, appId: string, kind: JobView['kind'], now: number): JobView {
  return {
    jobId,
    appId,
    kind,
    phase: '',
    fraction: 0,
    status: 'running',
    error: null,
    summary: null,
    startedAt: now,
  };
}

/** The jobs after one progress event, at `now`; the same object when the job is not one the UI shows. */
export function jobsAfterProgress(jobs: Jobs, progress: JobEvents['job:progress'], now: number): Jobs {
  const kind = uiJobKindOf(progress.kind);
  const job = jobs[progress.jobId];
  if (job === undefined && kind === null) {
    return jobs;
  }
  const base = job ?? newJob(progress.jobId, progress.appId, kind ?? 'snapshot', now);
  return { ...jobs, [progress.jobId]: { ...base, phase: progress.phase, fraction: progress.fraction } };
}

/** The jobs after a job ended (a fast one may end before any progress was heard), with the sentence it leaves. */
export function jobsAfterFinished(
  jobs: Jobs,
  event: JobFinished,
  now: number,
): { jobs: Jobs; summary: string | null; file: string | null; status: JobView['status'] } {
  const { summary, file } = finishedSummary(event);
  const status = finishedStatus(event.result);
  const job = jobs[event.jobId] ?? newJob(event.jobId, event.appId, event.kind, now);
  const ended: JobView = {
    ...job,
    status,
    fraction: status === 'done' ? 1 : job.fraction,
    error: event.result.ok ? null : event.result.error,
    summary,
  };
  return { jobs: { ...jobs, [event.jobId]: ended }, summary, file, status };
}

/** One sentence for the notice when a restore job ends. */
export function restoreSummary(result: RestoreResult): string {
  const name = result.snapshot?.split(/[/\\]/).pop() ?? '';
  switch (result.outcome) {
    case 'restored':
      switch (result.putBack) {
        case 'undo':
          return `The last restore was undone: ${name} is back as it was.`;
        case 'redo':
          return `The restore was redone: ${name} is back as it was.`;
        default:
          return `Restored ${name}.`;
      }
    case 'rolled-back':
      return 'The restore was rolled back: the database is as it was before.';
    case 'resumed':
      return 'The interrupted restore was finished.';
    case 'nothing-to-recover':
      return 'There was no interrupted restore to recover.';
    case 'rehearsed': {
      const untried = notTriedText(result);
      if (result.error !== null) {
        return 'The rehearsal found a problem: see the restore dialog.';
      }
      return untried === null
        ? `Rehearsal passed: ${name} would restore cleanly.`
        : `Rehearsal of ${name} passed, but ${untried}.`;
    }
  }
}

/** One sentence of what a push did. */
export function pushSummary(result: PushResult): string {
  const sent = result.targets.reduce((n, t) => n + t.pushed.length, 0);
  const broken = result.targets.filter((t) => t.error !== null || t.failed.length > 0);
  const first = broken[0];
  if (first !== undefined) {
    const why = first.error?.message ?? first.failed[0]?.error.message ?? '';
    return `Offsite copy to ${first.target} failed: ${why}`;
  }
  return sent === 0
    ? 'Every verified snapshot is already offsite.'
    : `Sent ${sent} snapshot${sent === 1 ? '' : 's'} offsite (${result.targets.map((t) => t.target).join(', ')}).`;
}

/** How a finished job ended, for its line in the jobs list. */
export function finishedStatus(result: JobFinished['result']): 'done' | 'cancelled' | 'failed' {
  if (result.ok) {
    return 'done';
  }
  return result.error.code === 'CANCELLED' ? 'cancelled' : 'failed';
}

export function finishedSummary(event: JobFinished): { summary: string | null; file: string | null } {
  const none = { summary: null, file: null };
  switch (event.kind) {
    case 'snapshot': {
      if (!event.result.ok) return none;
      const outcome = event.result.value;
      return outcome.kind === 'created'
        ? { summary: `Snapshot ${outcome.snapshot.file} is ready.`, file: outcome.snapshot.file }
        : { summary: outcome.message, file: null };
    }
    case 'verify': {
      if (!event.result.ok) return none;
      const failedCount = event.result.value.reports.filter((r) => !r.ok).length;
      return {
        summary:
          failedCount === 0
            ? 'Verified: integrity and checksum are ok.'
            : `${failedCount} snapshot(s) failed verification.`,
        file: null,
      };
    }
    case 'diff':
      // The compare dialog shows it.
      return none;
    case 'export':
    case 'copy': {
      if (!event.result.ok) return none;
      const written = event.result.value;
      return {
        summary:
          event.kind === 'export'
            ? `Wrote ${String(written.rows)} rows to ${written.path}.`
            : `Wrote a checked copy to ${written.path}.`,
        file: null,
      };
    }
    case 'restore':
    case 'rehearse':
    case 'restore-recover':
      return event.result.ok ? { summary: restoreSummary(event.result.value), file: null } : none;
    case 'push':
      return event.result.ok ? { summary: pushSummary(event.result.value), file: null } : none;
    case 'pull': {
      if (!event.result.ok) return none;
      const pulled = event.result.value;
      return {
        summary: pulled.alreadyHere
          ? `${pulled.id} is already here as ${pulled.file}.`
          : `Brought ${pulled.id} back from ${pulled.target}, checked and verified.`,
        file: pulled.file,
      };
    }
  }
}
