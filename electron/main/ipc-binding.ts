import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import type { z } from 'zod';
import { desktopOperationInputs, type DesktopOperationOutputs } from '../contract/bridge';
import { failed, ok, type Result } from '../contract/errors';
import { jobEventNames } from '../contract/events';
import { desktopOperationNames, operationNames, type DesktopOperationName } from '../contract/names';
import { toLifeboatError } from '../core/lifeboat-failure';
import { dispatch } from '../core/service/dispatch';
import type { LifeboatService } from '../core/service/lifeboat-service';
import { isTrustedSender } from './trusted-sender';

const untrusted = failed<never>({
  code: 'PERMISSION_DENIED',
  message: 'This request did not come from Lifeboat’s own window.',
});

export type DesktopHandlers = {
  readonly [K in DesktopOperationName]: (
    input: z.output<(typeof desktopOperationInputs)[K]>,
  ) => Promise<DesktopOperationOutputs[K]>;
};

/**
 * Binds the contract to IPC, once for every operation: sender check, then payload validation (in
 * dispatch), then core. Results and errors cross as data. Events go to the window as they happen.
 */
export function bindIpc(
  service: LifeboatService,
  desktop: DesktopHandlers,
  window: () => BrowserWindow | null,
): () => void {
  for (const name of operationNames) {
    ipcMain.handle(name, (event: IpcMainInvokeEvent, payload: unknown) =>
      isTrustedSender(event) ? dispatch(service, name, payload) : untrusted,
    );
  }
  for (const name of desktopOperationNames) {
    ipcMain.handle(name, async (event: IpcMainInvokeEvent, payload: unknown): Promise<Result<unknown>> => {
      if (!isTrustedSender(event)) {
        return untrusted;
      }
      const parsed = desktopOperationInputs[name].safeParse(payload ?? {});
      if (!parsed.success) {
        return failed({ code: 'INVALID_ARGUMENT', message: `Invalid request for ${name}.` });
      }
      try {
        const handler = desktop[name] as (input: unknown) => Promise<unknown>;
        return ok(await handler(parsed.data));
      } catch (error) {
        return failed(toLifeboatError(error));
      }
    });
  }
  const unsubscribes = jobEventNames.map((event) =>
    service.on(event, (payload) => window()?.webContents.send(event, payload)),
  );
  return () => {
    unsubscribes.forEach((unsubscribe) => unsubscribe());
    [...operationNames, ...desktopOperationNames].forEach((name) => ipcMain.removeHandler(name));
  };
}
