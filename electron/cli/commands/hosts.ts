import type { AppsOverview } from '../../contract/apps';
import type { HostStatus } from '../../contract/hosts';
import type { OperationName } from '../../contract/names';
import { LifeboatFailure, valueOrThrow } from '../../core/lifeboat-failure';
import { dispatch } from '../../core/service/dispatch';
import { LifeboatService } from '../../core/service/lifeboat-service';
import { dataDirOf } from '../shared/app-target';
import { exitCodes } from '../shared/exit-codes';
import { describeHost } from '../shared/human-output';
import type { Command } from '../shared/command';
import { emit } from '../shared/run-job';

export const hosts: Command = {
  name: 'hosts',
  synopsis: 'hosts add|list|remove',
  summary: 'The other machines the app shows',
  usage: ['hosts add ALIAS [--command CMD] | hosts list | hosts remove ID [--data-dir DIR] [--json]'],
  options: ['command', 'data-dir', 'json'],
  help: `The other machines whose apps the desktop app and lifeboat serve show
(reached with ssh ALIAS; CMD: the Lifeboat command there, default lifeboat).
list tries each and says its state and apps; it exits 1 unless every host is
online.`,
  async run(invocation) {
    const [verb, argument] = invocation.positionals;
    const service = new LifeboatService({ dataDir: dataDirOf(invocation), origin: 'cli', hub: true });
    const call = async <T>(name: OperationName, input: unknown): Promise<T> =>
      valueOrThrow(await dispatch(service, name, input)) as T;
    try {
      if (verb === 'add' && argument !== undefined) {
        const status = await call<HostStatus>('hosts:add', {
          address: argument,
          command: invocation.hostCommand,
        });
        emit(
          invocation.json,
          status,
          () => `Added ${status.address} as "${status.id}". ${describeHost(status)}`,
        );
        return exitCodes.ok;
      }
      if (verb === 'remove' && argument !== undefined) {
        const removed = await call<{ removed: string }>('hosts:remove', { hostId: argument });
        emit(
          invocation.json,
          removed,
          () => `Removed the host "${removed.removed}" (nothing on it was changed).`,
        );
        return exitCodes.ok;
      }
      if (verb === 'list') {
        await service.reachHosts();
        const overview = await call<AppsOverview>('apps:list', {});
        emit(invocation.json, overview.hosts, () =>
          overview.hosts.length === 0
            ? 'No hosts yet: add one with "lifeboat hosts add ALIAS".'
            : overview.hosts
                .map((host) => {
                  const apps = overview.apps.filter((app) => app.host === host.id).map((app) => app.name);
                  return `${host.id}  ${host.address}  ${describeHost(host)}${apps.length > 0 ? `\n    apps: ${apps.join(', ')}` : ''}`;
                })
                .join('\n'),
        );
        return overview.hosts.every((host) => host.state === 'online') ? exitCodes.ok : exitCodes.failed;
      }
      throw new LifeboatFailure(
        'INVALID_ARGUMENT',
        'Use "lifeboat hosts add ALIAS [--command CMD]", "hosts list" or "hosts remove ID".',
      );
    } finally {
      await service.shutdown();
    }
  },
};
