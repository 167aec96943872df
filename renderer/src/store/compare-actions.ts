import type { JobFinished } from '../../../electron/contract/events';
import { lifeboat } from './actions';
import { useStore } from './store';

/** The compare dialog's actions: start a comparison, follow its job, close. */

/** Compares A with B (snapshot names or "live") and opens the dialog; it goes back to the dialog open now when closed. */
export async function startCompare(appId: string, a: string, b: string): Promise<void> {
  const returnTo = useStore.getState().dialog;
  const run = { appId, a, b, jobId: null, result: null, error: null, returnTo: returnTo.kind === 'compare' ? { kind: 'none' as const } : returnTo };
  useStore.setState({ compare: run, dialog: { kind: 'compare' } });
  const started = await lifeboat().call('snapshots:diff', { appId, a, b });
  // A quick comparison's end may have come before this answer: then its job id is already known.
  useStore.setState((s) => {
    const current = s.compare;
    if (current === null || current.appId !== appId || current.a !== a || current.b !== b) {
      return {};
    }
    return { compare: started.ok ? { ...current, jobId: current.jobId ?? started.value.jobId } : { ...current, error: started.error } };
  });
}

/** Takes in the end of the comparison's job. */
export function followCompareFinished(event: JobFinished): void {
  if (event.kind !== 'diff') {
    return;
  }
  useStore.setState((s) => {
    const run = s.compare;
    // Its own job, or (not yet told its id) the one comparison of this app under way.
    const ours = run !== null && (run.jobId === event.jobId || (run.jobId === null && run.appId === event.appId && run.result === null));
    return !ours ? {} : { compare: { ...run, jobId: event.jobId, result: event.result.ok ? event.result.value : null, error: event.result.ok ? null : event.result.error } };
  });
}

/** Closes the dialog, back to the one it was opened from. */
export function closeCompare(): void {
  const run = useStore.getState().compare;
  // Closed while it runs: the job stops too.
  if (run !== null && run.jobId !== null && run.result === null && run.error === null) {
    void lifeboat().call('jobs:cancel', { jobId: run.jobId });
  }
  useStore.setState({ compare: null, dialog: run?.returnTo ?? { kind: 'none' } });
}
