import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { ActivityEntry } from '../../contract/activity';
import type { AppsOverview, AppSummary } from '../../contract/apps';
import type { JobFinished } from '../../contract/events';
import type { HostStatus } from '../../contract/hosts';
import type { JobStarted } from '../../contract/operations';
import type { SnapshotList } from '../../contract/snapshots';
import { lifeboat, lifeboatBin } from '../../testing/cli-run';
import { contentDigest, createLiveDatabase, makeTempDir } from '../../testing/fixtures';
import { makeNetworkNamespace, type NetworkNamespace } from '../../testing/network-namespace';
import {
  impostorKnownHostsLine,
  sshConfigEntry,
  startSshd,
  type SshServer,
} from '../../testing/offsite-servers';
import { until } from '../../testing/wait-for';
import { restorePaths } from '../restore/restore-journal';
import { dispatch } from '../service/dispatch';
import { LifeboatService } from '../service/lifeboat-service';

/**
 * The hub: a LifeboatService showing the apps of hosts reached over SSH, each answered by the
 * Lifeboat there (`lifeboat rpc --stdio`). The hosts are Debian's sshd started here (one in a network
 * namespace of its own where one can be made), HOME a scratch folder with .ssh/config, the key and
 * known_hosts; each host's Lifeboat keeps its settings in a folder of its own.
 */
describe('the hub: apps of other hosts over SSH', () => {
  const { dir, cleanup } = makeTempDir();
  let sshd: SshServer;
  let hub: LifeboatService;
  const command = (name: string): string =>
    `${process.execPath} ${lifeboatBin} --data-dir ${path.join(dir, `${name}-lifeboat`)}`;
  const homeBefore = process.env['HOME'];
  const db = path.join(dir, 'vps', 'app.db');

  async function call<T>(name: string, input: unknown, on = hub): Promise<T> {
    const result = await dispatch(on, name, input);
    if (!result.ok) {
      throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
    }
    return result.value as T;
  }
  function finished(jobId: string, on = hub): Promise<JobFinished> {
    return new Promise((resolve) => {
      const stop = on.on('job:finished', (event) => {
        if (event.jobId === jobId) {
          stop();
          resolve(event);
        }
      });
    });
  }
  /** Aliases of .ssh/config (ssh finds known_hosts and keys by the passwd entry's home, not $HOME). */
  function sshConfig(entries: Record<string, { address: string; port: number }>): void {
    fs.writeFileSync(
      path.join(sshd.home, '.ssh', 'config'),
      Object.entries(entries)
        .map(([alias, to]) => sshConfigEntry(alias, { ...to, user: sshd.user }, sshd.home))
        .join(''),
    );
  }

  /**
   * The host's Lifeboat behind a wrapper (its first argument says how): spoiling what it says after its
   * hello (garbled, misshapen, askew, endless), or passing everything on and keeping what it hears (spy:FILE).
   */
  function spoilingHost(): string {
    const spoiler = path.join(dir, 'spoiling-host.js');
    fs.writeFileSync(
      spoiler,
      `const { spawn } = require('child_process');
     const [mode, ...real] = process.argv.slice(2);
     const child = spawn(real[0], real.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
     process.stdin.pipe(child.stdin);
     // spy:FILE: passes everything on, and keeps every request it was sent in FILE.
     if (mode.startsWith('spy:')) process.stdin.on('data', (chunk) => require('fs').appendFileSync(mode.slice(4), chunk));
     let hello = true;
     const say = (message) => process.stdout.write(JSON.stringify(message) + '\\n');
     require('readline').createInterface({ input: child.stdout }).on('line', (line) => {
       const message = JSON.parse(line);
       if (hello) {
         hello = false;
         say(message);
         if (mode === 'endless') process.stdout.write('x'.repeat(40 * 1024 * 1024));
         return;
       }
       if (!('id' in message) || mode.startsWith('spy:')) return say(message);
       if (mode === 'garbled') return process.stdout.write('null\\n');
       if (mode === 'misshapen') return say({ id: message.id, result: 5 });
       const apps = message.result.ok ? message.result.value.apps : undefined;
       if (Array.isArray(apps)) message.result.value.apps = [5, { id: 'x' }, { ...apps[0], health: 'splendid' }, ...apps];
       say(message);
     });
     child.on('exit', (code) => process.exit(code ?? 1));`,
    );
    return spoiler;
  }

  before(async () => {
    sshd = await startSshd(path.join(dir, 'sshd'));
    sshConfig({
      vps: { address: '127.0.0.1', port: sshd.port },
      '127.0.0.1': { address: '127.0.0.1', port: sshd.port },
    });
    fs.writeFileSync(path.join(sshd.home, '.ssh', 'known_hosts'), `${sshd.knownHostsLine}\n`);
    // This test file runs in a process of its own: ssh here reads the scratch HOME's config.
    process.env['HOME'] = sshd.home;
    process.env['SSH_AUTH_SOCK'] = '';
    fs.mkdirSync(path.dirname(db));
    createLiveDatabase(db, 'wal', 8 * 1024 * 1024);
    hub = new LifeboatService({ dataDir: path.join(dir, 'hub'), origin: 'desktop', hub: true });
  });
  after(async () => {
    await hub.shutdown();
    await sshd.stop();
    process.env['HOME'] = homeBefore;
    cleanup();
  });

  it("adds a host, lists its apps beside this computer's, and runs a snapshot and a restore there", async () => {
    const added = await call<HostStatus>('hosts:add', { address: 'vps', command: command('vps') });
    assert.equal(added.id, 'vps');
    assert.equal(added.state, 'online', JSON.stringify(added.error));
    assert.match(added.version ?? '', /^\d+\.\d+/);
    assert.ok(added.lastSeen !== null);
    // The app is added on the host: its settings there hold it, the hub's do not.
    const app = await call<AppSummary>('apps:add', { database: db, host: 'vps', name: 'vault' });
    assert.match(app.id, /^vps\/[0-9a-f-]{36}$/);
    assert.equal(app.host, 'vps');
    const hostSettings = fs.readFileSync(path.join(dir, 'vps-lifeboat', 'settings.json'), 'utf8');
    assert.match(hostSettings, /"name": "vault"/);
    assert.doesNotMatch(fs.readFileSync(path.join(dir, 'hub', 'settings.json'), 'utf8'), /vault/);

    const overview = await call<AppsOverview>('apps:list', {});
    assert.deepEqual(
      overview.apps.map((a) => [a.name, a.host]),
      [['vault', 'vps']],
    );
    assert.equal(overview.hosts[0]?.state, 'online');
    assert.equal(overview.host.editHosts, true);

    const phases: string[] = [];
    hub.on('job:progress', (p) => phases.push(`${p.appId} ${p.kind} ${p.phase}`));
    const started = await call<JobStarted>('snapshots:create', { appId: app.id, label: 'from-hub' });
    assert.match(started.jobId, /^vps\//);
    const made = await finished(started.jobId);
    assert.ok(made.result.ok, JSON.stringify(made.result));
    assert.ok(
      phases.some((p) => p.startsWith(`${app.id} snapshot `)),
      phases.join('\n'),
    );
    const list = await call<SnapshotList>('snapshots:list', { appId: app.id });
    const snapshot = list.snapshots.find((s) => s.label === 'from-hub');
    assert.ok(snapshot !== undefined);
    assert.equal(snapshot.status, 'verified');

    const wanted = contentDigest(path.join(path.dirname(db), 'backups', snapshot.file));
    const writer = new Database(db);
    writer.exec(
      "CREATE TABLE after_snapshot (x); INSERT INTO after_snapshot VALUES ('gone after the restore');",
    );
    writer.close();
    const restore = await call<JobStarted>('restore:start', { appId: app.id, file: snapshot.file });
    const restored = await finished(restore.jobId);
    assert.ok(restored.result.ok, JSON.stringify(restored.result));
    assert.equal(contentDigest(db), wanted);
    assert.ok(
      phases.some((p) => p.includes(' restore ')),
      phases.join('\n'),
    );
    const activity = await call<ActivityEntry[]>('activity:list', { appId: app.id });
    assert.ok(
      activity.some(
        (entry) => entry.action === 'restore' && entry.outcome === 'ok' && entry.origin === 'desktop',
      ),
    );
  });

  it('a connection dropped mid-restore: the restore goes on there, and the hub shows its outcome once back', async () => {
    const [app] = (await call<AppsOverview>('apps:list', {})).apps;
    assert.ok(app !== undefined);
    // A stop command that takes a while, so that the connection drops while the restore runs.
    const marker = path.join(dir, 'vps', 'stopping');
    await call('apps:setRun', {
      appId: app.id,
      run: {
        preset: 'commands',
        stop: { shell: `touch ${marker}; sleep 3` },
        start: { shell: 'true' },
      },
    });
    const list = await call<SnapshotList>('snapshots:list', { appId: app.id });
    const snapshot = list.snapshots.find((s) => s.label === 'from-hub');
    assert.ok(snapshot !== undefined);
    const wanted = contentDigest(path.join(path.dirname(db), 'backups', snapshot.file));
    const writer = new Database(db);
    writer.exec("CREATE TABLE again (x); INSERT INTO again VALUES ('gone after the restore');");
    writer.close();

    const restore = await call<JobStarted>('restore:start', { appId: app.id, file: snapshot.file });
    const ended = finished(restore.jobId);
    await until(() => fs.existsSync(marker));
    // Kill this side's ssh: the connection drops as when the laptop's Wi-Fi goes.
    const ssh = spawnSync('pgrep', ['-P', String(process.pid), '-x', 'ssh'], { encoding: 'utf8' });
    const pids = ssh.stdout.split('\n').filter((line) => line !== '');
    assert.ok(pids.length > 0, 'no ssh child to kill');
    pids.forEach((pid) => process.kill(Number(pid), 'SIGKILL'));
    const lost = await ended;
    assert.equal(lost.result.ok, false);
    assert.equal(lost.result.error.code, 'HOST_UNREACHABLE');
    assert.match(lost.result.error.message, /goes on there/);
    const status = (await call<AppsOverview>('apps:list', {})).hosts[0];
    assert.ok(status !== undefined);

    // There, the restore runs to its end on its own: its journal goes and the snapshot is in place.
    const journal = restorePaths(db).journal;
    await until(() => !fs.existsSync(journal));
    await until(() => contentDigest(db) === wanted, 30_000);
    const back = await call<HostStatus>('hosts:reconnect', { hostId: 'vps' });
    assert.equal(back.state, 'online');
    const again = (await call<AppsOverview>('apps:list', {})).apps[0];
    assert.equal(again?.interruptedRestore, null);
    assert.equal(again?.lastRestore?.snapshot, snapshot.file);
    await call('apps:setRun', { appId: app.id });
  });

  it('refuses a changed host key, and says when Lifeboat is missing or too old there', async () => {
    const knownHosts = path.join(sshd.home, '.ssh', 'known_hosts');
    fs.writeFileSync(knownHosts, `${impostorKnownHostsLine(sshd)}\n`);
    const other = new LifeboatService({ dataDir: path.join(dir, 'hub-2'), origin: 'desktop', hub: true });
    try {
      const changed = await call<HostStatus>('hosts:add', { address: 'vps', command: command('vps') }, other);
      assert.equal(changed.state, 'unreachable');
      assert.equal(changed.error?.code, 'HOST_KEY_CHANGED');
      assert.equal(changed.lastSeen, null);
      const [app] = (await call<AppsOverview>('apps:list', {}, other)).apps;
      assert.equal(app, undefined, 'no apps are shown from a host whose key changed');
      const refused = await dispatch(other, 'snapshots:list', { appId: 'vps/anything' });
      assert.equal(refused.ok ? '' : refused.error.code, 'HOST_KEY_CHANGED');
      fs.writeFileSync(knownHosts, `${sshd.knownHostsLine}\n`);

      sshConfig({
        vps: { address: '127.0.0.1', port: sshd.port },
        bare: { address: '127.0.0.1', port: sshd.port },
        old: { address: '127.0.0.1', port: sshd.port },
      });
      const missing = await call<HostStatus>(
        'hosts:add',
        { address: 'bare', command: '/opt/nowhere/lifeboat' },
        other,
      );
      assert.equal(missing.error?.code, 'HOST_LIFEBOAT_MISSING');
      const oldLifeboat = path.join(dir, 'old-lifeboat');
      fs.writeFileSync(oldLifeboat, '#!/bin/sh\necho "lifeboat: Unknown command" >&2\nexit 2\n', {
        mode: 0o755,
      });
      const old = await call<HostStatus>('hosts:add', { address: 'old', command: oldLifeboat }, other);
      assert.equal(old.error?.code, 'HOST_LIFEBOAT_OUTDATED');
      assert.match(old.error?.message ?? '', /Update Lifeboat on old/);
    } finally {
      await other.shutdown();
    }
  });

  it('through the web host: no host can be added, and the host applies the web rules to what is asked', async () => {
    const web = new LifeboatService({ dataDir: path.join(dir, 'hub'), origin: 'web', hub: true });
    try {
      const add = await dispatch(web, 'hosts:add', { address: 'elsewhere' });
      assert.equal(add.ok ? '' : add.error.code, 'PERMISSION_DENIED');
      // A first look lists no host's apps until it has answered: a host that hangs holds nothing up.
      assert.deepEqual((await call<AppsOverview>('apps:list', {}, web)).apps, []);
      const reached = await call<HostStatus>('hosts:reconnect', { hostId: 'vps' }, web);
      assert.equal(reached.state, 'online');
      const overview = await call<AppsOverview>('apps:list', {}, web);
      assert.equal(overview.host.editHosts, false);
      assert.equal(overview.apps[0]?.host, 'vps');
      // A path on the host outside what it allows: refused there, as its own lifeboat serve would.
      const outside = await dispatch(web, 'apps:add', {
        database: path.join(dir, 'vps', 'other.db'),
        host: 'vps',
      });
      assert.equal(outside.ok ? '' : outside.error.code, 'PERMISSION_DENIED');
    } finally {
      await web.shutdown();
    }
  });

  it("a second host in a network namespace of its own: both hosts' apps side by side", async (t) => {
    const netns: NetworkNamespace | string = makeNetworkNamespace();
    if (typeof netns === 'string') {
      t.skip(`no network namespace can be made here (${netns})`);
      return;
    }
    let second: SshServer | null = null;
    try {
      second = await startSshd(path.join(dir, 'sshd-2'), { netns: netns.name, address: netns.address });
      // The same client key logs in there too.
      fs.copyFileSync(path.join(dir, 'sshd', 'authorized_keys'), path.join(dir, 'sshd-2', 'authorized_keys'));
      sshConfig({
        vps: { address: '127.0.0.1', port: sshd.port },
        '127.0.0.1': { address: '127.0.0.1', port: sshd.port },
        box: { address: netns.address, port: 22 },
      });
      fs.writeFileSync(
        path.join(sshd.home, '.ssh', 'known_hosts'),
        `${sshd.knownHostsLine}\n${second.knownHostsLine}\n`,
      );
      const boxDb = path.join(dir, 'box', 'kuma.db');
      fs.mkdirSync(path.dirname(boxDb));
      createLiveDatabase(boxDb, 'delete', 256 * 1024);
      const box = await call<HostStatus>('hosts:add', { address: 'box', command: command('box') });
      assert.equal(box.state, 'online', JSON.stringify(box.error));
      await call('apps:add', { database: boxDb, host: 'box', name: 'kuma' });
      const overview = await call<AppsOverview>('apps:list', {});
      assert.deepEqual(overview.apps.map((a) => `${a.host ?? ''} ${a.name}`).sort(), [
        'box kuma',
        'vps vault',
      ]);
      const kuma = overview.apps.find((a) => a.name === 'kuma');
      assert.ok(kuma !== undefined);
      const started = await call<JobStarted>('snapshots:create', { appId: kuma.id, label: 'netns' });
      const made = await finished(started.jobId);
      assert.ok(made.result.ok, JSON.stringify(made.result));
      // Everything in the namespace stops (sshd, its sessions, Lifeboat there): the host is out of
      // reach, with why and when it was last seen.
      await second.stop();
      second = null;
      let changed = false;
      const stopListening = hub.on('hosts:changed', () => (changed = true));
      const inside = spawnSync('ip', ['netns', 'pids', netns.name], { encoding: 'utf8' }).stdout;
      inside
        .split('\n')
        .filter((pid) => pid !== '')
        .forEach((pid) => process.kill(Number(pid), 'SIGKILL'));
      await until(() => changed);
      stopListening();
      const down = await call<HostStatus>('hosts:reconnect', { hostId: 'box' });
      assert.equal(down.state === 'online' ? 'still online' : down.error?.code, 'HOST_UNREACHABLE');
      assert.ok(down.lastSeen !== null);
    } finally {
      await dispatch(hub, 'hosts:remove', { hostId: 'box' });
      await second?.stop();
      netns.remove();
    }
  });

  it('a host named user@host:port, then removed: its apps leave the list, nothing on it changes', async () => {
    const address = `${sshd.user}@127.0.0.1:${sshd.port}`;
    const added = await call<HostStatus>('hosts:add', { address, command: command('vps') });
    assert.equal(added.state, 'online', JSON.stringify(added.error));
    assert.equal(added.id, '127-0-0-1');
    const both = await call<AppsOverview>('apps:list', {});
    assert.deepEqual(
      both.apps.filter((a) => a.name === 'vault').map((a) => a.host),
      ['vps', '127-0-0-1'],
    );
    const removed = await call<{ removed: string }>('hosts:remove', { hostId: added.id });
    assert.equal(removed.removed, added.id);
    const overview = await call<AppsOverview>('apps:list', {});
    assert.ok(!overview.hosts.some((h) => h.id === added.id));
    assert.ok(overview.apps.every((a) => a.host !== added.id));
    assert.match(fs.readFileSync(path.join(dir, 'vps-lifeboat', 'settings.json'), 'utf8'), /"name": "vault"/);
  });

  it('a host whose answers are malformed is an error for that host alone: the hub stays up and the other hosts work', async () => {
    const spoiler = spoilingHost();
    const modes = ['garbled', 'misshapen', 'askew', 'endless'];
    sshConfig(
      Object.fromEntries(
        ['vps', ...modes].map((alias) => [alias, { address: '127.0.0.1', port: sshd.port }]),
      ),
    );
    const other = new LifeboatService({ dataDir: path.join(dir, 'hub-3'), origin: 'desktop', hub: true });
    try {
      const vps = await call<HostStatus>('hosts:add', { address: 'vps', command: command('vps') }, other);
      assert.equal(vps.state, 'online', JSON.stringify(vps.error));
      // The app the first test added there (added again when this test runs alone: the same app).
      await call('apps:add', { database: db, host: 'vps', name: 'vault' }, other);
      for (const mode of modes) {
        await call<HostStatus>(
          'hosts:add',
          { address: mode, command: `${process.execPath} ${spoiler} ${mode} ${command('vps')}` },
          other,
        );
      }
      const overview = await call<AppsOverview>('apps:list', {}, other);
      assert.deepEqual(overview.apps.map((a) => `${a.host ?? ''} ${a.name}`).sort(), [
        'askew vault',
        'vps vault',
      ]);
      const statuses = async (): Promise<Map<string, HostStatus>> =>
        new Map((await call<AppsOverview>('apps:list', {}, other)).hosts.map((h) => [h.id, h]));
      let now = await statuses();
      await until(
        () => now.get('endless')?.state === 'unreachable' || (void statuses().then((s) => (now = s)), false),
      );
      const said: Record<string, RegExp> = {
        garbled: /sent a message of the wrong shape/,
        misshapen: /sent a message of the wrong shape/,
        endless: /sent a line longer than 32 MiB/,
      };
      for (const [host, reason] of Object.entries(said)) {
        const status = now.get(host);
        assert.equal(status?.state, 'unreachable', host);
        assert.equal(status.error?.code, 'HOST_UNREACHABLE');
        assert.match(status.error?.message ?? '', reason);
        assert.match(status.error?.message ?? '', /not Lifeboat's protocol/);
      }
      assert.equal(now.get('vps')?.state, 'online');
      assert.equal(now.get('askew')?.state, 'online');
      const vault = overview.apps.find((a) => a.host === 'vps');
      const listed = await dispatch(other, 'snapshots:list', { appId: vault?.id ?? '' });
      assert.ok(listed.ok, JSON.stringify(listed));
    } finally {
      await other.shutdown();
    }
  });

  it('an age identity goes to one host only, the one whose app a snapshot is brought back for, and only with that pull', async () => {
    const spoiler = spoilingHost();
    sshConfig({
      vps: { address: '127.0.0.1', port: sshd.port },
      nas: { address: '127.0.0.1', port: sshd.port },
    });
    const heard = { vps: path.join(dir, 'heard-vps'), nas: path.join(dir, 'heard-nas') };
    const heardBy = (file: string): string => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
    const other = new LifeboatService({ dataDir: path.join(dir, 'hub-4'), origin: 'desktop', hub: true });
    try {
      for (const [alias, file] of Object.entries(heard)) {
        const command_ = `${process.execPath} ${spoiler} spy:${file} ${command('vps')}`;
        const added = await call<HostStatus>('hosts:add', { address: alias, command: command_ }, other);
        assert.equal(added.state, 'online', JSON.stringify(added.error));
      }
      const app = await call<AppSummary>('apps:add', { database: db, host: 'vps', name: 'vault' }, other);
      const identity = `AGE-SECRET-KEY-1${'Q'.repeat(58)}`;
      // Other operations on the app, handed an identity too, send none: the contract's schemas drop it.
      for (const name of ['offsite:list', 'snapshots:list', 'database:info']) {
        await dispatch(other, name, { appId: app.id, target: 'nas', identities: [identity] });
      }
      await call<AppsOverview>('apps:list', {}, other);
      assert.match(heardBy(heard.vps), /"op":"database:info"/);
      assert.doesNotMatch(heardBy(heard.vps), /AGE-SECRET-KEY/);
      // A pull whose sending of the key was not confirmed for this host, or was for another: refused, nothing sent.
      for (const sendIdentitiesTo of [undefined, 'nas']) {
        const refused = await dispatch(other, 'offsite:pull', {
          appId: app.id,
          target: 'nas',
          id: 'x',
          identities: [identity],
          ...(sendIdentitiesTo === undefined ? {} : { sendIdentitiesTo }),
        });
        assert.equal(refused.ok, false);
        assert.match(
          refused.ok ? '' : refused.error.message,
          /brought back on the host "vps".*not confirmed/,
        );
      }
      await call<AppsOverview>('apps:list', {}, other);
      assert.doesNotMatch(heardBy(heard.vps), /AGE-SECRET-KEY|"op":"offsite:pull"/);
      // The pull that brings a snapshot back to restore it, confirmed for its host: to that host, and to no other.
      await dispatch(other, 'offsite:pull', {
        appId: app.id,
        target: 'nas',
        id: 'x',
        identities: [identity],
        sendIdentitiesTo: 'vps',
      });
      await until(() => heardBy(heard.vps).includes(identity));
      assert.doesNotMatch(heardBy(heard.vps), /sendIdentitiesTo/);
      assert.match(heardBy(heard.nas), /"op":"apps:list"/);
      assert.doesNotMatch(heardBy(heard.nas), /AGE-SECRET-KEY/);
    } finally {
      await other.shutdown();
    }
  });

  it('lifeboat hosts add, list and remove: the same hosts from the command line', () => {
    sshConfig({ vps: { address: '127.0.0.1', port: sshd.port }, attic: { address: '127.0.0.1', port: 1 } });
    const data = ['--data-dir', path.join(dir, 'hub')];
    const env = { HOME: sshd.home, SSH_AUTH_SOCK: '' };
    const added = lifeboat(['hosts', 'add', 'attic', '--command', command('attic'), ...data], dir, env);
    assert.equal(added.code, 0, added.stderr);
    assert.match(
      added.stdout,
      /Added attic as "attic"\. unreachable, never reached: attic could not be reached/,
    );
    const listed = lifeboat(['hosts', 'list', ...data], dir, env);
    assert.equal(listed.code, 1, 'a host out of reach makes the list exit 1');
    assert.match(listed.stdout, /^vps {2}vps {2}online \(Lifeboat [0-9.]+\)\n {4}apps: vault$/m);
    assert.match(listed.stdout, /^attic {2}attic {2}unreachable, never reached: .*\[HOST_UNREACHABLE\]$/m);
    const json = lifeboat(['hosts', 'list', '--json', ...data], dir, env).json<HostStatus[]>();
    assert.deepEqual(
      json.map((h) => [h.id, h.state]),
      [
        ['vps', 'online'],
        ['attic', 'unreachable'],
      ],
    );
    assert.equal(lifeboat(['hosts', 'remove', 'attic', ...data], dir, env).code, 0);
    assert.equal(lifeboat(['hosts', 'list', ...data], dir, env).code, 0);
  });
});
