import type { IpcMainInvokeEvent } from 'electron';
import { isAppUrl } from './window-options';

/** Only Lifeboat's own page, in its main frame, may call the Node side. */
export function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && isAppUrl(frame.url);
}
