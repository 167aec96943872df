import type { Result } from '#contract/errors';
import type { EventName, LifeboatEvents } from '#contract/events';
import type { OperationInput, OperationName, OperationOutput } from '#contract/operations';
import type { LifeboatClient } from './lifeboat-client';

type Listeners = { [E in EventName]: Set<(payload: LifeboatEvents[E]) => void> };

/**
 * The client in a browser, against `lifeboat serve`: operations are POSTs to /api/<name> (the
 * session cookie carries the token), events arrive on the /events WebSocket, which reconnects.
 */
export function createHttpClient(base: URL = new URL(window.location.href)): LifeboatClient {
  // menu:command comes from the desktop menu only; a browser never receives it.
  const listeners: Listeners = {
    'job:progress': new Set(),
    'job:finished': new Set(),
    'snapshots:changed': new Set(),
    'keeper:alert': new Set(),
    'hosts:changed': new Set(),
    'menu:command': new Set(),
  };
  const connection = new Set<(connected: boolean) => void>();
  let connected = true;
  const setConnected = (value: boolean): void => {
    if (value !== connected) {
      connected = value;
      connection.forEach((listener) => listener(value));
    }
  };
  const connect = (attempt: number): void => {
    const url = new URL('/events', base);
    url.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(url);
    socket.addEventListener('open', () => {
      attempt = 0;
      setConnected(true);
    });
    socket.addEventListener('message', (message: MessageEvent<string>) => {
      const data = JSON.parse(message.data) as { event: EventName; payload: never };
      for (const listener of listeners[data.event]) {
        (listener as (payload: unknown) => void)(data.payload);
      }
    });
    socket.addEventListener('close', () => {
      setConnected(false);
      // The host restarted or the network blinked: try again, waiting longer each time (max 5 s).
      window.setTimeout(() => connect(attempt + 1), Math.min(5000, 250 * 2 ** attempt));
    });
  };
  connect(0);

  return {
    async call<K extends OperationName>(
      name: K,
      input: OperationInput<K>,
    ): Promise<Result<OperationOutput<K>>> {
      try {
        const response = await fetch(new URL(`/api/${name}`, base), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(input),
          credentials: 'same-origin',
        });
        if (response.status === 401) {
          return {
            ok: false,
            error: {
              code: 'PERMISSION_DENIED',
              message:
                'The session expired or the host restarted: open the URL that "lifeboat serve" printed again.',
            },
          };
        }
        return (await response.json()) as Result<OperationOutput<K>>;
      } catch (error) {
        return {
          ok: false,
          error: {
            code: 'IO_ERROR',
            message: `Lifeboat's host did not answer (${String(error)}). Is "lifeboat serve" still running?`,
          },
        };
      }
    },
    on<E extends EventName>(event: E, listener: (payload: LifeboatEvents[E]) => void): () => void {
      const set = listeners[event] as Set<(payload: LifeboatEvents[E]) => void>;
      set.add(listener);
      return () => set.delete(listener);
    },
    onConnection(listener: (connected: boolean) => void): () => void {
      connection.add(listener);
      return () => connection.delete(listener);
    },
    desktop: null,
  };
}
