import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SnapshotList } from '../contract/snapshots';
import { lifeboat, lifeboatAsync, lifeboatBin } from '../testing/cli-run';
import Database from 'better-sqlite3';
import { contentDigest, createLiveDatabase, makeTempDir } from '../testing/fixtures';
import { restorePaths } from '../core/restore/restore-journal';
import {
  impostorKnownHostsLine,
  sshConfigEntry,
  startSshd,
  type SshServer,
} from '../testing/offsite-servers';
import { until } from '../testing/wait-for';

/**
 * `lifeboat --host`: commands run on a host through the user's own OpenSSH, against Debian's sshd on
 * 127.0.0.1 started here, with HOME a scratch folder holding .ssh/config (an alias), the key and
 * known_hosts. The "host" is this machine, so what it does can be checked on its files.
 */
describe('lifeboat --host ALIAS', () => {
  const { dir, cleanup } = makeTempDir();
  let sshd: SshServer;
  let env: Record<string, string>;
  const remote = `${process.execPath} ${lifeboatBin}`;
  const db = path.join(dir, 'server', 'app.db');
  before(async () => {
    sshd = await startSshd(path.join(dir, 'sshd'));
    const ssh = path.join(sshd.home, '.ssh');
    fs.writeFileSync(
      path.join(ssh, 'config'),
      sshConfigEntry('vps', { address: '127.0.0.1', port: sshd.port, user: sshd.user }, sshd.home),
    );
    fs.writeFileSync(path.join(ssh, 'known_hosts'), `${sshd.knownHostsLine}\n`);
    env = { HOME: sshd.home, SSH_AUTH_SOCK: '' };
    fs.mkdirSync(path.dirname(db));
    createLiveDatabase(db, 'wal', 256 * 1024);
  });
  after(async () => {
    await sshd.stop();
    cleanup();
  });

  it('runs the command on the host: the same JSON and exit codes as there', async () => {
    const made = await lifeboatAsync(
      ['--host', 'vps', '--remote-lifeboat', remote, 'backup', 'remote', '--db', db, '--json'],
      dir,
      env,
    );
    assert.equal(made.code, 0, made.stderr);
    const here = lifeboat(['list', '--db', db, '--json'], dir);
    const there = await lifeboatAsync(
      ['list', '--db', db, '--json', '--host=vps', `--remote-lifeboat=${remote}`],
      dir,
      env,
    );
    assert.equal(there.code, 0, there.stderr);
    assert.deepEqual(there.json<SnapshotList>().snapshots, here.json<SnapshotList>().snapshots);
    assert.equal(here.json<SnapshotList>().snapshots[0]?.label, 'remote');
    // A damaged snapshot: verify exits 3 there, so here too.
    fs.writeFileSync(path.join(path.dirname(db), 'backups', 'app-20260101-000000-broken.db'), 'not sqlite');
    const verified = await lifeboatAsync(
      ['--host', 'vps', '--remote-lifeboat', remote, 'verify', '--db', db],
      dir,
      env,
    );
    assert.equal(verified.code, 3, verified.stderr);
    const wrong = await lifeboatAsync(['--host', 'vps', '--remote-lifeboat', remote, 'list'], dir, env);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /No database given/);
  });

  it('refuses a host whose key is unknown or changed, and says when Lifeboat is missing or old there', async () => {
    const knownHosts = path.join(sshd.home, '.ssh', 'known_hosts');
    fs.writeFileSync(knownHosts, '');
    const unknown = await lifeboatAsync(
      ['--host', 'vps', '--remote-lifeboat', remote, 'list', '--db', db, '--json'],
      dir,
      env,
    );
    assert.equal(unknown.code, 1);
    assert.equal(unknown.json<{ error: { code: string } }>().error.code, 'HOST_KEY_UNKNOWN');
    fs.writeFileSync(knownHosts, `${impostorKnownHostsLine(sshd)}\n`);
    const changed = await lifeboatAsync(
      ['--host', 'vps', '--remote-lifeboat', remote, 'list', '--db', db, '--json'],
      dir,
      env,
    );
    assert.equal(changed.json<{ error: { code: string } }>().error.code, 'HOST_KEY_CHANGED');
    fs.writeFileSync(knownHosts, `${sshd.knownHostsLine}\n`);

    const missing = await lifeboatAsync(
      ['--host', 'vps', '--remote-lifeboat', '/opt/nowhere/lifeboat', 'list', '--db', db],
      dir,
      env,
    );
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Lifeboat is not installed on vps .*HOST_LIFEBOAT_MISSING/);
    const old = path.join(dir, 'old-lifeboat');
    fs.writeFileSync(old, '#!/bin/sh\necho "lifeboat: Unknown command" >&2\nexit 2\n', { mode: 0o755 });
    const outdated = await lifeboatAsync(
      ['--host', 'vps', '--remote-lifeboat', old, 'list', '--db', db],
      dir,
      env,
    );
    assert.match(outdated.stderr, /Update Lifeboat on vps.*HOST_LIFEBOAT_OUTDATED/);
  });

  it('Ctrl-C here cancels the job on the host cleanly: no snapshot, no partial file', async () => {
    const big = path.join(dir, 'big', 'app.db');
    fs.mkdirSync(path.dirname(big));
    createLiveDatabase(big, 'wal', 96 * 1024 * 1024);
    const backups = path.join(path.dirname(big), 'backups');
    const child = spawn(
      process.execPath,
      [lifeboatBin, '--host', 'vps', '--remote-lifeboat', remote, 'backup', '--db', big],
      {
        cwd: dir,
        env: { ...process.env, ...env, LIFEBOAT_DB: '' },
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Interrupted once the host has begun writing the snapshot.
    await until(
      () => fs.existsSync(backups) && fs.readdirSync(backups).some((n) => n.startsWith('.lifeboat-tmp-')),
    );
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    assert.equal(code, 130, stderr);
    assert.match(stderr, /CANCELLED/);
    assert.deepEqual(
      fs.readdirSync(backups).filter((n) => n !== '.lifeboat'),
      [],
    );
  });

  it('a connection killed mid-restore: the host cancels the restore and rolls it back, the live database as it was', async () => {
    const live = path.join(dir, 'restored', 'app.db');
    fs.mkdirSync(path.dirname(live));
    createLiveDatabase(live, 'wal', 64 * 1024 * 1024);
    const made = lifeboat(['backup', 'old', '--db', live, '--json'], dir);
    assert.equal(made.code, 0, made.stderr);
    const snapshot = made.json<{ snapshot: { file: string } }>().snapshot.file;
    const writer = new Database(live);
    writer.exec("CREATE TABLE after_snapshot (x); INSERT INTO after_snapshot VALUES ('kept');");
    writer.close();
    const before = contentDigest(live);
    const journal = restorePaths(live).journal;
    // The hub and its ssh in a process group of their own, killed together: the connection drops.
    const hub = spawn(
      process.execPath,
      [lifeboatBin, '--host', 'vps', '--remote-lifeboat', remote, 'restore', snapshot, '--db', live, '--yes'],
      { cwd: dir, env: { ...process.env, ...env, LIFEBOAT_DB: '' }, detached: true, stdio: 'ignore' },
    );
    await until(() => fs.existsSync(restorePaths(live).staged));
    process.kill(-(hub.pid ?? 0), 'SIGKILL');
    // On the host, the restore sees its input end, cancels and rolls back, then its journal goes.
    await until(() => !fs.existsSync(journal) && !fs.existsSync(restorePaths(live).staged));
    assert.equal(contentDigest(live), before);
    const activity = lifeboat(['list', '--db', live, '--json'], dir).json<{
      snapshots: { label: string }[];
    }>();
    assert.ok(activity.snapshots.some((s) => s.label === 'pre-restore'));
  });
});
