/**
 * The names of the contract's operations, without their schemas: what the preload needs to build
 * its named functions (it is bundled, and must stay small). operations.ts checks its schemas against
 * this list, so the two cannot drift apart.
 */
export const operationNames = [
  'apps:list',
  'apps:add',
  'apps:remove',
  'apps:reviewSettings',
  'apps:adoptSettings',
  'apps:setMigrations',
  'apps:setRun',
  'apps:setAutomation',
  'retention:preview',
  'demo:open',
  'database:info',
  'snapshots:list',
  'migrations:status',
  'snapshots:inspect',
  'snapshots:create',
  'snapshots:verify',
  'snapshots:delete',
  'snapshots:pin',
  'snapshots:diff',
  'snapshots:rows',
  'snapshots:export',
  'snapshots:copy',
  'jobs:cancel',
  'jobs:list',
  'activity:list',
  'restore:preview',
  'restore:start',
  'restore:rehearse',
  'restore:recover',
  'restore:undo',
  'apps:setOffsite',
  'offsite:push',
  'offsite:list',
  'offsite:pull',
  'hosts:add',
  'hosts:remove',
  'hosts:reconnect',
] as const;
export type OperationName = (typeof operationNames)[number];

/** Operations only the desktop app has: answered by the Electron main process itself. */
export const desktopOperationNames = ['dialog:chooseDatabase', 'shell:revealSnapshot'] as const;
export type DesktopOperationName = (typeof desktopOperationNames)[number];

/** `apps:list` → `appsList`: the name of the bridge function for an operation. */
export function functionNameOf(name: string): string {
  const [area = '', verb = ''] = name.split(':');
  return `${area}${verb.charAt(0).toUpperCase()}${verb.slice(1)}`;
}

/** `job:progress` → `onJobProgress`: the name of the bridge subscription for an event. */
export function eventFunctionNameOf(name: string): string {
  const [area = '', what = ''] = name.split(':');
  return `on${area.charAt(0).toUpperCase()}${area.slice(1)}${what.charAt(0).toUpperCase()}${what.slice(1)}`;
}
