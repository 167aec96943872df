import type { DesktopOperationOutputs } from '#contract/bridge';
import type { Result } from '#contract/errors';
import type { EventName, LifeboatEvents } from '#contract/events';
import type { OperationInput, OperationName, OperationOutput } from '#contract/operations';

/** What only the desktop app can do; null in a browser. */
export interface DesktopAbilities {
  chooseDatabase(): Promise<Result<DesktopOperationOutputs['dialog:chooseDatabase']>>;
  revealSnapshot(
    appId: string,
    file: string,
  ): Promise<Result<DesktopOperationOutputs['shell:revealSnapshot']>>;
  pathForFile(file: File): string;
}

/**
 * The renderer's only way to the Node side, with the contract's shape: the preload bridge in
 * Electron, HTTP and a WebSocket in a browser.
 */
export interface LifeboatClient {
  call<K extends OperationName>(name: K, input: OperationInput<K>): Promise<Result<OperationOutput<K>>>;
  on<E extends EventName>(event: E, listener: (payload: LifeboatEvents[E]) => void): () => void;
  /** Told when the link to the host drops and when it is back (a browser's; the desktop app's never drops). */
  onConnection(listener: (connected: boolean) => void): () => void;
  readonly desktop: DesktopAbilities | null;
}
