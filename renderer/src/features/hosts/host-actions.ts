import type { LifeboatError } from '#contract/errors';
import type { HostStatus } from '#contract/hosts';
import { closeDialog, lifeboat, loadApps, valueOr } from '../../store/actions';
import { useStore } from '../../store/store';

/** Other machines' apps: adding and removing hosts, trying one again, and the fleet view's data. */

/** Adds a host; the host's status when it was added (reachable or not), or why it was refused. */
export async function addHost(
  address: string,
  command: string,
): Promise<{ status: HostStatus } | { error: LifeboatError }> {
  const result = await lifeboat().call('hosts:add', {
    address,
    ...(command.trim() === '' ? {} : { command }),
  });
  if (!result.ok) {
    return { error: result.error };
  }
  await loadApps();
  if (result.value.state === 'online') {
    closeDialog();
    useStore.setState({ notice: `${result.value.address} added` });
  }
  return { status: result.value };
}

/** Stops showing a host's apps here; nothing on the host changes. */
export async function removeHost(hostId: string): Promise<void> {
  const removed = valueOr(await lifeboat().call('hosts:remove', { hostId }));
  closeDialog();
  if (removed !== null) {
    useStore.setState((s) => ({
      selectedAppId: s.selectedAppId?.startsWith(`${hostId}/`) === true ? null : s.selectedAppId,
      notice: `The host ${hostId} was removed from this list; nothing on it was changed.`,
    }));
    await loadApps();
  }
}

export async function reconnectHost(hostId: string): Promise<void> {
  const status = valueOr(await lifeboat().call('hosts:reconnect', { hostId }));
  if (status !== null) {
    await loadApps();
  }
}

/** Shows the fleet: every app's snapshots (for their offsite state) and schema are read. */
export async function showFleet(): Promise<void> {
  useStore.setState({ page: 'fleet', details: null });
  const apps = useStore.getState().overview?.apps ?? [];
  await Promise.all(
    apps.map(async (app) => {
      const [list, schema] = await Promise.all([
        lifeboat().call('snapshots:list', { appId: app.id }),
        lifeboat().call('migrations:status', { appId: app.id }),
      ]);
      useStore.setState((s) => ({
        lists: list.ok ? { ...s.lists, [app.id]: list.value } : s.lists,
        schemas: schema.ok ? { ...s.schemas, [app.id]: schema.value } : s.schemas,
      }));
    }),
  );
}
