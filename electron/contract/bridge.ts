import { z } from 'zod';
import type { Result } from './errors';
import type { LifeboatEvents } from './events';
import type { OperationInput, OperationName, OperationOutput } from './operations';

/**
 * What the Electron preload exposes to the renderer as `window.lifeboat`: one named function per
 * contract operation (`apps:list` → `appsList`), one subscription per event (`job:progress` →
 * `onJobProgress`, returning its unsubscribe function), and the few desktop-only verbs.
 */

type FunctionName<K extends string> = K extends `${infer Area}:${infer Verb}` ? `${Area}${Capitalize<Verb>}` : never;
type EventFunctionName<E extends string> = E extends `${infer Area}:${infer What}` ? `on${Capitalize<Area>}${Capitalize<What>}` : never;

export type BridgeOperations = {
  readonly [K in OperationName as FunctionName<K>]: (input: OperationInput<K>) => Promise<Result<OperationOutput<K>>>;
};

export type BridgeEvents = {
  readonly [E in keyof LifeboatEvents as EventFunctionName<E>]: (listener: (payload: LifeboatEvents[E]) => void) => () => void;
};

/** Desktop-only operations, answered by the Electron main process itself (native dialogs, the shell). */
export const desktopOperationInputs = {
  'dialog:chooseDatabase': z.object({}),
  'shell:revealSnapshot': z.object({ appId: z.string().min(1).max(100), file: z.string().min(1).max(255) }),
} as const;
export type DesktopOperationName = keyof typeof desktopOperationInputs;

export interface DesktopOperationOutputs {
  'dialog:chooseDatabase': { readonly path: string | null };
  'shell:revealSnapshot': { readonly revealed: boolean };
}

export type BridgeDesktop = {
  readonly [K in DesktopOperationName as FunctionName<K>]: (input: z.input<(typeof desktopOperationInputs)[K]>) => Promise<Result<DesktopOperationOutputs[K]>>;
} & {
  /** The file system path of a file dropped on the window (Electron's webUtils.getPathForFile). */
  readonly pathForFile: (file: unknown) => string;
};

export type LifeboatBridge = BridgeOperations & BridgeEvents & BridgeDesktop;

/** `apps:list` → `appsList`. */
export function functionNameOf(name: string): string {
  const [area = '', verb = ''] = name.split(':');
  return `${area}${verb.charAt(0).toUpperCase()}${verb.slice(1)}`;
}

/** `job:progress` → `onJobProgress`. */
export function eventFunctionNameOf(name: string): string {
  const [area = '', what = ''] = name.split(':');
  return `on${area.charAt(0).toUpperCase()}${area.slice(1)}${what.charAt(0).toUpperCase()}${what.slice(1)}`;
}
