import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { eventNames } from '../contract/events';
import {
  desktopOperationNames,
  eventFunctionNameOf,
  functionNameOf,
  operationNames,
} from '../contract/names';

/**
 * Exposes the contract to the sandboxed renderer as `window.lifeboat`: one named function per
 * operation, each bound to its own channel, and one subscription per event. There is no generic
 * invoke, no file or command access. Bundled into one file, since a sandboxed preload cannot require.
 */

const bridge: Record<string, unknown> = {};
for (const name of [...operationNames, ...desktopOperationNames]) {
  bridge[functionNameOf(name)] = (input: unknown): Promise<unknown> => ipcRenderer.invoke(name, input);
}
for (const event of eventNames) {
  bridge[eventFunctionNameOf(event)] = (listener: (payload: unknown) => void): (() => void) => {
    const wrapped = (_event: IpcRendererEvent, payload: unknown): void => listener(payload);
    ipcRenderer.on(event, wrapped);
    return () => ipcRenderer.removeListener(event, wrapped);
  };
}
bridge['pathForFile'] = (file: File): string => webUtils.getPathForFile(file);

// Its shape is LifeboatBridge (contract/bridge.ts), which the renderer's client relies on.
contextBridge.exposeInMainWorld('lifeboat', bridge);
