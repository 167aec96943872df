import { spawn } from 'node:child_process';
import * as readline from 'node:readline';
import { progressMarker, type JobProgress } from '../contract/jobs';
import {
  checkVersion,
  lifeboatOutdated,
  runSsh,
  shellWord,
  sshArguments,
  sshFailure,
  unreachedLifeboat,
  type VersionInfo,
} from '../core/hosts/ssh-command';
import { ProgressBar } from './shared/progress-bar';
import { say } from './shared/terminal-text';

/**
 * `lifeboat --host ALIAS …`: the command runs on the host, by the Lifeboat installed there, reached
 * with the user's own OpenSSH client, so that `~/.ssh/config` (aliases, HostName, Port, User,
 * IdentityFile, ProxyJump), the agent and `known_hosts` apply as they do for `ssh`. Lifeboat never
 * accepts a host key itself. The remote command's stdout comes through unchanged (JSON included), its
 * exit code is this command's, its progress is drawn here, and Ctrl-C closes its input, which cancels
 * its job cleanly there.
 */

/** Asks the host which Lifeboat it runs; refuses a host without one, or with one too old to talk to. */
async function checkHost(host: string, remote: string): Promise<VersionInfo> {
  const run = await runSsh(host, `${remote} version --json`);
  const unreached = unreachedLifeboat(host, remote, run.status, run.stderr);
  if (unreached !== null) {
    throw unreached;
  }
  let said: Partial<VersionInfo> | null = null;
  try {
    said = JSON.parse(run.stdout) as Partial<VersionInfo>;
  } catch {
    // An older Lifeboat without the version command: it answered with an error.
  }
  if (run.status !== 0) {
    throw lifeboatOutdated(host, said?.version);
  }
  return checkVersion(host, said);
}

/** Runs `lifeboat ARGS` on the host and passes on what it prints; resolves to its exit code. */
export async function runOnHost(host: string, remote: string, args: readonly string[]): Promise<number> {
  await checkHost(host, remote);
  const command = [remote, ...[...args, '--from-hub'].map(shellWord)].join(' ');
  const child = spawn('ssh', sshArguments(host, command), { stdio: ['pipe', 'inherit', 'pipe'] });
  const bar = new ProgressBar(!args.includes('--json'));
  let stderr = '';
  const lines = readline.createInterface({ input: child.stderr });
  lines.on('line', (line) => {
    if (line.startsWith(progressMarker)) {
      try {
        bar.update(JSON.parse(line.slice(progressMarker.length)) as JobProgress);
        return;
      } catch {
        // Not a progress line after all: shown as it is.
      }
    }
    bar.clear();
    stderr += `${line}\n`;
    say(process.stderr, `${line}\n`);
  });
  // Ctrl-C: the host's Lifeboat sees its input end and cancels its job; a second Ctrl-C drops the connection.
  let interrupted = false;
  const onSigint = (): void => {
    if (interrupted) {
      child.kill('SIGTERM');
      return;
    }
    interrupted = true;
    child.stdin.end();
  };
  process.on('SIGINT', onSigint);
  const linesDone = new Promise<void>((resolve) => lines.once('close', resolve));
  try {
    const code = await new Promise<number>((resolve) =>
      child.once('close', (status) => resolve(status ?? 1)),
    );
    await linesDone;
    if (code === 255) {
      throw sshFailure(host, stderr);
    }
    return code;
  } finally {
    process.off('SIGINT', onSigint);
    bar.clear();
  }
}
