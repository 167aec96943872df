import type { Host, HostStatus } from '../../../contract/hosts';
import { newHostId, type Hub } from '../../hosts/hub';
import { LifeboatFailure } from '../../lifeboat-failure';
import type { HandlerContext, Handlers } from './context';

/** The hub; a Lifeboat that shows no hosts (the CLI's commands, `rpc`) says so. */
function requireHub(ctx: HandlerContext): Hub {
  if (ctx.hub === null) {
    throw new LifeboatFailure('INVALID_ARGUMENT', 'This Lifeboat does not show other hosts.');
  }
  return ctx.hub;
}

/** The hub, for adding or removing a host: never through the web host (a token holder would run ssh here). */
function hubToChange(ctx: HandlerContext, verb: string): Hub {
  const hub = requireHub(ctx);
  if (ctx.limited) {
    throw new LifeboatFailure(
      'PERMISSION_DENIED',
      `Hosts cannot be ${verb === 'add' ? 'added' : 'removed'} through lifeboat serve: the token would make this server run ssh. Use the desktop app, or "lifeboat hosts ${verb}" on this server.`,
    );
  }
  return hub;
}

/** Other machines whose apps this Lifeboat shows (see hub.ts). */
export function hostHandlers(
  ctx: HandlerContext,
): Handlers<'hosts:add' | 'hosts:remove' | 'hosts:reconnect'> {
  return {
    'hosts:add': async (input) => {
      const hub = hubToChange(ctx, 'add');
      const hosts = ctx.settings.settings.hosts ?? [];
      if (hosts.some((host) => host.address === input.address)) {
        throw new LifeboatFailure('INVALID_ARGUMENT', `${input.address} is already one of the hosts here.`);
      }
      const host: Host = {
        id: newHostId(input.address, hosts),
        address: input.address,
        command: input.command ?? 'lifeboat',
      };
      ctx.settings.update((s) => ({ ...s, hosts: [...(s.hosts ?? []), host] }));
      ctx.hostsChanged();
      return hub.reconnect(host.id);
    },
    'hosts:remove': (input) => {
      hubToChange(ctx, 'remove');
      if (!(ctx.settings.settings.hosts ?? []).some((host) => host.id === input.hostId)) {
        throw new LifeboatFailure('INVALID_ARGUMENT', `There is no host "${input.hostId}" here.`);
      }
      ctx.settings.update((s) => ({
        ...s,
        hosts: (s.hosts ?? []).filter((host) => host.id !== input.hostId),
      }));
      ctx.hostsChanged();
      return Promise.resolve({ removed: input.hostId });
    },
    'hosts:reconnect': (input): Promise<HostStatus> => requireHub(ctx).reconnect(input.hostId),
  };
}
