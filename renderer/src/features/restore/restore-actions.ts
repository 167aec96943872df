import type { Result } from '#contract/errors';
import type { JobFinished, JobEvents } from '#contract/events';
import { followFinished, followProgress, newRun } from './restore-run';
import { lifeboat, loadApp, loadApps, onJobFinished, onJobProgress } from '../../store/actions';
import { useStore } from '../../store/store';
import { putsBack, type RestoreMode, type RestoreRun } from '../../store/restore-state';

/** The restore dialog's actions: preview, start (or rehearse, undo, recover), follow, cancel, close. */

/** The kinds of job a restore run is: a restore, a rehearsal or a recovery. */
const restoreKinds: readonly string[] = ['restore', 'rehearse', 'restore-recover'];

/**
 * Applies a job event to the dialog's run if it is that run's job (or the job it is waiting to hear
 * of: only a restore's kind, so a late event of the preview's comparison is never taken for it).
 */
function updateRun(
  event: { readonly jobId: string; readonly appId: string; readonly kind: string },
  update: (run: RestoreRun) => RestoreRun,
): void {
  useStore.setState((s) => {
    const run = s.restore;
    const waiting =
      run !== null &&
      run.starting &&
      run.jobId === null &&
      run.appId === event.appId &&
      restoreKinds.includes(event.kind);
    return run === null || (run.jobId !== event.jobId && !waiting)
      ? {}
      : { restore: update({ ...run, jobId: event.jobId }) };
  });
}

/** Asks for the job the dialog's mode names: a rehearsal, an undo of the last restore, or a restore. */
function startRestoreJob(
  mode: RestoreMode,
  appId: string,
  file: string,
  allowOpen: boolean,
): Promise<Result<{ jobId: string }>> {
  if (mode === 'rehearse') {
    return lifeboat().call('restore:rehearse', { appId, file });
  }
  if (putsBack(mode)) {
    // The same operation: the Node side names it a redo when it reverses an undo.
    return lifeboat().call('restore:undo', { appId, file });
  }
  return lifeboat().call('restore:start', { appId, file, allowOpen });
}

/** Records the started job's id (unless its events already did), or why it did not start. */
function started(run: RestoreRun, result: Result<{ jobId: string }>): void {
  useStore.setState((s) => {
    if (
      s.restore === null ||
      s.restore.appId !== run.appId ||
      s.restore.mode !== run.mode ||
      !s.restore.starting
    ) {
      return {};
    }
    const current = { ...s.restore, starting: false };
    return {
      restore: result.ok
        ? { ...current, jobId: current.jobId ?? result.value.jobId }
        : { ...current, error: result.error },
    };
  });
}

/**
 * Opens the restore dialog on a snapshot (or, for an undo or a redo, the snapshot kept just before the
 * last one) and previews it.
 */
export async function openRestore(
  appId: string,
  file: string,
  mode: 'restore' | 'undo' | 'redo',
): Promise<void> {
  const run = newRun(appId, file, mode);
  useStore.setState({ restore: run, dialog: { kind: 'restore' } });
  const preview = await lifeboat().call('restore:preview', { appId, file, undo: putsBack(mode) });
  const previewed: RestoreRun = {
    ...run,
    preview: preview.ok ? preview.value : null,
    previewError: preview.ok ? null : preview.error,
  };
  useStore.setState((s) => (s.restore !== run ? {} : { restore: previewed }));
  // Then the rows themselves: what the restore would lose and get back, compared in a job of its own.
  if (preview.ok && preview.value.liveExists && preview.value.snapshotReadable) {
    const rows = await lifeboat().call('snapshots:diff', { appId, a: file, b: 'live' });
    useStore.setState((s) =>
      s.restore !== previewed || !rows.ok ? {} : { restore: { ...previewed, rowsJobId: rows.value.jobId } },
    );
  }
  // The preview verified the snapshot: a failure is written to its record, and its row says so now.
  if (preview.ok && !preview.value.snapshotReadable) {
    void loadApp(appId);
    void loadApps();
  }
}

/** Starts what the dialog previewed: the restore (allowOpen: the user's explicit override), its undo, or a rehearsal. */
export async function startRestore(options: { allowOpen: boolean; rehearse: boolean }): Promise<void> {
  const previewed = useStore.getState().restore;
  if (previewed === null || previewed.jobId !== null || previewed.starting) {
    return;
  }
  const { appId, file } = previewed;
  // The rows' comparison reads the live database: it stops before the restore begins.
  if (previewed.rowsJobId !== null && useStore.getState().jobs[previewed.rowsJobId]?.status === 'running') {
    void lifeboat().call('jobs:cancel', { jobId: previewed.rowsJobId });
  }
  const mode: RestoreMode = options.rehearse ? 'rehearse' : previewed.mode;
  const run: RestoreRun = {
    ...newRun(appId, file, mode),
    preview: previewed.preview,
    rowsJobId: previewed.rowsJobId,
    starting: true,
  };
  useStore.setState({ restore: run });
  started(run, await startRestoreJob(mode, appId, file, options.allowOpen));
}

/** After a crash: finishes (resume) or undoes (rollback) the restore the journal records. */
export async function recoverRestore(
  appId: string,
  file: string,
  mode: 'resume' | 'rollback',
): Promise<void> {
  const run: RestoreRun = { ...newRun(appId, file, mode), starting: true };
  useStore.setState({ restore: run, dialog: { kind: 'restore' } });
  started(run, await lifeboat().call('restore:recover', { appId, mode }));
}

/** Back from a finished rehearsal to the preview, to restore for real. */
export function backToPreview(): void {
  useStore.setState((s) =>
    s.restore === null
      ? {}
      : {
          restore: {
            ...newRun(s.restore.appId, s.restore.file, putsBack(s.restore.mode) ? s.restore.mode : 'restore'),
            preview: s.restore.preview,
          },
        },
  );
}

/** After a restore stopped because a process still held the database: the user's explicit "restore anyway". */
export async function restoreAnyway(): Promise<void> {
  backToPreview();
  await startRestore({ allowOpen: true, rehearse: false });
}

export async function cancelRestore(): Promise<void> {
  const jobId = useStore.getState().restore?.jobId;
  if (jobId !== null && jobId !== undefined) {
    await lifeboat().call('jobs:cancel', { jobId });
  }
}

/** Closes the dialog, unless a restore is running (it must finish or roll back where the user sees it). */
export function closeRestore(): void {
  const run = useStore.getState().restore;
  if (run !== null && isRunning(run)) {
    return;
  }
  useStore.setState({ restore: null, dialog: { kind: 'none' } });
}

export function isRunning(run: RestoreRun): boolean {
  return (run.starting || run.jobId !== null) && run.result === null && run.error === null;
}

function followRestoreProgress(progress: JobEvents['job:progress']): void {
  updateRun(progress, (run) => followProgress(run, progress, Date.now()));
}

function followRestoreFinished(event: JobFinished): void {
  if (event.kind !== 'restore' && event.kind !== 'rehearse' && event.kind !== 'restore-recover') {
    return;
  }
  updateRun(event, (run) => followFinished(run, event.result));
}

/** The dialog's run follows its job's steps and end; once, at start-up. */
export function followRestoreJobs(): void {
  onJobProgress(followRestoreProgress);
  onJobFinished(followRestoreFinished);
}
