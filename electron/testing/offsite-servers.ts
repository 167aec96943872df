import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import S3rver from 's3rver';

/**
 * Real servers on 127.0.0.1 for the offsite tests, started and stopped by the tests: s3rver (an
 * S3-compatible server from npm) and Debian's OpenSSH server run with its own config, keys and port.
 */

export interface S3Server {
  readonly endpoint: string;
  /** s3rver's own folder: where it keeps objects and the parts of multipart uploads. */
  readonly dataDir: string;
  stop(): Promise<void>;
}

/** s3rver with one bucket; its default account is S3RVER / S3RVER. */
export async function startS3(dataDir: string, bucket: string): Promise<S3Server> {
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: dataDir,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const { port } = await server.run();
  return { endpoint: `http://127.0.0.1:${port}`, dataDir, stop: async () => void (await server.close()) };
}

/** Passes a request on to `endpoint` (with `body`, else the request's own) and its answer back. */
export function forward(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  endpoint: string,
  body?: Buffer,
): void {
  const upstream = new URL(endpoint);
  const forwarded = http.request(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: request.method,
      path: request.url,
      headers: { ...request.headers, host: upstream.host },
    },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    },
  );
  forwarded.on('error', () => response.destroy());
  if (body === undefined) {
    request.pipe(forwarded);
  } else {
    forwarded.end(body);
  }
}

/**
 * A faulty network path in front of `endpoint` on 127.0.0.1: requests pass through unchanged, except
 * that the body of each one `damages` picks arrives with one byte flipped (its length unchanged), as
 * a bad NIC, cable or middlebox would deliver it.
 */
export async function startDamagingProxy(
  endpoint: string,
  damages: (request: http.IncomingMessage) => boolean,
): Promise<{ endpoint: string; damaged: () => number; stop: () => Promise<void> }> {
  let damaged = 0;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      if (body.length > 0 && damages(request)) {
        const at = Math.floor(body.length / 2);
        body[at] = (body[at] ?? 0) ^ 0x01;
        damaged += 1;
      }
      forward(request, response, endpoint, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    damaged: () => damaged,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const s3Credentials = {
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REGION: 'us-east-1',
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function keygen(file: string, comment: string): string {
  const run = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
  if (run.status !== 0) {
    throw new Error(`ssh-keygen failed: ${run.stderr.toString()}`);
  }
  return fs.readFileSync(`${file}.pub`, 'utf8').trim();
}

export interface SshServer {
  readonly port: number;
  readonly user: string;
  /** A HOME for the client: `.ssh/id_ed25519` that the server accepts, and no known_hosts yet. */
  readonly home: string;
  /** The server's host key line for known_hosts (`[127.0.0.1]:port ssh-ed25519 …`). */
  readonly knownHostsLine: string;
  /** A folder on the server (this machine) that the client may write to. */
  readonly storeDir: string;
  /** Stops listening (sessions already open are their own processes and go on). */
  stop(): Promise<void>;
  /** Listens again, on the same port with the same keys: the machine is back. */
  restart(): Promise<void>;
}

/**
 * Debian's sshd with its own config on a free port: key login only, SFTP, never a system service.
 * With `netns`, it runs in that network namespace (made by the test), listening on `address` there.
 */
export async function startSshd(
  dir: string,
  where: { readonly netns: string; readonly address: string } | null = null,
): Promise<SshServer> {
  const address = where?.address ?? '127.0.0.1';
  const port = where === null ? await freePort() : 22;
  const user = os.userInfo().username;
  const home = path.join(dir, 'home');
  fs.mkdirSync(path.join(home, '.ssh'), { recursive: true, mode: 0o700 });
  const clientKey = keygen(path.join(home, '.ssh', 'id_ed25519'), 'lifeboat-test-client');
  keygen(path.join(dir, 'host_ed25519'), 'lifeboat-test-host');
  fs.writeFileSync(path.join(dir, 'authorized_keys'), `${clientKey}\n`, { mode: 0o600 });
  const storeDir = path.join(dir, 'store');
  fs.mkdirSync(storeDir);
  // sshd run by root needs its privilege separation folder.
  if (process.getuid?.() === 0) {
    fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  }
  const config = path.join(dir, 'sshd_config');
  fs.writeFileSync(
    config,
    [
      `Port ${port}`,
      `ListenAddress ${address}`,
      `HostKey ${path.join(dir, 'host_ed25519')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'StrictModes no',
      'UsePAM no',
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n'),
  );
  const sshd = ['/usr/sbin/sshd', '-D', '-e', '-f', config];
  const [program = '', ...args] = where === null ? sshd : ['ip', 'netns', 'exec', where.netns, ...sshd];
  let child = await listen(program, args, address, port);
  const [type, key] = fs.readFileSync(path.join(dir, 'host_ed25519.pub'), 'utf8').trim().split(/\s+/);
  return {
    port,
    user,
    home,
    knownHostsLine: `${port === 22 ? address : `[${address}]:${port}`} ${type ?? ''} ${key ?? ''}`,
    storeDir,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
    restart: async () => {
      child = await listen(program, args, address, port);
    },
  };
}

/** Starts sshd and waits until it accepts connections on `port`. */
async function listen(program: string, args: string[], address: string, port: number): Promise<ChildProcess> {
  const child: ChildProcess = spawn(program, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const deadline = Date.now() + 10_000;
    const attempt = (): void => {
      const socket = net.connect(port, address);
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (child.exitCode !== null || Date.now() > deadline) {
          reject(new Error(`sshd did not start: ${log}`));
        } else {
          setTimeout(attempt, 50);
        }
      });
    };
    attempt();
  });
  return child;
}

/** A `Host` block of .ssh/config: the alias, where it leads, and the key and known_hosts of `home`. */
export function sshConfigEntry(
  alias: string,
  to: { readonly address: string; readonly port: number; readonly user: string },
  home: string,
): string {
  return [
    `Host ${alias}`,
    `  HostName ${to.address}`,
    `  Port ${to.port}`,
    `  User ${to.user}`,
    `  IdentityFile ${path.join(home, '.ssh', 'id_ed25519')}`,
    `  UserKnownHostsFile ${path.join(home, '.ssh', 'known_hosts')}`,
    '',
  ].join('\n');
}

/** A known_hosts line for the server's address with another ed25519 key: a host key that "changed". */
export function impostorKnownHostsLine(server: SshServer): string {
  const key = Buffer.alloc(51, 7);
  key.writeUInt32BE(11, 0);
  key.write('ssh-ed25519', 4);
  key.writeUInt32BE(32, 15);
  const [address] = server.knownHostsLine.split(' ');
  return `${address ?? ''} ssh-ed25519 ${key.toString('base64')}`;
}
