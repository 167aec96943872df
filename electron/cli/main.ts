// First import: enables SQLite URI filenames in this process before any worker opens a database.
import '../core/sqlite/open-database';
import type { LifeboatError } from '../contract/errors';
import { LifeboatFailure, toLifeboatError } from '../core/lifeboat-failure';
import { commandHelp, commandNamed, overview } from './help';
import { runOnHost } from './remote-host';
import { exitCodeFor, exitCodes } from './shared/exit-codes';
import { parseInvocation } from './shared/options';
import { followHub } from './shared/run-job';
import { say } from './shared/terminal-text';

function report(error: LifeboatError, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ error }, null, 2)}\n`);
  }
  say(process.stderr, `lifeboat: ${error.message} [${error.code}]\n`);
}

/** `--host ALIAS [--remote-lifeboat CMD]` anywhere in the arguments: taken out, the rest runs there. */
function hostOf(argv: readonly string[]): { host: string; remote: string; rest: string[] } | null {
  const rest: string[] = [];
  let host: string | null = null;
  let remote = 'lifeboat';
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    if (flag === '--host' || flag === '--remote-lifeboat') {
      const value = inline ?? argv[(i += 1)];
      if (value === undefined || value === '') {
        throw new LifeboatFailure(
          'INVALID_ARGUMENT',
          `${flag} needs a value (an SSH alias or user@host, or a command).`,
        );
      }
      if (flag === '--host') {
        host = value;
      } else {
        remote = value;
      }
    } else {
      rest.push(arg);
    }
  }
  if (host === null) {
    if (remote !== 'lifeboat') {
      throw new LifeboatFailure('INVALID_ARGUMENT', '--remote-lifeboat goes with --host.');
    }
    return null;
  }
  if (host.startsWith('-')) {
    throw new LifeboatFailure('INVALID_ARGUMENT', `--host takes an SSH alias or user@host, not "${host}".`);
  }
  return { host, remote, rest };
}

/** The CLI entry point: finds the command in the table and runs it; resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let json = argv.includes('--json');
  try {
    const onHost = hostOf(argv);
    if (onHost !== null) {
      return await runOnHost(onHost.host, onHost.remote, onHost.rest);
    }
    const invocation = parseInvocation(argv);
    if (invocation.fromHub) {
      followHub();
    }
    json = invocation.json;
    if (invocation.command === undefined) {
      process.stdout.write(overview());
      return exitCodes.ok;
    }
    const command = commandNamed(invocation.command);
    if (invocation.help) {
      process.stdout.write(commandHelp(command));
      return exitCodes.ok;
    }
    return await command.run(invocation);
  } catch (error) {
    const detail = toLifeboatError(error);
    report(detail, json);
    return exitCodeFor(detail.code);
  }
}
