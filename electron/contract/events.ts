import type { Result } from './errors';
import type { JobProgress } from './jobs';
import type { BackupOutcome, VerifyResult } from './snapshots';

/** Events pushed from the Node side to the UI (IPC in Electron, a WebSocket in the browser). */
export type JobFinished =
  | { readonly jobId: string; readonly appId: string; readonly kind: 'snapshot'; readonly result: Result<BackupOutcome> }
  | { readonly jobId: string; readonly appId: string; readonly kind: 'verify'; readonly result: Result<VerifyResult> };

export interface LifeboatEvents {
  'job:progress': JobProgress & { readonly appId: string };
  'job:finished': JobFinished;
}

export type EventName = keyof LifeboatEvents;
export const eventNames: readonly EventName[] = ['job:progress', 'job:finished'];
