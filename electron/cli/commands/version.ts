import { versionInfo } from '../../core/hosts/ssh-command';
import { exitCodes } from '../shared/exit-codes';
import type { Command } from '../shared/command';
import { emit } from '../shared/run-job';

export const version: Command = {
  name: 'version',
  synopsis: 'version',
  summary: "Lifeboat's version and protocol",
  usage: ['version [--json]'],
  options: ['json'],
  help: `Lifeboat's version and protocol (what --host checks first).`,
  run(invocation) {
    const info = versionInfo();
    emit(
      invocation.json,
      info,
      () => `Lifeboat ${info.version} (protocol ${info.protocol}, Node ${info.node})`,
    );
    return Promise.resolve(exitCodes.ok);
  },
};
