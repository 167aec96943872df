import * as crypto from 'node:crypto';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { failed, type Result } from '../../contract/errors';
import type { JobProgress } from '../../contract/jobs';
// Imported for its side effect first: it enables SQLite URI filenames before any worker loads SQLite.
import '../sqlite/open-database';
import type { JobOutputs, JobRequest, WorkerData } from './job-requests';
import type { WorkerMessage } from './job-worker';

/** A running job: its id, its eventual result, and a way to cancel it. */
export interface JobHandle<T> {
  readonly id: string;
  readonly result: Promise<Result<T>>;
  /** Asks the job to stop; its result is then CANCELLED and nothing it was making is left. */
  cancel(): void;
}

const workerPath = path.join(__dirname, 'job-worker.js');

/**
 * Starts a job in its own worker thread, so the blocking SQLite and file work never stalls the
 * thread that started it (the CLI's progress bar, Electron's main process, the web host).
 */
export function startJob<R extends JobRequest>(request: R, onProgress?: (progress: JobProgress) => void): JobHandle<JobOutputs[R['kind']]> {
  const id = crypto.randomUUID();
  const cancelBuffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  const data: WorkerData = { jobId: id, request, cancelBuffer };
  const worker = new Worker(workerPath, { workerData: data });
  const result = new Promise<Result<JobOutputs[R['kind']]>>((resolve) => {
    let settled = false;
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') {
        onProgress?.(message.progress);
      } else {
        settled = true;
        resolve(message.result as Result<JobOutputs[R['kind']]>);
      }
    });
    worker.on('error', (error) => {
      if (!settled) {
        settled = true;
        resolve(failed({ code: 'INTERNAL', message: `The job's worker failed: ${error.message}` }));
      }
    });
    worker.on('exit', (exitCode) => {
      if (!settled) {
        settled = true;
        resolve(failed({ code: 'INTERNAL', message: `The job's worker stopped (exit code ${exitCode}) before it finished.` }));
      }
    });
  });
  return {
    id,
    result,
    cancel: () => {
      Atomics.store(new Int32Array(cancelBuffer), 0, 1);
    },
  };
}
