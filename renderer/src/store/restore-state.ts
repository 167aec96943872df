import type { LifeboatError } from '#contract/errors';
import type { AnyStep, RestorePreview, RestoreResult, StepEvent } from '#contract/restore';

/** The restore feature's state: the run its dialog shows. */

/**
 * What the restore dialog does: a restore, the undo of the last one (or the redo of an undo), a
 * rehearsal, or the recovery of an interrupted one.
 */
export type RestoreMode = 'restore' | 'undo' | 'redo' | 'rehearse' | 'resume' | 'rollback';

/** An undo or a redo: a snapshot Lifeboat kept put back as it was, with no upgrade. */
export function putsBack(mode: RestoreMode): mode is 'undo' | 'redo' {
  return mode === 'undo' || mode === 'redo';
}

/** The restore the dialog shows: its preview, then its steps as the job reports them, then its result. */
export interface RestoreRun {
  readonly appId: string;
  /** The snapshot put in place (for resume and rollback: the one the journal names). */
  readonly file: string;
  readonly mode: RestoreMode;
  readonly preview: RestorePreview | null;
  /** Why the preview could not be made. */
  readonly previewError: LifeboatError | null;
  readonly jobId: string | null;
  /** Asked to start, its job id not back yet: the job's first events (a fast rollback's all) may arrive before it. */
  readonly starting: boolean;
  /** The step running now (the restore's or its rollback's), from the job's step events. */
  readonly current: AnyStep | null;
  /** When each step began (this window's clock). */
  readonly startedAt: Readonly<Partial<Record<AnyStep, number>>>;
  /** What the job said of its steps so far: done, skipped (with the reason), failed. */
  readonly said: readonly Exclude<StepEvent, { type: 'started' }>[];
  /** Sub-progress of the step running now (copying pages, verifying), with what it is doing. */
  readonly work: { readonly phase: string; readonly fraction: number } | null;
  /** What the app's commands printed. */
  readonly output: readonly string[];
  readonly result: RestoreResult | null;
  /** The job failed before changing anything (refused, stop command failed, cancelled early). */
  readonly error: LifeboatError | null;
  /** The comparison of the snapshot with the live database the preview shows (rows lost and got back). */
  readonly rowsJobId: string | null;
}
export interface RestoreSlice {
  restore: RestoreRun | null;
}

export const initialRestore: RestoreSlice = { restore: null };
