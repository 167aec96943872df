import * as readline from 'node:readline';
import type { Readable } from 'node:stream';
import { jobEventNames } from '../../contract/events';
import { rpcRequestSchema, type RpcMessage } from '../../contract/hosts';
import { dispatch } from './dispatch';
import type { LifeboatService } from './lifeboat-service';
import { versionInfo } from '../hosts/ssh-command';

/**
 * `lifeboat rpc --stdio`, the host's side of the hub: says hello (its version), then answers each
 * request line with the service's result and passes on its events. When the hub goes away (its input
 * ends), what is running goes on to its end (a restore finishes or rolls back here), then it exits.
 */
export async function serveRpc(
  service: LifeboatService,
  input: Readable,
  write: (line: string) => void,
): Promise<void> {
  let open = true;
  const send = (message: RpcMessage): void => {
    if (open) {
      write(`${JSON.stringify(message)}\n`);
    }
  };
  send({ hello: versionInfo() });
  const unsubscribe = jobEventNames.map((event) =>
    service.on(event, (payload: unknown) => send({ event, payload })),
  );
  // The answers still being worked out (a connection may live for days: answered ones are let go).
  const answers = new Set<Promise<void>>();
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  lines.on('line', (line) => {
    let request;
    try {
      request = rpcRequestSchema.safeParse(JSON.parse(line));
    } catch {
      return;
    }
    if (!request.success) {
      return;
    }
    const { id, op, input: payload } = request.data;
    const answer = dispatch(service, op, payload).then((result) => {
      send({ id, result });
      answers.delete(answer);
    });
    answers.add(answer);
  });
  await new Promise<void>((resolve) => lines.once('close', resolve));
  await Promise.all([...answers]);
  // The hub is gone: nothing more is sent, and every job started goes on to its end here.
  open = false;
  unsubscribe.forEach((stop) => stop());
  await service.whenIdle();
}
