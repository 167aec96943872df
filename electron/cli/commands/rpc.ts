import { LifeboatFailure } from '../../core/lifeboat-failure';
import { LifeboatService } from '../../core/service/lifeboat-service';
import { serveRpc } from '../../core/service/rpc-server';
import { dataDirOf } from '../shared/app-target';
import { exitCodes } from '../shared/exit-codes';
import type { Command } from '../shared/command';

export const rpc: Command = {
  name: 'rpc',
  synopsis: 'rpc --stdio',
  summary: 'What a hub runs here over SSH',
  usage: ['rpc --stdio [--web] [--data-dir DIR]'],
  options: ['stdio', 'web', 'data-dir'],
  help: `What a hub runs on this machine over SSH: JSON lines on standard input and
output, answered by this machine's Lifeboat. --web applies the web host's
rules. A job it started goes on to its end if the connection drops.`,
  // This machine's side of a hub that reached it over SSH (see rpc-server.ts).
  async run(invocation) {
    if (!invocation.stdio) {
      throw new LifeboatFailure(
        'INVALID_ARGUMENT',
        'rpc speaks only on standard input and output: run "lifeboat rpc --stdio".',
      );
    }
    const service = new LifeboatService({
      dataDir: dataDirOf(invocation),
      origin: invocation.web ? 'web' : 'desktop',
    });
    service.followBackupsFolders();
    // The hub gone mid-write (the connection dropped) must not bring down what runs here.
    process.stdout.on('error', () => undefined);
    await serveRpc(service, process.stdin, (line) => process.stdout.write(line));
    await service.shutdown();
    return exitCodes.ok;
  },
};
