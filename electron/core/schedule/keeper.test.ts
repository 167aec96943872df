// Local time with daylight saving: daily schedules must run once a day across both changes.
process.env['TZ'] = 'Europe/Berlin';

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import { failed, ok } from '../../contract/errors';
import type { Schedule } from '../../contract/schedule';
import type { SnapshotEntry } from '../../contract/snapshots';
import { makeTempDir } from '../../testing/fixtures';
import { until } from '../../testing/wait-for';
import type { Alert } from '../notify/send-alerts';
import { keepApp, type AppAutomation, type KeeperActions, type KeptApp } from './keeper';
import { KeeperLoop } from './keeper-loop';
import { keeperPaths, readKeeperState } from './keeper-state';

/**
 * The keeper driven by a fake clock: the schedule, missed runs, daylight-saving days, two keepers at
 * once and the alerts. The lock and the state are real files; the snapshots are entries the fake
 * snapshot action adds at the fake time (the real snapshot job is exercised by `lifeboat run-due`).
 */

interface World {
  now: number;
  snapshots: SnapshotEntry[];
  failNext: string | null;
  alerts: Alert[];
  runs: number[];
  slowMs: number;
  /** Snapshot files each push was asked to send after; and an error the next push's target reports. */
  pushes: string[][];
  pushFails: string | null;
}

function entryAt(ms: number, n: number): SnapshotEntry {
  return {
    file: `app-${n}.db`,
    path: `/b/app-${n}.db`,
    time: new Date(ms).toISOString(),
    timeSource: 'recorded',
    label: 'scheduled',
    note: null,
    size: 4096,
    status: 'verified',
    statusReason: null,
    sha256: null,
    madeBy: 'lifeboat',
    sidecars: [],
    migration: null,
    pinned: false,
    lastVerified: null,
  };
}

function actionsOf(world: World): KeeperActions {
  return {
    now: () => world.now,
    snapshot: async () => {
      world.runs.push(world.now);
      await new Promise((resolve) => setTimeout(resolve, world.slowMs));
      if (world.failNext !== null) {
        const message = world.failNext;
        world.failNext = null;
        return failed({ code: 'DISK_FULL', message });
      }
      const entry = entryAt(world.now, world.runs.length);
      world.snapshots.unshift(entry);
      return ok({
        kind: 'created',
        snapshot: entry,
        durationMs: 1,
        sourceJournalMode: 'wal',
        pageSize: 4096,
        pageCount: 1,
      });
    },
    prune: () => Promise.resolve(failed({ code: 'INTERNAL', message: 'no retention in these tests' })),
    push: () => {
      world.pushes.push(world.snapshots.map((s) => s.file));
      const error =
        world.pushFails === null ? null : { code: 'OFFSITE_UNREACHABLE' as const, message: world.pushFails };
      return Promise.resolve(
        ok({
          ok: error === null,
          targets: [{ target: 'nas', pushed: [], present: [], skipped: [], failed: [], pruned: null, error }],
        }),
      );
    },
    list: () => Promise.resolve(world.snapshots),
    alert: (_app, alert) => {
      world.alerts.push(alert);
      return Promise.resolve([{ target: 'test', ok: true, error: null }]);
    },
    ping: () => Promise.resolve([]),
    lastDrill: () => null,
    drill: () => Promise.reject(new Error('no drills in these tests')),
  };
}

describe('the keeper', () => {
  const temp = makeTempDir();
  let world: World;
  let dir: string;
  let n = 0;
  after(() => temp.cleanup());
  beforeEach(() => {
    n += 1;
    dir = path.join(temp.dir, `app${n}`);
    fs.mkdirSync(dir);
    world = {
      now: new Date(2026, 0, 10, 12, 0).getTime(),
      snapshots: [],
      failNext: null,
      alerts: [],
      runs: [],
      slowMs: 0,
      pushes: [],
      pushFails: null,
    };
  });
  const appWith = (automation: Partial<AppAutomation>): KeptApp => ({
    id: dir,
    name: 'Vault',
    location: { databasePath: path.join(dir, 'app.db'), backupsDir: path.join(dir, 'backups') },
    automation: {
      schedule: null,
      retention: null,
      staleAfter: null,
      notify: [],
      offsite: { targets: [], app: 'vault' },
      drill: null,
      ...automation,
    },
  });
  const hours = (h: number): number => h * 3_600_000;

  it('runs when first started, then again only when the period is over', async () => {
    const app = appWith({ schedule: { every: '6h' } });
    const actions = actionsOf(world);
    assert.equal((await keepApp(app, actions)).outcome, 'ran');
    assert.equal((await keepApp(app, actions)).outcome, 'not-due');
    world.now += hours(5.9);
    assert.equal((await keepApp(app, actions)).outcome, 'not-due');
    world.now += hours(0.1);
    const pass = await keepApp(app, actions);
    assert.equal(pass.outcome, 'ran');
    assert.equal(pass.freshness.state, 'fresh');
    assert.equal(pass.freshness.nextRun, new Date(world.now + hours(6)).toISOString());
    assert.equal(world.runs.length, 2);
  });

  it('after three days asleep, runs once, not once per missed run', async () => {
    const app = appWith({ schedule: { every: '6h' } });
    const actions = actionsOf(world);
    await keepApp(app, actions);
    world.now += hours(72);
    const woke = await keepApp(app, actions);
    assert.equal(woke.outcome, 'ran');
    for (let i = 0; i < 5; i += 1) {
      assert.equal((await keepApp(app, actions)).outcome, 'not-due');
    }
    assert.equal(world.runs.length, 2);
  });

  for (const [month, what] of [
    [2, 'spring forward (02:00-03:00 does not exist)'],
    [9, 'fall back (02:00-03:00 happens twice)'],
  ] as const) {
    it(`a daily 02:30 schedule runs exactly once on each day around the ${what}`, async () => {
      const app = appWith({ schedule: { daily: '02:30' } });
      const actions = actionsOf(world);
      world.now = new Date(2026, month, 24, 12, 0).getTime();
      await keepApp(app, actions);
      world.runs = [];
      // Every 10 minutes for eight days, as a keeper ticking through the change would.
      for (const end = world.now + 8 * 86_400_000; world.now < end; world.now += 600_000) {
        await keepApp(app, actions);
      }
      const days = world.runs.map((ms) => new Date(ms).toDateString());
      assert.equal(new Set(days).size, days.length, `one run a day: ${days.join(', ')}`);
      assert.equal(days.length, 8);
      for (const ms of world.runs) {
        const at = new Date(ms);
        assert.ok(at.getHours() >= 2 && at.getHours() <= 3, `ran at ${at.toString()}`);
      }
    });
  }

  it('two keepers of one app at once: one runs it, the other skips its turn', async () => {
    const app = appWith({ schedule: { every: '1h' } });
    world.slowMs = 200;
    const [a, b] = await Promise.all([keepApp(app, actionsOf(world)), keepApp(app, actionsOf(world))]);
    assert.deepEqual([a.outcome, b.outcome].sort(), ['locked', 'ran']);
    assert.equal(world.runs.length, 1);
    assert.ok(!fs.existsSync(keeperPaths(app.location.backupsDir).lock), 'the lock is released');
  });

  it('two keeper processes: the lock of one that was killed is taken over', async () => {
    const app = appWith({ schedule: { every: '1h' } });
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    fs.mkdirSync(path.dirname(keeperPaths(app.location.backupsDir).lock), { recursive: true });
    fs.writeFileSync(keeperPaths(app.location.backupsDir).lock, dead.stdout);
    assert.equal((await keepApp(app, actionsOf(world))).outcome, 'ran');
  });

  it('alerts on every failed run and when it recovers, not on each success', async () => {
    const app = appWith({ schedule: { every: '1h' } });
    const actions = actionsOf(world);
    await keepApp(app, actions);
    world.now += hours(1);
    world.failNext = 'The disk holding /srv/backups is full.';
    const failing = await keepApp(app, actions);
    assert.equal(failing.freshness.state, 'failing');
    assert.match(failing.freshness.reason, /disk holding \/srv\/backups is full/);
    world.now += hours(1);
    world.failNext = 'Still full.';
    await keepApp(app, actions);
    world.now += hours(1);
    await keepApp(app, actions);
    world.now += hours(1);
    await keepApp(app, actions);
    assert.deepEqual(
      world.alerts.map((a) => a.event),
      ['failed', 'failed', 'recovered'],
    );
    assert.equal(readKeeperState(app.location.backupsDir).alerted, 'fresh');
  });

  it('turns stale when snapshots stop (the keeper was down), says so once, and recovers with the next run', async () => {
    const schedule: Schedule = { every: '6h' };
    const app = appWith({ schedule, staleAfter: '2h' });
    const actions = actionsOf(world);
    await keepApp(app, actions);
    world.now += hours(3);
    const stale = await keepApp(app, actions);
    assert.equal(stale.freshness.state, 'stale');
    assert.match(stale.freshness.reason, /3 h old, more than 2 h/);
    world.now += hours(1);
    await keepApp(app, actions);
    assert.deepEqual(
      world.alerts.map((a) => a.event),
      ['stale'],
    );
    world.now += hours(2);
    const back = await keepApp(app, actions);
    assert.equal(back.outcome, 'ran');
    assert.deepEqual(
      world.alerts.map((a) => a.event),
      ['stale', 'recovered'],
    );
  });

  it('stale means 1.25 times the period of the schedule: a weekday cron is not stale over the weekend', async () => {
    const app = appWith({ schedule: { cron: '0 9 * * 1-5' } });
    const actions = actionsOf(world);
    world.now = new Date(2026, 0, 9, 9, 0).getTime(); // Friday 09:00
    await keepApp(app, actions);
    world.now = new Date(2026, 0, 12, 8, 59).getTime(); // Monday 08:59
    const monday = await keepApp(app, actions);
    assert.equal(monday.outcome, 'not-due');
    assert.equal(monday.freshness.state, 'fresh');
    assert.equal(monday.freshness.staleAfterMs, 1.25 * 3 * 86_400_000);
  });

  it('takes no scheduled snapshot while the database is being restored, and takes it on the first pass after', async () => {
    const app = appWith({ schedule: { every: '1h' } });
    const journal = path.join(dir, '.app.db.lifeboat-restore.json');
    fs.writeFileSync(journal, '{}');
    assert.equal((await keepApp(app, actionsOf(world))).outcome, 'restoring');
    assert.equal(world.runs.length, 0);
    fs.rmSync(journal);
    assert.equal((await keepApp(app, actionsOf(world))).outcome, 'ran');
  });

  it('without a schedule it runs nothing, and is stale after a week without a snapshot', async () => {
    const app = appWith({});
    world.snapshots = [entryAt(world.now - 8 * 86_400_000, 0)];
    const pass = await keepApp(app, actionsOf(world));
    assert.equal(pass.outcome, 'no-schedule');
    assert.equal(pass.freshness.state, 'stale');
    assert.equal(world.runs.length, 0);
  });

  it('sends each scheduled snapshot offsite when the app has targets, and a push that fails is a failed run', async () => {
    const offsite = { targets: [{ name: 'nas', url: 'file:///mnt/nas' }], app: 'vault' };
    const app = appWith({ schedule: { every: '6h' }, offsite });
    const actions = actionsOf(world);
    const first = await keepApp(app, actions);
    assert.equal(first.outcome, 'ran');
    assert.deepEqual(world.pushes, [['app-1.db']]);
    assert.equal(first.offsiteError, null);
    assert.equal(world.alerts.length, 0);

    world.now += hours(6);
    world.pushFails = 'nas.local could not be reached (ECONNREFUSED).';
    const second = await keepApp(app, actions);
    assert.equal(second.error, null);
    assert.match(
      second.offsiteError?.message ?? '',
      /^Offsite copy to nas failed: nas.local could not be reached/,
    );
    assert.deepEqual(
      world.alerts.map((a) => [a.event, a.reason]),
      [['failed', second.offsiteError?.message]],
    );
    // Without targets nothing is pushed.
    world.now += hours(6);
    await keepApp(appWith({ schedule: { every: '6h' } }), actions);
    assert.equal(world.pushes.length, 2);
  });

  it('each app is kept on its own: one whose snapshot hangs delays no other, and is not started again while it runs', async () => {
    const slowApp = appWith({ schedule: { every: '1h' } });
    dir = path.join(temp.dir, `app${n}-quick`);
    fs.mkdirSync(dir);
    const quickApp = { ...appWith({ schedule: { every: '1h' } }), name: 'Quick' };
    const started: string[] = [];
    let release = (): void => undefined;
    const hanging = new Promise<void>((resolve) => {
      release = resolve;
    });
    const base = actionsOf(world);
    const actions: KeeperActions = {
      ...base,
      snapshot: async (app, label) => {
        started.push(app.name);
        if (app === slowApp) {
          await hanging;
        }
        return base.snapshot(app, label);
      },
    };
    const reported: string[] = [];
    const loop = new KeeperLoop(
      () => [slowApp, quickApp],
      actions,
      (app, pass) => reported.push(`${app.name}: ${pass.ok ? pass.value.outcome : pass.error.code}`),
      3_600_000,
    );
    void loop.pass();
    await until(() => reported.includes('Quick: ran'));
    world.now += hours(1);
    await loop.pass();
    // The quick app ran twice; the slow one was started once and has not been started again.
    assert.deepEqual(started, ['Vault', 'Quick', 'Quick']);
    assert.deepEqual(reported, ['Quick: ran', 'Quick: ran']);
    release();
    await loop.stop();
    assert.deepEqual(reported, ['Quick: ran', 'Quick: ran', 'Vault: ran']);
  });
});
