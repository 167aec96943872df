import { LifeboatFailure } from '../lifeboat-failure';

/** What a running job may do besides its work: report progress, and stop when cancelled. */
export interface JobControl {
  report(phase: string, fraction: number, detail?: string): void;
  /** Throws CANCELLED once cancellation was asked for; long loops call it between steps. */
  throwIfCancelled(): void;
}

/** A control whose cancellation is a flag in shared memory, set by the thread that started the job. */
export function sharedFlagControl(cancelFlag: Int32Array, report: JobControl['report']): JobControl {
  return {
    report,
    throwIfCancelled(): void {
      if (Atomics.load(cancelFlag, 0) !== 0) {
        throw new LifeboatFailure('CANCELLED', 'Cancelled. Nothing was kept: the partial file was removed.');
      }
    },
  };
}
