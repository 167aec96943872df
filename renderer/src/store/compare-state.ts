import type { LifeboatError } from '#contract/errors';
import type { Dialog } from './store';

/** The compare feature's state: the comparison its dialog shows. */

/** A comparison of two databases the compare dialog shows: its job, then its result. */
export interface CompareRun {
  readonly appId: string;
  /** Snapshot file names, or "live". */
  readonly a: string;
  readonly b: string;
  readonly jobId: string | null;
  /** Why it did not start. */
  readonly error: LifeboatError | null;
  /** The dialog to go back to when it closes (the restore's preview it was opened from). */
  readonly returnTo: Dialog;
}
export interface CompareSlice {
  compare: CompareRun | null;
}

export const initialCompare: CompareSlice = { compare: null };
