import type { LifeboatError } from '#contract/errors';
import type { OffsiteTarget, RemoteList } from '#contract/offsite';
import type { PulledSnapshot } from '#contract/offsite';
import type { Result } from '#contract/errors';
import { closeDialog, lifeboat, loadApps, onJobFinished, startingJob, valueOr } from '../../store/actions';
import { openRestore } from '../restore/restore-actions';
import { useStore } from '../../store/store';

/** Offsite copies from the UI: the targets in settings, a push now, what a target holds, and a restore from it. */

/** S3 keys typed in the dialog: kept in the keychain (null: forget the ones kept). */
export type TargetKeys = Record<string, { accessKeyId: string; secretAccessKey: string } | null>;

export async function saveOffsite(
  appId: string,
  targets: OffsiteTarget[],
  keys: TargetKeys,
): Promise<LifeboatError | null> {
  const result = await lifeboat().call('apps:setOffsite', { appId, targets, keys });
  if (!result.ok) {
    return result.error;
  }
  closeDialog();
  useStore.setState({ notice: targets.length === 0 ? 'No offsite targets' : 'Offsite targets saved' });
  await loadApps();
  return null;
}

/** Sends the app's verified snapshots (these, or all not there yet) to its targets, as a job with progress. */
export async function pushOffsite(appId: string, files: string[] = []): Promise<void> {
  const started = valueOr(await lifeboat().call('offsite:push', { appId, files }));
  if (started !== null) {
    useStore.setState((s) =>
      s.jobs[started.jobId] === undefined
        ? { jobs: { ...s.jobs, [started.jobId]: startingJob(started.jobId, appId, 'push') } }
        : {},
    );
  }
}

export function listRemote(appId: string, target: string, allHosts: boolean): Promise<Result<RemoteList>> {
  return lifeboat().call('offsite:list', { appId, target, allHosts });
}

/** Brings a snapshot back (checked, verified); when it is here, the restore dialog opens on it. */
export async function pullToRestore(
  appId: string,
  target: string,
  id: string,
  identities: string[],
  sendIdentitiesTo?: string,
): Promise<LifeboatError | null> {
  const started = await lifeboat().call('offsite:pull', {
    appId,
    target,
    id,
    identities,
    ...(sendIdentitiesTo === undefined ? {} : { sendIdentitiesTo }),
  });
  if (!started.ok) {
    return started.error;
  }
  const { jobId } = started.value;
  // A pull from a fast target may have ended already, its end heard before its id came back.
  const file = useStore.getState().pulled[jobId];
  if (file !== undefined) {
    void openRestore(appId, file, 'restore');
    return null;
  }
  useStore.setState((s) => ({
    pullsToRestore: [...s.pullsToRestore, jobId],
    jobs: s.jobs[jobId] === undefined ? { ...s.jobs, [jobId]: startingJob(jobId, appId, 'pull') } : s.jobs,
  }));
  return null;
}

/** A pull started to restore has ended: on success, the guarded restore's preview of what came back. */
function followPullFinished(jobId: string, appId: string, result: Result<PulledSnapshot>): void {
  if (result.ok) {
    const file = result.value.file;
    useStore.setState((s) => ({ pulled: { ...s.pulled, [jobId]: file } }));
  }
  const { pullsToRestore } = useStore.getState();
  if (!pullsToRestore.includes(jobId)) {
    return;
  }
  useStore.setState({ pullsToRestore: pullsToRestore.filter((id) => id !== jobId) });
  if (result.ok) {
    void openRestore(appId, result.value.file, 'restore');
  }
}

/** Pulls follow their ends (to open the restore they were started for); once, at start-up. */
export function followPulls(): void {
  onJobFinished((event) => {
    if (event.kind === 'pull') {
      followPullFinished(event.jobId, event.appId, event.result);
    }
  });
}
