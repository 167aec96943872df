import type { LifeboatBridge } from '#contract/bridge';
import type { Result } from '#contract/errors';
import type { EventName, LifeboatEvents } from '#contract/events';
import { eventFunctionNameOf, functionNameOf } from '#contract/names';
import type { OperationInput, OperationName, OperationOutput } from '#contract/operations';
import type { LifeboatClient } from './lifeboat-client';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser. */
    readonly lifeboat?: LifeboatBridge;
  }
}

/** The client in Electron: the preload's named functions. */
export function createBridgeClient(bridge: LifeboatBridge): LifeboatClient {
  return {
    call<K extends OperationName>(name: K, input: OperationInput<K>): Promise<Result<OperationOutput<K>>> {
      const fn = (
        bridge as unknown as Record<string, (input: OperationInput<K>) => Promise<Result<OperationOutput<K>>>>
      )[functionNameOf(name)];
      if (fn === undefined) {
        return Promise.resolve({
          ok: false,
          error: { code: 'INTERNAL', message: `The desktop bridge has no ${name}.` },
        });
      }
      return fn(input);
    },
    on<E extends EventName>(event: E, listener: (payload: LifeboatEvents[E]) => void): () => void {
      const subscribe = (
        bridge as unknown as Record<string, (l: (payload: LifeboatEvents[E]) => void) => () => void>
      )[eventFunctionNameOf(event)];
      return subscribe === undefined ? () => undefined : subscribe(listener);
    },
    onConnection: () => () => undefined,
    desktop: {
      chooseDatabase: () => bridge.dialogChooseDatabase({}),
      revealSnapshot: (appId, file) => bridge.shellRevealSnapshot({ appId, file }),
      pathForFile: (file) => bridge.pathForFile(file),
    },
  };
}
