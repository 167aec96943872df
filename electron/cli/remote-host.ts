import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { progressMarker, type JobProgress } from '../contract/jobs';
import { LifeboatFailure } from '../core/lifeboat-failure';
import { lifeboatVersion } from '../core/lifeboat-version';
import { ProgressBar } from './progress-bar';

/**
 * `lifeboat --host ALIAS …`: the command runs on the host, by the Lifeboat installed there, reached
 * with the user's own OpenSSH client, so that `~/.ssh/config` (aliases, HostName, Port, User,
 * IdentityFile, ProxyJump), the agent and `known_hosts` apply as they do for `ssh`. Lifeboat never
 * accepts a host key itself. The remote command's stdout comes through unchanged (JSON included), its
 * exit code is this command's, its progress is drawn here, and Ctrl-C closes its input, which cancels
 * its job cleanly there.
 */

/** The version of what hub and host say to each other; a host below it is told to update. */
export const hubProtocol = 1;

/** What `lifeboat version --json` prints. */
export interface VersionInfo {
  readonly version: string;
  readonly protocol: number;
  readonly node: string;
}

export function versionInfo(): VersionInfo {
  return { version: lifeboatVersion, protocol: hubProtocol, node: process.versions.node };
}

/** A word for the remote shell: quoted so that it arrives as exactly this argument. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/** ssh's own options: no questions (BatchMode), no host key accepted on the way, the user's config of $HOME. */
function sshOptions(): string[] {
  const config = path.join(process.env['HOME'] ?? os.homedir(), '.ssh', 'config');
  return [
    ...(fs.existsSync(config) ? ['-F', config] : []),
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'ConnectTimeout=15',
  ];
}

/** What ssh's exit code 255 and its message mean, with a stable code and what to do. */
function sshFailure(host: string, stderr: string): LifeboatFailure {
  const said = stderr.trim().split('\n').slice(-3).join(' ');
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/i.test(stderr)) {
    return new LifeboatFailure(
      'HOST_KEY_CHANGED',
      `The host key of ${host} is not the one in known_hosts: this may be an attack, or the server was reinstalled. Nothing was run. If you know why it changed, remove the old key with "ssh-keygen -R HOST" and trust the new one with "ssh ${host}".`,
    );
  }
  if (/host key is known for|Host key verification failed|No .* host key is known/i.test(stderr)) {
    return new LifeboatFailure(
      'HOST_KEY_UNKNOWN',
      `${host} is not in known_hosts, so it is not trusted. Check its key and trust it once with "ssh ${host}", then try again. (${said})`,
    );
  }
  if (/Permission denied|Too many authentication failures/i.test(stderr)) {
    return new LifeboatFailure(
      'HOST_AUTH_FAILED',
      `${host} refused the SSH login (${said}). Check that "ssh ${host}" works with your key or agent.`,
    );
  }
  return new LifeboatFailure(
    'HOST_UNREACHABLE',
    `${host} could not be reached over SSH (${said || 'no answer'}). Check that "ssh ${host}" works.`,
  );
}

/** Asks the host which Lifeboat it runs; refuses a host without one, or with one too old to talk to. */
function checkHost(host: string, remote: string): VersionInfo {
  const run = spawnSync('ssh', [...sshOptions(), host, '--', `${remote} version --json`], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (run.error !== undefined) {
    throw new LifeboatFailure(
      'HOST_UNREACHABLE',
      `ssh could not be run here (${run.error.message}): install OpenSSH's client.`,
    );
  }
  if (run.status === 255) {
    throw sshFailure(host, run.stderr);
  }
  if (run.status === 127 || /command not found|No such file or directory|not found/i.test(run.stderr)) {
    throw new LifeboatFailure(
      'HOST_LIFEBOAT_MISSING',
      `Lifeboat is not installed on ${host} (or "${remote}" is not on its PATH): install it there, or name its command with --remote-lifeboat.`,
    );
  }
  let info: Partial<VersionInfo> = {};
  try {
    info = JSON.parse(run.stdout) as Partial<VersionInfo>;
  } catch {
    // An older Lifeboat without the version command: it answered with an error.
  }
  const version = typeof info.version === 'string' ? info.version : 'an older version';
  if (run.status !== 0 || typeof info.protocol !== 'number' || info.protocol < hubProtocol) {
    throw new LifeboatFailure(
      'HOST_LIFEBOAT_OUTDATED',
      `Update Lifeboat on ${host}: it runs ${version}, and this computer's ${lifeboatVersion} needs ${lifeboatVersion} or newer there.`,
    );
  }
  return info as VersionInfo;
}

/** Runs `lifeboat ARGS` on the host and passes on what it prints; resolves to its exit code. */
export async function runOnHost(host: string, remote: string, args: readonly string[]): Promise<number> {
  checkHost(host, remote);
  const command = [remote, ...[...args, '--from-hub'].map(shellWord)].join(' ');
  const child = spawn('ssh', [...sshOptions(), host, '--', command], { stdio: ['pipe', 'inherit', 'pipe'] });
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
    process.stderr.write(`${line}\n`);
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
