import type { DiffResult } from '#contract/diff';
import type { LifeboatError } from '#contract/errors';
import type { UiJobKind } from '#contract/operations';

/** The jobs' state: the jobs the page follows, and what some of them left for others. */

export type JobStatus = 'running' | 'done' | 'failed' | 'cancelled';
export interface JobView {
  readonly jobId: string;
  readonly appId: string;
  readonly kind: UiJobKind;
  readonly phase: string;
  readonly fraction: number;
  readonly status: JobStatus;
  readonly error: LifeboatError | null;
  readonly summary: string | null;
  /** When the page first heard of it (ms since the epoch), to say how long is left. */
  readonly startedAt: number;
}
export interface JobsSlice {
  jobs: Record<string, JobView>;
  /** Jobs that bring a snapshot back from offsite to restore it: the restore opens when one ends. */
  pullsToRestore: readonly string[];
  /** Pulls that ended, by job id, with the file they brought back (a fast one ends before its id is back). */
  pulled: Readonly<Record<string, string>>;
  /** What finished comparisons found, by job id (the compare dialog and the restore preview read them). */
  diffResults: Record<string, DiffResult>;
}

export const initialJobs: JobsSlice = { jobs: {}, diffResults: {}, pullsToRestore: [], pulled: {} };
