import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JobEvents } from '../../contract/events';
import { createLiveDatabase, makeTempDir } from '../../testing/fixtures';
import { giveToAppUser, hostileUserSkip, runAsAppUser } from '../../testing/hostile-user';
import { until } from '../../testing/wait-for';
import { lifeboat } from '../../testing/cli-run';
import { LifeboatService } from '../service/lifeboat-service';
import { keeperPaths } from './keeper-state';

/**
 * Issue 33, "one hostile app never stops the others": Lifeboat's keeper runs as root over several
 * apps, each folder owned by its app's user (played by `nobody`). What one app's user puts in its
 * folders fails that app alone, loudly (red, with the reason, and an alert); the others keep their
 * schedules, and the keeper takes back a lock that holds nothing.
 */
describe('one hostile app never stops the others', { skip: hostileUserSkip }, () => {
  let temp: { dir: string; cleanup: () => void };
  before(() => {
    temp = makeTempDir();
    // Root's, and open to the app users: each app's own folder is its user's (or root's, below).
    fs.chmodSync(temp.dir, 0o755);
  });
  after(() => temp.cleanup());

  /**
   * An app folder with a live database and its backups/.lifeboat folder, owned by the app user, or by
   * root (whose own lifeboat.json Lifeboat acts on, mistakes included).
   */
  function appFolder(
    name: string,
    owner: 'app' | 'root' = 'app',
  ): { dir: string; db: string; records: string } {
    const dir = path.join(temp.dir, name);
    fs.mkdirSync(dir, { mode: 0o755 });
    const db = path.join(dir, 'app.db');
    createLiveDatabase(db, 'wal', 32 * 1024);
    const records = path.join(dir, 'backups', '.lifeboat');
    fs.mkdirSync(records, { recursive: true });
    if (owner === 'app') {
      giveToAppUser(dir, db, path.join(dir, 'backups'), records);
    }
    return { dir, db, records };
  }

  const snapshotsOf = (dir: string): string[] =>
    fs.readdirSync(path.join(dir, 'backups')).filter((f) => f.endsWith('.db'));

  it("a linked .lifeboat folder, a damaged lifeboat.json and a schedule that never fires each fail their own app, red and alerted; garbage keeper locks are taken back; the app user's garbage lifeboat.json is ignored; the good app gets its snapshot", async () => {
    const vault = path.join(temp.dir, 'vault');
    fs.mkdirSync(vault, { mode: 0o700 });
    const linked = appFolder('linked');
    const damaged = appFolder('damaged', 'root');
    const never = appFolder('never', 'root');
    const fifoLock = appFolder('fifo-lock');
    const garbageLock = appFolder('garbage-lock');
    const ignored = appFolder('ignored');
    const good = appFolder('good');
    const service = new LifeboatService({ dataDir: path.join(temp.dir, 'data'), origin: 'desktop' });
    const alerts: JobEvents['keeper:alert'][] = [];
    service.on('keeper:alert', (alert) => alerts.push(alert));
    const logged: string[] = [];
    try {
      const ids = new Map<string, string>();
      // The good app last: when its snapshot is logged, the pass has been through every hostile one.
      for (const folder of [linked, damaged, never, fifoLock, garbageLock, ignored, good]) {
        const added = await service.handlers['apps:add']({ database: folder.db });
        await service.handlers['apps:setAutomation']({ appId: added.id, schedule: { every: '1h' } });
        ids.set(folder.dir, added.id);
      }
      // The app users strike once everything is set up.
      runAsAppUser(
        `const fs = require('fs'); const [records, vault] = process.argv.slice(1);
         fs.rmSync(records, { recursive: true }); fs.symlinkSync(vault, records);`,
        linked.records,
        vault,
      );
      // Root's own mistakes in files Lifeboat acts on: they fail that app alone.
      fs.writeFileSync(path.join(damaged.dir, 'lifeboat.json'), '{"schedule": ');
      fs.writeFileSync(
        path.join(never.dir, 'lifeboat.json'),
        JSON.stringify({ schedule: { cron: '0 0 31 2 *' } }),
      );
      // The same from the app user is not even read: its app keeps the schedule set in Lifeboat.
      runAsAppUser(
        `require('fs').writeFileSync(process.argv[1], '{"schedule": ')`,
        path.join(ignored.dir, 'lifeboat.json'),
      );
      const past = Date.now() / 1000 - 3600;
      runAsAppUser(
        `const fs = require('fs'); const lock = process.argv[1];
         require('child_process').execFileSync('mkfifo', [lock]); fs.utimesSync(lock, ${past}, ${past});`,
        keeperPaths(path.join(fifoLock.dir, 'backups')).lock,
      );
      runAsAppUser(
        `const fs = require('fs'); const lock = process.argv[1];
         fs.writeFileSync(lock, 'not a pid'); fs.utimesSync(lock, ${past + 7200}, ${past + 7200});`,
        keeperPaths(path.join(garbageLock.dir, 'backups')).lock,
      );

      service.startKeeper((line) => logged.push(line));
      // Seven lines: three apps failed, four snapshots taken (the good app's last).
      await until(() => logged.length >= 7);

      assert.equal(snapshotsOf(good.dir).length, 1, 'the good app got no scheduled snapshot');
      assert.equal(
        snapshotsOf(fifoLock.dir).length,
        1,
        'a FIFO left as keeper.lock kept the schedule from running',
      );
      assert.equal(
        snapshotsOf(garbageLock.dir).length,
        1,
        'a garbage keeper.lock kept the schedule from running',
      );
      assert.equal(
        snapshotsOf(ignored.dir).length,
        1,
        "the app user's damaged lifeboat.json kept the schedule from running",
      );
      for (const folder of [linked, damaged, never]) {
        assert.deepEqual(snapshotsOf(folder.dir), [], `${folder.dir} got a snapshot`);
      }
      assert.deepEqual(fs.readdirSync(vault), [], 'root wrote through the linked .lifeboat folder');

      const summaries = new Map((await service.handlers['apps:list']({})).apps.map((app) => [app.id, app]));
      const expected: [typeof linked, RegExp][] = [
        [linked, /\.lifeboat is a link or a file, not a folder/],
        [damaged, /lifeboat\.json.*No scheduled snapshot is taken until the file is fixed/s],
        [never, /"0 0 31 2 \*" never runs/],
      ];
      for (const [folder, reason] of expected) {
        const id = ids.get(folder.dir) ?? '';
        const summary = summaries.get(id);
        assert.equal(summary?.health, 'failing', `${folder.dir}: ${summary?.healthText ?? ''}`);
        assert.match(summary.healthText, /^The keeper cannot look after this app: /);
        assert.match(summary.healthText, reason);
        const told = alerts.filter((a) => a.appId === id);
        assert.equal(told.length, 1, `${folder.dir}: ${JSON.stringify(alerts)}`);
        assert.equal(told[0]?.event, 'failed');
        assert.match(told[0]?.reason ?? '', reason);
      }
      for (const folder of [good, fifoLock, garbageLock, ignored]) {
        assert.equal(summaries.get(ids.get(folder.dir) ?? '')?.health, 'ok');
      }
      assert.equal(
        summaries.get(ids.get(ignored.dir) ?? '')?.settingsIgnored?.reason,
        'it is owned by uid 65534',
      );

      // The next pass says nothing new about the same trouble: one alert per reason, not one a minute.
      await service.handlers['apps:setAutomation']({
        appId: ids.get(good.dir) ?? '',
        schedule: { every: '1h' },
      });
      await until(() => logged.length >= 10);
      assert.equal(alerts.length, 3, JSON.stringify(alerts));
    } finally {
      await service.shutdown();
    }
  });

  it("the keeper's record in the app's folder is evidence only when Lifeboat wrote it: a forged last run never stops the schedule", () => {
    const app = appFolder('forged-record');
    const settings = path.join(temp.dir, 'forged-record.json');
    fs.writeFileSync(settings, JSON.stringify({ database: 'app.db', schedule: { every: '1h' } }));
    const runDue = (): string => {
      const run = lifeboat(['run-due', '--app', app.dir, '--settings', settings, '--json'], app.dir);
      assert.equal(run.code, 0, run.stderr);
      return run.json<{ outcome: string }>().outcome;
    };
    assert.equal(runDue(), 'ran');
    assert.equal(runDue(), 'not-due', 'the record Lifeboat wrote is taken');
    const state = keeperPaths(path.join(app.dir, 'backups')).state;
    const forged = (at: string): string =>
      JSON.stringify({ version: 1, lastRun: { at, ok: true, message: '', snapshot: null }, alerted: null });
    // The app user's own file, saying the last run was just now: not Lifeboat's, so no evidence.
    runAsAppUser(
      `const fs = require('fs'); fs.rmSync(process.argv[1]); fs.writeFileSync(process.argv[1], process.argv[2]);`,
      state,
      forged(new Date().toISOString()),
    );
    assert.equal(runDue(), 'ran');
    // Lifeboat's own file with a last run years ahead (a clock set wrong, then put right): due now, not in 2031.
    fs.writeFileSync(state, forged('2031-01-01T00:00:00.000Z'));
    assert.equal(runDue(), 'ran');
    assert.equal(snapshotsOf(app.dir).length, 3);
  });
});
