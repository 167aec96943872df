import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LifeboatFailure } from '../lifeboat-failure';
import { lifeboatVersion } from '../lifeboat-version';

/**
 * Reaching another machine's Lifeboat with the user's own OpenSSH client, so that `~/.ssh/config`
 * (aliases, HostName, Port, User, IdentityFile, ProxyJump), the agent and `known_hosts` apply as they
 * do for `ssh`. Lifeboat never accepts a host key itself. Used by `lifeboat --host` and by the hub.
 */

/** The version of what hub and host say to each other; a host below it is told to update. */
const hubProtocol = 1;

/** What `lifeboat version --json` prints, and the first line of `lifeboat rpc --stdio`. */
export interface VersionInfo {
  readonly version: string;
  readonly protocol: number;
  readonly node: string;
}

export function versionInfo(): VersionInfo {
  return { version: lifeboatVersion, protocol: hubProtocol, node: process.versions.node };
}

/** A word for the remote shell: quoted so that it arrives as exactly this argument. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/** ssh's arguments to run `command` on `host`: no questions, no host key accepted on the way, $HOME's config. */
export function sshArguments(host: string, command: string): string[] {
  const config = path.join(process.env['HOME'] ?? os.homedir(), '.ssh', 'config');
  return [
    ...(fs.existsSync(config) ? ['-F', config] : []),
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'ConnectTimeout=15',
    // A dead link is noticed within a minute, not when TCP gives up.
    '-o',
    'ServerAliveInterval=15',
    '-o',
    'ServerAliveCountMax=3',
    // An alias beginning with "-" must never be read as an option.
    '--',
    host,
    command,
  ];
}

/** What ssh's exit code 255 and its message mean, with a stable code and what to do. */
export function sshFailure(host: string, stderr: string): LifeboatFailure {
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
      `${host} is not in known_hosts, so it is not trusted. Check its key and trust it once with "ssh ${host}" in a terminal, then try again. (${said})`,
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

/** Lifeboat is not on the host, or not where the command says. */
function lifeboatMissing(host: string, remote: string): LifeboatFailure {
  return new LifeboatFailure(
    'HOST_LIFEBOAT_MISSING',
    `Lifeboat is not installed on ${host} (or "${remote}" is not on its PATH): install it there, or name its command.`,
  );
}

/**
 * Why a command that ended with `status` never reached the host's Lifeboat: ssh could not get there
 * (255), or the host has no such command; null when it did run.
 */
export function unreachedLifeboat(
  host: string,
  remote: string,
  status: number | null,
  stderr: string,
): LifeboatFailure | null {
  if (status === 255) {
    return sshFailure(host, stderr);
  }
  if (status === 127 || /command not found|No such file or directory|not found/i.test(stderr)) {
    return lifeboatMissing(host, remote);
  }
  return null;
}

/** The host's Lifeboat is too old to talk to (`version`: what it said it is, if anything). */
export function lifeboatOutdated(host: string, version: unknown): LifeboatFailure {
  const runs = typeof version === 'string' ? version : 'an older version';
  return new LifeboatFailure(
    'HOST_LIFEBOAT_OUTDATED',
    `Update Lifeboat on ${host}: it runs ${runs}, and this computer's ${lifeboatVersion} needs ${lifeboatVersion} or newer there.`,
  );
}

/** What the host said about its version, refused when older than this one's protocol or not understood. */
export function checkVersion(host: string, said: Partial<VersionInfo> | null): VersionInfo {
  if (said === null || typeof said.protocol !== 'number' || said.protocol < hubProtocol) {
    throw lifeboatOutdated(host, said?.version);
  }
  return said as VersionInfo;
}

/** Runs `command` on the host to its end; its exit status and what it printed. */
export function runSsh(
  host: string,
  command: string,
  timeoutMs = 60_000,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', sshArguments(host, command), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(
        new LifeboatFailure(
          'HOST_UNREACHABLE',
          `ssh could not be run here (${error.message}): install OpenSSH's client.`,
        ),
      );
    });
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
