import { lifeboat } from '../../store/actions';
import { useStore } from '../../store/store';

/** The compare dialog's actions: start a comparison (or show one already under way), close. Its result comes in with the job's end. */

/** Compares A with B (snapshot names or "live") and opens the dialog; `jobId`: a comparison of the two already started. It goes back to the dialog open now when closed. */
export async function startCompare(
  appId: string,
  a: string,
  b: string,
  jobId: string | null = null,
): Promise<void> {
  const returnTo = useStore.getState().dialog;
  const run = {
    appId,
    a,
    b,
    jobId,
    error: null,
    returnTo: returnTo.kind === 'compare' ? { kind: 'none' as const } : returnTo,
  };
  useStore.setState({ compare: run, dialog: { kind: 'compare' } });
  if (jobId !== null) {
    return;
  }
  const started = await lifeboat().call('snapshots:diff', { appId, a, b });
  useStore.setState((s) =>
    s.compare !== run
      ? {}
      : { compare: started.ok ? { ...run, jobId: started.value.jobId } : { ...run, error: started.error } },
  );
}

/** Closes the dialog, back to the one it was opened from. A comparison it started stops if it still runs. */
export function closeCompare(): void {
  const { compare: run, jobs, restore } = useStore.getState();
  const shared = run?.jobId !== null && run?.jobId === restore?.rowsJobId;
  if (run !== null && run.jobId !== null && !shared && jobs[run.jobId]?.status === 'running') {
    void lifeboat().call('jobs:cancel', { jobId: run.jobId });
  }
  useStore.setState({ compare: null, dialog: run?.returnTo ?? { kind: 'none' } });
}
