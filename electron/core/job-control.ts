import type { StepEvent } from '../contract/restore';
import { LifeboatFailure } from './lifeboat-failure';

/** What a running job may do besides its work: report progress, and stop when cancelled. */
export interface JobControl {
  report(phase: string, fraction: number, detail?: string): void;
  /** One line of what an app's command printed, passed on in order (never dropped like progress). */
  output(line: string): void;
  /** What a step runner says of its steps (started, done, skipped, failed), passed on in order like output. */
  step(event: StepEvent): void;
  /** Throws CANCELLED once cancellation was asked for; long loops call it between steps. */
  throwIfCancelled(): void;
}

/** A control whose cancellation is a flag in shared memory, set by the thread that started the job. */
export function sharedFlagControl(
  cancelFlag: Int32Array,
  tell: Pick<JobControl, 'report' | 'output' | 'step'>,
): JobControl {
  return {
    ...tell,
    throwIfCancelled(): void {
      if (Atomics.load(cancelFlag, 0) !== 0) {
        throw new LifeboatFailure('CANCELLED', 'Cancelled. Nothing was kept: the partial file was removed.');
      }
    },
  };
}

/** The same control with its progress reports scaled into [from, from + share) of the whole. */
export function scaledControl(control: JobControl, from: number, share: number): JobControl {
  return {
    ...control,
    report: (phase, fraction, detail) => control.report(phase, from + fraction * share, detail),
  };
}

/** The same cancellation, without progress: for work inside a job that reports its own progress. */
export function quietControl(control: JobControl): JobControl {
  return { ...control, report: () => undefined };
}

/** The same progress, but no cancellation: for a rollback, which must finish once it has begun. */
export function uncancellableControl(control: JobControl): JobControl {
  return { ...control, throwIfCancelled: () => undefined };
}

/** A control for work no one watches or cancels (building the demo's migrations, tests). */
export const unwatchedControl: JobControl = {
  report: () => undefined,
  output: () => undefined,
  step: () => undefined,
  throwIfCancelled: () => undefined,
};
