import type { HostStatus } from '#contract/hosts';
import { ageText } from '../../ui/app-health';

/** A host's state in a few words for the sidebar ("online", "host key changed"), and when it was last seen. Pure. */
export function hostStateText(host: HostStatus, nowMs: number): { short: string; seen: string } {
  const seen = host.lastSeen === null ? 'never reached' : `last seen ${ageText(host.lastSeen, nowMs)}`;
  if (host.state === 'online') {
    return { short: `online · Lifeboat ${host.version ?? ''}`, seen };
  }
  if (host.state === 'connecting' || host.error === null) {
    return { short: 'connecting…', seen };
  }
  const short: Partial<Record<string, string>> = {
    HOST_KEY_CHANGED: 'host key changed',
    HOST_KEY_UNKNOWN: 'host key not trusted yet',
    HOST_AUTH_FAILED: 'SSH login refused',
    HOST_LIFEBOAT_MISSING: 'Lifeboat not installed there',
    HOST_LIFEBOAT_OUTDATED: 'Lifeboat there is too old',
  };
  return { short: short[host.error.code] ?? 'unreachable', seen };
}
