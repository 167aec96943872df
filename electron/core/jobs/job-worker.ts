import { parentPort } from 'node:worker_threads';
import { assertNever, failed, ok, type Result } from '../../contract/errors';
import type { JobProgress } from '../../contract/jobs';
import { describeDatabase } from '../database-info';
import { createDemo } from '../demo/create-demo';
import { inspectSnapshot } from '../snapshot/inspect-snapshot';
import { listSnapshotsWithTimes } from '../snapshot/list-snapshots';
import { migrationReport, recognizeTool } from '../migrations/migration-reader';
import { annotateWithMigrations } from '../migrations/snapshot-revisions';
import { runSqlMigrations } from '../migrations/sql-migrate';
import { recoverRestore, restoreSnapshot } from '../restore/guarded-restore';
import { safeUpgrade } from '../restore/safe-upgrade';
import { toLifeboatError } from '../lifeboat-failure';
import { createSnapshot } from '../snapshot/create-snapshot';
import { verifySnapshots } from '../snapshot/verify-snapshots';
import { sharedFlagControl } from './job-control';
import type { JobOutputs, WorkerData } from './job-requests';

/** A job for a worker: workers are reused, one job at a time. */
export interface StartMessage {
  readonly type: 'start';
  readonly data: WorkerData;
}

/** Messages a job worker posts to the thread that started it. */
export type WorkerMessage =
  | { readonly type: 'progress'; readonly progress: JobProgress }
  | { readonly type: 'result'; readonly result: Result<JobOutputs[keyof JobOutputs]> };

// Progress is posted at most this often, so that a fast loop does not flood the starting thread.
const progressIntervalMs = 50;

async function run(data: WorkerData): Promise<JobOutputs[keyof JobOutputs]> {
  let lastPost = 0;
  const post = (message: WorkerMessage): void => parentPort?.postMessage(message);
  const control = sharedFlagControl(new Int32Array(data.cancelBuffer), (phase, fraction, detail) => {
    const now = Date.now();
    if (now - lastPost < progressIntervalMs && fraction < 1) {
      return;
    }
    lastPost = now;
    const progress: JobProgress = { jobId: data.jobId, kind: data.request.kind, phase, fraction: Math.max(0, Math.min(1, fraction)) };
    post({ type: 'progress', progress: detail === undefined ? progress : { ...progress, detail } });
  });
  const { request } = data;
  switch (request.kind) {
    case 'snapshot':
      return createSnapshot(request.input, control);
    case 'verify':
      return verifySnapshots(request.input, control);
    case 'info':
      return describeDatabase(request.input, control);
    case 'inspect':
      return inspectSnapshot(request.input, control);
    case 'demo':
      return createDemo(request.input.dataDir, control);
    case 'list': {
      const { list, mtimes } = listSnapshotsWithTimes(request.input.location);
      return { ...list, snapshots: annotateWithMigrations(list.backupsDir, list.snapshots, request.input.setup, control, mtimes) };
    }
    case 'migrations': {
      const report = migrationReport(request.input.databasePath, request.input.setup);
      return { report, recognizedTool: report === null ? recognizeTool(request.input.databasePath) : null };
    }
    case 'migrate':
      return runSqlMigrations(request.input, control);
    case 'restore':
      return restoreSnapshot(request.input, control);
    case 'restore-recover':
      return recoverRestore(request.input, control);
    case 'upgrade':
      return safeUpgrade(request.input.location, request.input.app, control);
    default:
      return assertNever(request);
  }
}

parentPort?.on('message', (message: StartMessage) => {
  run(message.data).then(
    (value) => parentPort?.postMessage({ type: 'result', result: ok(value) } satisfies WorkerMessage),
    (error: unknown) => parentPort?.postMessage({ type: 'result', result: failed(toLifeboatError(error)) } satisfies WorkerMessage),
  );
});
