import { mayBeSkipped, stepTitle, type AnyStep } from '../../contract/restore';
import { uncancellableControl, type JobControl } from '../job-control';
import { LifeboatFailure, toLifeboatError } from '../lifeboat-failure';

/**
 * The one runner of the restore's steps: a restore, an undo, a resumed restore, a rehearsal, a
 * rollback and `lifeboat upgrade` all run their steps through it. It says what each step does as
 * typed events (started, done, skipped with its reason, failed), times it, and checks for a cancel
 * between steps, except in a rollback, which once begun runs to the end.
 */

/** What a step came to: done (with a note), or skipped (with the reason). */
export type StepOutcome =
  | { readonly skipped: false; readonly note: string | null }
  | { readonly skipped: true; readonly note: string };

export function done(note: string | null = null): StepOutcome {
  return { note, skipped: false };
}

export function skip(reason: string): StepOutcome {
  return { note: reason, skipped: true };
}

/** What one step finds or makes for the steps after it (preflight's findings): there once the step has run. */
export class Handoff<T> {
  private value: T | null = null;

  constructor(private readonly what: string) {}

  set(value: T): T {
    this.value = value;
    return value;
  }

  get(): T {
    if (this.value === null) {
      throw new LifeboatFailure('INTERNAL', `A step ran before ${this.what} was there.`);
    }
    return this.value;
  }

  /** The value, or null before the step has made it. */
  peek(): T | null {
    return this.value;
  }
}

/** A step that ran, as the result records it. */
export interface TimedStep<S extends AnyStep> {
  readonly step: S;
  readonly durationMs: number;
  readonly note: string | null;
  readonly skipped: boolean;
}

export interface StepRun<S extends AnyStep> {
  readonly steps: readonly S[];
  /** A rollback is not: a cancel may be what led to it, and it must finish once begun. */
  readonly cancellable: boolean;
  /** Runs first, before the step is announced: the journal records the step, tests may crash there. */
  readonly before?: (step: S) => void;
  readonly run: (step: S, control: JobControl) => Promise<StepOutcome> | StepOutcome;
  /** What a person reads while the step runs, when not the step's own title. */
  readonly title?: (step: S) => string;
  /** Each finished step is added here, so that a failure leaves the ones before it. */
  readonly timings: TimedStep<S>[];
}

/** Runs the steps in order; a failing step is said and its error thrown on, the steps after it not run. */
export async function runSteps<S extends AnyStep>(work: StepRun<S>, jobControl: JobControl): Promise<void> {
  const control = work.cancellable ? jobControl : uncancellableControl(jobControl);
  for (const [index, step] of work.steps.entries()) {
    work.before?.(step);
    control.throwIfCancelled();
    control.step({ type: 'started', step });
    control.report(work.title?.(step) ?? stepTitle(step), index / work.steps.length);
    const started = Date.now();
    let outcome: StepOutcome;
    try {
      outcome = await work.run(step, control);
      if (outcome.skipped && !mayBeSkipped(step)) {
        throw new LifeboatFailure('INTERNAL', `${stepTitle(step)} may not be skipped (${outcome.note}).`);
      }
    } catch (error) {
      control.step({ type: 'failed', step, error: toLifeboatError(error) });
      throw error;
    }
    const durationMs = Date.now() - started;
    work.timings.push({ step, durationMs, ...outcome });
    control.step(
      outcome.skipped
        ? { type: 'skipped', step, durationMs, reason: outcome.note }
        : { type: 'done', step, durationMs, note: outcome.note },
    );
  }
}
