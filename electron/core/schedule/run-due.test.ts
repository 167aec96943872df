import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { lifeboat, lifeboatAsync } from '../../testing/cli-run';
import { createLiveDatabase, makeTempDir } from '../../testing/fixtures';
import { LifeboatService } from '../service/lifeboat-service';
import type { KeeperPass } from './keeper';
import { keeperPaths, readKeeperState, writeKeeperState } from './keeper-state';

/** `lifeboat run-due` and the keeper of `lifeboat serve` and the desktop app, on a real database with real snapshot jobs. */

const snapshotsIn = (dir: string): string[] =>
  fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.db'))
        .sort()
    : [];

describe('scheduled snapshots', () => {
  let temp: { dir: string; cleanup: () => void };
  let hooks: Record<string, unknown>[];
  let server: http.Server;
  let hookUrl = '';
  before(async () => {
    temp = makeTempDir();
    hooks = [];
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        hooks.push(JSON.parse(body) as Record<string, unknown>);
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/lifeboat`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    temp.cleanup();
  });

  it("run-due: takes the snapshot when due, applies retention, logs it as the schedule's, then waits for the next period", async () => {
    const dir = path.join(temp.dir, 'shop');
    fs.mkdirSync(dir);
    createLiveDatabase(path.join(dir, 'app.db'), 'wal', 64 * 1024);
    fs.writeFileSync(
      path.join(dir, 'lifeboat.json'),
      JSON.stringify({
        database: 'app.db',
        schedule: { every: '1h', label: 'hourly' },
        retention: { keepLast: 2 },
        notify: [{ kind: 'webhook', url: hookUrl }],
      }),
    );
    const first = await lifeboatAsync(['run-due', '--app', dir, '--json'], dir);
    assert.equal(first.code, 0, first.stderr);
    const pass = first.json<KeeperPass>();
    assert.equal(pass.outcome, 'ran');
    assert.match(pass.snapshot ?? '', /^app-\d{8}-\d{6}-hourly\.db$/);
    assert.equal(pass.freshness.state, 'fresh');
    const log = fs.readFileSync(path.join(dir, 'backups', '.lifeboat', 'activity.jsonl'), 'utf8');
    assert.match(log, /"action":"snapshot".*"origin":"schedule"/);
    const again = await lifeboatAsync(['run-due', '--app', dir], dir);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /Not due: the next scheduled snapshot is at/);
    // Three more periods, each made due by moving the last run back an hour: retention keeps two.
    for (let i = 0; i < 3; i += 1) {
      const state = readKeeperState(path.join(dir, 'backups'));
      writeKeeperState(path.join(dir, 'backups'), {
        ...state,
        lastRun:
          state.lastRun === null
            ? null
            : { ...state.lastRun, at: new Date(Date.parse(state.lastRun.at) - 3_600_000).toISOString() },
      });
      const run = await lifeboatAsync(['run-due', '--app', dir, '--json'], dir);
      assert.equal(run.json<KeeperPass>().outcome, 'ran', run.stdout);
      await new Promise((resolve) => setTimeout(resolve, 1100)); // Snapshot names have one-second resolution.
    }
    assert.equal(snapshotsIn(path.join(dir, 'backups')).length, 2);
    assert.deepEqual(hooks, [], 'no alert while all goes well');
    // info and list say how fresh it is, with the schedule the keeper follows.
    const info = (await lifeboatAsync(['info', '--db', 'app.db', '--json'], dir)).json<{
      freshness: { state: string; schedule: string; nextRun: string };
    }>();
    assert.equal(info.freshness.state, 'fresh');
    assert.equal(info.freshness.schedule, 'every 1h');
    const list = await lifeboatAsync(['list', '--db', 'app.db'], dir);
    assert.match(
      list.stdout,
      /Freshness +fresh\. The newest snapshot is .* old \(the schedule is every 1h; stale after 75 min\)\./,
    );
  });

  it('a failed run exits 1, is recorded as failing, alerts; the next good run alerts that it recovered', async () => {
    const dir = path.join(temp.dir, 'wiki');
    fs.mkdirSync(dir);
    const db = path.join(dir, 'app.db');
    fs.writeFileSync(db, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4080, 7)]));
    fs.writeFileSync(
      path.join(dir, 'lifeboat.json'),
      JSON.stringify({
        database: 'app.db',
        schedule: { daily: '03:30' },
        notify: [{ kind: 'webhook', url: hookUrl }],
      }),
    );
    const failed = await lifeboatAsync(['run-due', '--app', dir, '--json'], dir);
    assert.equal(failed.code, 1, failed.stdout);
    const pass = failed.json<KeeperPass>();
    assert.equal(pass.freshness.state, 'failing');
    assert.ok(pass.error !== null);
    assert.deepEqual(
      hooks.map((h) => [h['event'], h['state']]),
      [['failed', 'failing']],
    );
    fs.rmSync(db);
    createLiveDatabase(db, 'delete', 32 * 1024);
    const state = readKeeperState(path.join(dir, 'backups'));
    writeKeeperState(path.join(dir, 'backups'), {
      ...state,
      lastRun:
        state.lastRun === null
          ? null
          : { ...state.lastRun, at: new Date(Date.now() - 2 * 86_400_000).toISOString() },
    });
    const good = await lifeboatAsync(['run-due', '--app', dir, '--json'], dir);
    assert.equal(good.code, 0, good.stdout);
    assert.equal(good.json<KeeperPass>().freshness.state, 'fresh');
    assert.deepEqual(
      hooks.map((h) => h['event']),
      ['failed', 'recovered'],
    );
  });

  it('two run-due at once (cron on two machines sharing the folder): one snapshot', async () => {
    const dir = path.join(temp.dir, 'race');
    fs.mkdirSync(dir);
    createLiveDatabase(path.join(dir, 'app.db'), 'wal', 4 * 1024 * 1024);
    fs.writeFileSync(
      path.join(dir, 'lifeboat.json'),
      JSON.stringify({ database: 'app.db', schedule: { every: '6h' } }),
    );
    const run = async (): Promise<KeeperPass> =>
      (await lifeboatAsync(['run-due', '--app', dir, '--json'], dir)).json<KeeperPass>();
    const passes = await Promise.all([run(), run(), run()]);
    assert.equal(
      passes.filter((p) => p.outcome === 'ran').length,
      1,
      JSON.stringify(passes.map((p) => p.outcome)),
    );
    assert.equal(snapshotsIn(path.join(dir, 'backups')).length, 1);
    assert.ok(!fs.existsSync(keeperPaths(path.join(dir, 'backups')).lock));
  });

  it('without a schedule, run-due says where to set one', () => {
    const dir = path.join(temp.dir, 'plain');
    fs.mkdirSync(dir);
    createLiveDatabase(path.join(dir, 'app.db'), 'wal', 32 * 1024);
    const run = lifeboat(['run-due', '--db', 'app.db'], dir);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /No schedule .* "schedule" in lifeboat\.json/);
  });

  it("the keeper of the desktop app and of serve: scheduled snapshots from the app's settings, shown as jobs, with freshness", async () => {
    const dir = path.join(temp.dir, 'notes');
    fs.mkdirSync(dir);
    createLiveDatabase(path.join(dir, 'app.db'), 'wal', 32 * 1024);
    const service = new LifeboatService({ dataDir: path.join(temp.dir, 'data'), origin: 'desktop' });
    try {
      const added = await service.handlers['apps:add']({ database: path.join(dir, 'app.db') });
      assert.equal(added.freshness?.state, 'never');
      assert.equal(added.health, 'no-snapshots');
      const bad = service.handlers['apps:setAutomation']({
        appId: added.id,
        schedule: { cron: '0 0 31 2 *' },
      });
      await assert.rejects(bad, /never runs/);
      const set = await service.handlers['apps:setAutomation']({
        appId: added.id,
        schedule: { every: '12h', label: 'twice-daily' },
        retention: { keepDaily: 7 },
      });
      assert.deepEqual(set.automation.schedule, { every: '12h', label: 'twice-daily' });
      const finished = new Promise<string>((resolve) =>
        service.on('job:finished', (event) => resolve(event.kind)),
      );
      service.startKeeper();
      assert.equal(await finished, 'snapshot');
      const [summary] = (await service.handlers['apps:list']({})).apps;
      assert.equal(summary?.freshness?.state, 'fresh');
      assert.equal(summary?.health, 'ok');
      assert.match(summary?.freshness?.reason ?? '', /every 12h/);
      assert.match(summary?.newestSnapshot?.file ?? '', /twice-daily/);
      const preview = await service.handlers['retention:preview']({
        appId: added.id,
        rules: { keepLast: 1 },
      });
      assert.equal(preview.dryRun, true);
      assert.deepEqual(
        preview.snapshots.map((d) => d.decision),
        ['keep'],
      );
    } finally {
      await service.shutdown();
    }
  });
});
