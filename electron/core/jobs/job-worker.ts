import { parentPort } from 'node:worker_threads';
import { failed, ok, type Result } from '../../contract/errors';
import type { JobProgress } from '../../contract/jobs';
import type { StepEvent } from '../../contract/restore';
import { describeDatabase } from '../snapshot/database-info';
import { createDemo } from '../demo/create-demo';
import { inspectSnapshot } from '../snapshot/inspect-snapshot';
import { listSnapshotsWithTimes } from '../snapshot/list-snapshots';
import { migrationReport } from '../migrations/migration-reader';
import { annotateWithMigrations } from '../migrations/snapshot-revisions';
import { runSqlMigrations } from '../migrations/sql-migrate';
import { recoverRestore, restoreSnapshot } from '../restore/guarded-restore';
import { rehearseRestore } from '../restore/rehearse-restore';
import { previewRestore } from '../restore/restore-preflight';
import { safeUpgrade } from '../restore/safe-upgrade';
import { toLifeboatError } from '../lifeboat-failure';
import { createSnapshot } from '../snapshot/create-snapshot';
import { verifySnapshots } from '../snapshot/verify-snapshots';
import { deleteSnapshots, pinSnapshots } from '../snapshot/pin-snapshots';
import { pruneSnapshots } from '../retention/prune-snapshots';
import { diffDatabases } from '../diff/diff-databases';
import { copySnapshot, exportRows, readTablePage } from '../browse/table-rows';
import { pushSnapshots } from '../offsite/push-snapshots';
import { offsiteMarks, readOffsiteState } from '../offsite/offsite-state';
import { pullSnapshot } from '../offsite/pull-snapshot';
import { listTarget } from '../offsite/remote-snapshots';
import { drillOffsite } from '../offsite/drill-offsite';
import { sharedFlagControl, type JobControl } from '../job-control';
import type { JobInputs, JobKind, JobOutputs, JobRequestOf, WorkerData } from './job-requests';

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

/** The control a job runs with, and a flush that sends output lines and step events still waiting (before the result). */
function controlFor(data: WorkerData): { control: JobControl; flush: () => void } {
  let lastPost = 0;
  let last: JobProgress = { jobId: data.jobId, kind: data.request.kind, phase: 'Starting', fraction: 0 };
  let lines: string[] = [];
  let steps: StepEvent[] = [];
  let flushTimer: NodeJS.Timeout | null = null;
  const post = (progress: JobProgress): void => {
    lastPost = Date.now();
    last = progress;
    const batch = { output: lines, steps };
    lines = [];
    steps = [];
    if (flushTimer !== null) {
      clearTimeout(flushTimer);
      flushTimer = null;
    }
    parentPort?.postMessage({
      type: 'progress',
      progress: {
        ...progress,
        ...(batch.output.length === 0 ? {} : { output: batch.output }),
        ...(batch.steps.length === 0 ? {} : { steps: batch.steps }),
      },
    } satisfies WorkerMessage);
  };
  // Output lines and step events are batched, never dropped: they go with the next progress, at most 50 ms later.
  const later = (): void => {
    flushTimer ??= setTimeout(() => post(last), progressIntervalMs);
  };
  const control = sharedFlagControl(new Int32Array(data.cancelBuffer), {
    report: (phase, fraction, detail) => {
      // A new phase always goes out; the rest is throttled.
      if (phase === last.phase && Date.now() - lastPost < progressIntervalMs && fraction < 1) {
        return;
      }
      const progress: JobProgress = {
        jobId: data.jobId,
        kind: data.request.kind,
        phase,
        fraction: Math.max(0, Math.min(1, fraction)),
      };
      post(detail === undefined ? progress : { ...progress, detail });
    },
    output: (line) => {
      lines.push(line);
      later();
    },
    step: (event) => {
      steps.push(event);
      later();
    },
  });
  const flush = (): void => {
    if (lines.length > 0 || steps.length > 0) {
      post(last);
    }
  };
  return { control, flush };
}

/** How each kind of job runs, in the worker: its input and control in, its output out. */
type JobRunners = {
  readonly [K in JobKind]: (
    input: JobInputs[K],
    control: JobControl,
  ) => Promise<JobOutputs[K]> | JobOutputs[K];
};

const runners: JobRunners = {
  snapshot: createSnapshot,
  verify: verifySnapshots,
  info: describeDatabase,
  inspect: inspectSnapshot,
  demo: (input, control) => createDemo(input.dataDir, control),
  list: ({ location, setup, offsiteTargets = [] }, control) => {
    const { list, mtimes } = listSnapshotsWithTimes(location);
    const snapshots = setup === null ? list.snapshots : annotateWithMigrations(list, setup, control, mtimes);
    const offsite = offsiteMarks(snapshots, offsiteTargets, readOffsiteState(location.backupsDir));
    return { ...list, snapshots, offsite };
  },
  migrations: (input) => ({ report: migrationReport(input.databasePath, input.setup) }),
  migrate: runSqlMigrations,
  restore: restoreSnapshot,
  'restore-recover': recoverRestore,
  'restore-preview': previewRestore,
  rehearse: rehearseRestore,
  upgrade: (input, control) => safeUpgrade(input.location, input.app, control),
  pin: pinSnapshots,
  delete: deleteSnapshots,
  prune: pruneSnapshots,
  diff: diffDatabases,
  rows: readTablePage,
  export: exportRows,
  copy: copySnapshot,
  push: pushSnapshots,
  pull: pullSnapshot,
  'remote-list': listTarget,
  drill: drillOffsite,
};

/** Runs one job with its kind's runner. */
async function run<K extends JobKind>(request: JobRequestOf<K>, control: JobControl): Promise<JobOutputs[K]> {
  const runner: JobRunners[K] = runners[request.kind];
  return runner(request.input, control);
}

parentPort?.on('message', (message: StartMessage) => {
  const { control, flush } = controlFor(message.data);
  const finish = (result: WorkerMessage & { type: 'result' }): void => {
    flush();
    parentPort?.postMessage(result);
  };
  run(message.data.request, control).then(
    (value) => finish({ type: 'result', result: ok(value) }),
    (error: unknown) => finish({ type: 'result', result: failed(toLifeboatError(error)) }),
  );
});
