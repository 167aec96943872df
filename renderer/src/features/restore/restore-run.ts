import type { LifeboatError, Result } from '#contract/errors';
import type { JobProgress } from '#contract/jobs';
import { stepTitle, type RestorePreview, type RestoreResult } from '#contract/restore';
import type { RestoreMode, RestoreRun } from '../../store/restore-state';

/**
 * What the restore dialog's run becomes on each event of its job: pure functions, so the stepper's
 * whole life (steps started, done, skipped, failed, the rollback) is tested without a window.
 */

// A long command's output is kept to its last lines: enough to see what went wrong.
export const maxOutputLines = 2000;

/** What the restore dialog shows: one state at a time, each with what it needs. */
export type RestoreDialogState =
  /** The preview is being made (preflight: the snapshot verified, the holders looked for). */
  | { readonly kind: 'previewing' }
  /** The preview could not be made: why. */
  | { readonly kind: 'refused'; readonly error: LifeboatError }
  /** The preview is there: what would change, and the button to go ahead. */
  | { readonly kind: 'ready'; readonly preview: RestorePreview }
  /** The job runs (or was asked for): the stepper moves. */
  | { readonly kind: 'running' }
  /** The job ended: with its result, or with why it changed nothing. */
  | {
      readonly kind: 'finished';
      readonly result: RestoreResult | null;
      readonly error: LifeboatError | null;
    };

export function dialogStateOf(run: RestoreRun): RestoreDialogState {
  if (run.result !== null || run.error !== null) {
    return { kind: 'finished', result: run.result, error: run.error };
  }
  if (run.jobId !== null || run.starting) {
    return { kind: 'running' };
  }
  if (run.previewError !== null) {
    return { kind: 'refused', error: run.previewError };
  }
  return run.preview === null ? { kind: 'previewing' } : { kind: 'ready', preview: run.preview };
}

/** A run of the dialog before its job: the preview is made first. */
export function newRun(appId: string, file: string, mode: RestoreMode): RestoreRun {
  return {
    appId,
    file,
    mode,
    preview: null,
    previewError: null,
    jobId: null,
    starting: false,
    current: null,
    startedAt: {},
    said: [],
    work: null,
    output: [],
    result: null,
    error: null,
    rowsJobId: null,
  };
}

/** The run after one progress event of its job, at `now` (this window's clock). */
export function followProgress(run: RestoreRun, progress: JobProgress, now: number): RestoreRun {
  const output =
    progress.output === undefined ? run.output : [...run.output, ...progress.output].slice(-maxOutputLines);
  let { current, startedAt } = run;
  const said = [...run.said];
  for (const event of progress.steps ?? []) {
    if (event.type === 'started') {
      current = event.step;
      startedAt = { ...startedAt, [event.step]: startedAt[event.step] ?? now };
    } else {
      said.push(event);
    }
  }
  // Work inside a step (the pre-restore snapshot copying pages, the preflight verifying) is shown
  // under it; the step's own title is not work.
  const inStep = current !== null && progress.phase === stepTitle(current);
  const work =
    progress.phase === 'Done' || inStep ? null : { phase: progress.phase, fraction: progress.fraction };
  return { ...run, output, current, startedAt, said, work };
}

/** The run once its job finished: its result, or why it failed before changing anything. */
export function followFinished(run: RestoreRun, result: Result<RestoreResult>): RestoreRun {
  const error: LifeboatError | null = result.ok ? null : result.error;
  return { ...run, current: null, work: null, result: result.ok ? result.value : null, error };
}
