import type { BackupOutcome, DatabaseInfo, VerifyResult } from '../../contract/snapshots';
import type { DatabaseLocation } from '../database-location';
import type { SnapshotRequest } from '../snapshot/create-snapshot';
import type { VerifyRequest } from '../snapshot/verify-snapshots';

/** What a job is asked to do; each kind runs in a worker thread. */
export type JobRequest =
  | { readonly kind: 'snapshot'; readonly input: SnapshotRequest }
  | { readonly kind: 'verify'; readonly input: VerifyRequest }
  | { readonly kind: 'info'; readonly input: DatabaseLocation };

/** What each kind of job produces. */
export interface JobOutputs {
  snapshot: BackupOutcome;
  verify: VerifyResult;
  info: DatabaseInfo;
}

/** The data a worker is started with. */
export interface WorkerData {
  readonly jobId: string;
  readonly request: JobRequest;
  /** One Int32: set to 1 by the starting thread to cancel. */
  readonly cancelBuffer: SharedArrayBuffer;
}
