import { z } from 'zod';
import type { Result } from './errors';
import type { LifeboatEvents } from './events';
import type { DesktopOperationName } from './names';
import type { OperationInput, OperationName, OperationOutput } from './operations';

/**
 * What the Electron preload exposes to the renderer as `window.lifeboat`: one named function per
 * contract operation (`apps:list` → `appsList`), one subscription per event (`job:progress` →
 * `onJobProgress`, returning its unsubscribe function), and the few desktop-only verbs.
 */

type FunctionName<K extends string> = K extends `${infer Area}:${infer Verb}`
  ? `${Area}${Capitalize<Verb>}`
  : never;
type EventFunctionName<E extends string> = E extends `${infer Area}:${infer What}`
  ? `on${Capitalize<Area>}${Capitalize<What>}`
  : never;

export type BridgeOperations = {
  readonly [K in OperationName as FunctionName<K>]: (
    input: OperationInput<K>,
  ) => Promise<Result<OperationOutput<K>>>;
};

export type BridgeEvents = {
  readonly [E in keyof LifeboatEvents as EventFunctionName<E>]: (
    listener: (payload: LifeboatEvents[E]) => void,
  ) => () => void;
};

/** Desktop-only operations, answered by the Electron main process itself (native dialogs, the shell). */
export const desktopOperationInputs = {
  'dialog:chooseDatabase': z.object({}),
  'shell:revealSnapshot': z.object({ appId: z.string().min(1).max(100), file: z.string().min(1).max(255) }),
} as const satisfies { readonly [K in DesktopOperationName]: z.ZodType };

export interface DesktopOperationOutputs {
  'dialog:chooseDatabase': { readonly path: string | null };
  'shell:revealSnapshot': { readonly revealed: boolean };
}

export type BridgeDesktop = {
  readonly [K in DesktopOperationName as FunctionName<K>]: (
    input: z.input<(typeof desktopOperationInputs)[K]>,
  ) => Promise<Result<DesktopOperationOutputs[K]>>;
} & {
  /** The file system path of a file dropped on the window (Electron's webUtils.getPathForFile). */
  readonly pathForFile: (file: unknown) => string;
};

export type LifeboatBridge = BridgeOperations & BridgeEvents & BridgeDesktop;
