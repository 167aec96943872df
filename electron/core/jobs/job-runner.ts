import * as crypto from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { failed, type Result } from '../../contract/errors';
import type { JobProgress } from '../../contract/jobs';
// Imported for its side effect first: it enables SQLite URI filenames before any worker loads SQLite.
import '../sqlite/open-database';
import type { ActivityOrigin } from '../../contract/activity';
import { appendActivity } from '../activity/activity-log';
import { activityOfJob } from './job-activity';
import type { JobKind, JobOutputs, JobRequestOf, WorkerData } from './job-requests';
import type { StartMessage, WorkerMessage } from './job-worker';

/** A running job: its id, its eventual result, and a way to cancel it. */
export interface JobHandle<T> {
  readonly id: string;
  readonly result: Promise<Result<T>>;
  /** Asks the job to stop; its result is then CANCELLED and nothing it was making is left. */
  cancel(): void;
}

const workerPath = path.join(__dirname, 'job-worker.js');
// Workers are kept for the next job a while: starting one (and loading its modules) costs ~90 ms.
const maxIdleWorkers = 2;
const idleTimeoutMs = 30_000;
const idle = new Map<Worker, NodeJS.Timeout>();

// At most this many jobs run at once; the others wait their turn. Each worker is a thread with its
// own heap (about 40 MB): sixty requests at once once made 283 threads and 2.5 GB.
export const maxRunningJobs = Math.max(8, 2 * os.availableParallelism());
let running = 0;
const queued: (() => void)[] = [];

/** Resolves when a job may start a worker. */
function turn(): Promise<void> {
  if (running < maxRunningJobs) {
    running += 1;
    return Promise.resolve();
  }
  return new Promise((resolve) => queued.push(resolve));
}

/** A job finished: the next waiting one takes its place. */
function endTurn(): void {
  const next = queued.shift();
  if (next === undefined) {
    running -= 1;
  } else {
    next();
  }
}

function takeWorker(): Worker {
  const [reused] = idle.keys();
  if (reused !== undefined) {
    clearTimeout(idle.get(reused));
    idle.delete(reused);
    reused.removeAllListeners('exit');
    reused.ref();
    return reused;
  }
  return new Worker(workerPath);
}

function releaseWorker(worker: Worker): void {
  worker.removeAllListeners('message');
  worker.removeAllListeners('error');
  worker.removeAllListeners('exit');
  if (idle.size >= maxIdleWorkers) {
    void worker.terminate();
    return;
  }
  // An idle worker never keeps the process alive (the CLI exits as soon as its work is done).
  worker.unref();
  worker.once('exit', () => idle.delete(worker));
  idle.set(worker, setTimeout(() => void worker.terminate(), idleTimeoutMs).unref());
}

/**
 * Starts a job in a worker thread, so the blocking SQLite and file work never stalls the thread
 * that started it (the CLI's progress bar, Electron's main process, the web host).
 */
export function startJob<K extends JobKind>(
  request: JobRequestOf<K>,
  onProgress?: (progress: JobProgress) => void,
  origin?: ActivityOrigin,
): JobHandle<JobOutputs[K]> {
  const id = crypto.randomUUID();
  const cancelBuffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  const data: WorkerData = { jobId: id, request, cancelBuffer };
  const result = turn().then(
    () =>
      new Promise<Result<JobOutputs[K]>>((resolve) => {
        const worker = takeWorker();
        let settled = false;
        const settle = (outcome: Result<JobOutputs[K]>, reusable: boolean): void => {
          if (settled) {
            return;
          }
          settled = true;
          if (reusable) {
            releaseWorker(worker);
          }
          endTurn();
          // Every snapshot, verification, restore and upgrade started by a person or a script is logged.
          const logged = origin === undefined ? null : activityOfJob(request, outcome, origin);
          if (logged !== null) {
            appendActivity(logged.backupsDir, logged.entry);
          }
          resolve(outcome);
        };
        worker.on('message', (message: WorkerMessage) => {
          if (message.type === 'progress') {
            onProgress?.(message.progress);
          } else {
            settle(message.result as Result<JobOutputs[K]>, true);
          }
        });
        worker.on('error', (error) =>
          settle(failed({ code: 'INTERNAL', message: `The job's worker failed: ${error.message}` }), false),
        );
        worker.on('exit', (exitCode) =>
          settle(
            failed({
              code: 'INTERNAL',
              message: `The job's worker stopped (exit code ${exitCode}) before it finished.`,
            }),
            false,
          ),
        );
        worker.postMessage({ type: 'start', data } satisfies StartMessage);
      }),
  );
  return {
    id,
    result,
    cancel: () => {
      Atomics.store(new Int32Array(cancelBuffer), 0, 1);
    },
  };
}
