import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createLiveDatabase } from '../electron/testing/fixtures';
import { sshConfigEntry, startSshd, type SshServer } from '../electron/testing/offsite-servers';
import { bin } from './fixtures';

/** Hosts for the hub's end-to-end tests and screenshots, and the hub's settings that name them. */
export interface HubSetup {
  /** The hub's data folder (its settings name the hosts): give it to `lifeboat serve`. */
  readonly dataDir: string;
  /** What `lifeboat serve` needs to reach them: HOME with .ssh/config, the key and known_hosts. */
  readonly env: Record<string, string>;
  /** The machine goes off: its sshd stops listening and its Lifeboat (the hub's session there) is killed. */
  takeDown(host: string): Promise<void>;
  /** The machine is back: its sshd listens again, as before. */
  bringBack(host: string): Promise<void>;
  stop(): Promise<void>;
}

/** The ids of the processes whose command line has all of `parts` (Linux's /proc). */
function processesWith(parts: readonly string[]): number[] {
  return fs.readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) {
      return [];
    }
    try {
      const args = fs.readFileSync(path.join('/proc', entry, 'cmdline'), 'utf8').split('\0');
      return parts.every((part) => args.includes(part)) ? [Number(entry)] : [];
    } catch {
      // Ended while the list was read.
      return [];
    }
  });
}

/**
 * One Debian sshd on 127.0.0.1 per host of `apps`, each answered by this checkout's Lifeboat with a
 * settings folder of its own that lists its apps (live WAL databases made here), plus an alias
 * "attic" that answers on no port: a machine that is off. The hub's settings list them all.
 */
export async function setUpHub(dir: string, apps: Record<string, readonly string[]>): Promise<HubSetup> {
  const servers = new Map<string, SshServer>();
  const home = path.join(dir, 'home');
  fs.mkdirSync(path.join(home, '.ssh'), { recursive: true, mode: 0o700 });
  const key = path.join(home, '.ssh', 'id_ed25519');
  const config: string[] = [];
  const knownHosts: string[] = [];
  for (const [host, names] of Object.entries(apps)) {
    const server = await startSshd(path.join(dir, `sshd-${host}`));
    servers.set(host, server);
    // One client key for every server: the first one's, which each later server accepts too.
    const first = Object.keys(apps)[0] ?? host;
    if (host === first) {
      fs.copyFileSync(path.join(server.home, '.ssh', 'id_ed25519'), key);
      fs.chmodSync(key, 0o600);
    } else {
      fs.copyFileSync(
        path.join(dir, `sshd-${first}`, 'authorized_keys'),
        path.join(dir, `sshd-${host}`, 'authorized_keys'),
      );
    }
    config.push(sshConfigEntry(host, { address: '127.0.0.1', port: server.port, user: server.user }, home));
    knownHosts.push(server.knownHostsLine);
    const settings = {
      version: 1,
      apps: names.map((name) => {
        const databasePath = path.join(dir, host, name, 'app.db');
        fs.mkdirSync(path.dirname(databasePath), { recursive: true });
        createLiveDatabase(databasePath, 'wal', 256 * 1024);
        return {
          id: randomUUID(),
          name,
          databasePath,
          backupsDir: path.join(path.dirname(databasePath), 'backups'),
        };
      }),
    };
    fs.mkdirSync(path.join(dir, `${host}-lifeboat`));
    fs.writeFileSync(path.join(dir, `${host}-lifeboat`, 'settings.json'), JSON.stringify(settings));
  }
  config.push(
    sshConfigEntry(
      'attic',
      { address: '127.0.0.1', port: 1, user: [...servers.values()][0]?.user ?? 'root' },
      home,
    ),
  );
  fs.writeFileSync(path.join(home, '.ssh', 'config'), config.join(''));
  fs.writeFileSync(path.join(home, '.ssh', 'known_hosts'), `${knownHosts.join('\n')}\n`);
  const dataDir = path.join(dir, 'hub-data');
  const env = { HOME: home, SSH_AUTH_SOCK: '' };
  for (const host of [...Object.keys(apps), 'attic']) {
    const command = `${process.execPath} ${bin} --data-dir ${path.join(dir, `${host}-lifeboat`)}`;
    const added = spawnSync(
      process.execPath,
      [bin, 'hosts', 'add', host, '--command', command, '--data-dir', dataDir],
      { env: { ...process.env, ...env }, encoding: 'utf8' },
    );
    if (added.status !== 0) {
      throw new Error(`lifeboat hosts add ${host} failed: ${added.stderr}`);
    }
  }
  const serverOf = (host: string): SshServer => {
    const server = servers.get(host);
    if (server === undefined) {
      throw new Error(`no host ${host} in this hub`);
    }
    return server;
  };
  return {
    dataDir,
    env,
    takeDown: async (host) => {
      await serverOf(host).stop();
      for (const pid of processesWith(['--data-dir', path.join(dir, `${host}-lifeboat`), 'rpc'])) {
        process.kill(pid, 'SIGKILL');
      }
    },
    bringBack: (host) => serverOf(host).restart(),
    stop: async () => {
      for (const server of servers.values()) {
        await server.stop();
      }
    },
  };
}
