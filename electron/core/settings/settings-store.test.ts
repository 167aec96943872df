import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeTempDir } from '../../testing/fixtures';
import { SettingsStore } from './settings-store';

describe('the settings file', () => {
  let temp: { dir: string; cleanup: () => void };
  before(() => {
    temp = makeTempDir();
  });
  after(() => temp.cleanup());

  it('starts empty, then keeps what was saved', () => {
    const dir = fs.mkdtempSync(path.join(temp.dir, 'ok-'));
    const store = new SettingsStore(dir);
    assert.deepEqual(store.apps, []);
    assert.equal(store.problem, null);
    store.update((s) => ({
      ...s,
      apps: [{ id: 'a', name: 'Shop', databasePath: '/srv/shop.db', backupsDir: '/srv/backups' }],
    }));
    const again = new SettingsStore(dir);
    assert.equal(again.apps[0]?.name, 'Shop');
    assert.deepEqual(fs.readdirSync(dir), ['settings.json'], 'no temporary file left');
  });

  for (const [what, content] of [
    ['not JSON', '{"version": 1, "apps": ['],
    ['the wrong shape', '{"version": 1, "apps": [{"id": 3}]}'],
  ] as const) {
    it(`keeps a damaged file (${what}) aside and reports it, never replacing it silently`, () => {
      const dir = fs.mkdtempSync(path.join(temp.dir, 'damaged-'));
      fs.writeFileSync(path.join(dir, 'settings.json'), content);
      const store = new SettingsStore(dir, () => new Date('2026-01-02T03:04:05Z'));
      assert.deepEqual(store.apps, []);
      assert.match(store.problem ?? '', /damaged/);
      const keptAside = path.join(dir, 'settings.damaged-2026-01-02T03-04-05-000Z.json');
      assert.ok(store.problem?.includes(keptAside));
      assert.equal(fs.readFileSync(keptAside, 'utf8'), content);
      assert.equal(fs.existsSync(path.join(dir, 'settings.json')), false);
    });
  }

  it('refuses to save settings that do not validate', () => {
    const dir = fs.mkdtempSync(path.join(temp.dir, 'invalid-'));
    const store = new SettingsStore(dir);
    assert.throws(() =>
      store.update((s) => ({ ...s, apps: [{ id: '', name: '', databasePath: '', backupsDir: '' }] })),
    );
    assert.equal(fs.existsSync(path.join(dir, 'settings.json')), false);
  });

  it("two processes on one data folder never lose each other's changes, and each sees the other's", async () => {
    const dir = fs.mkdtempSync(path.join(temp.dir, 'shared-'));
    const mine = new SettingsStore(dir);
    // Two other processes (as the desktop app and lifeboat serve would be) each add 25 apps, interleaved.
    const adder = `
      const { SettingsStore } = require(${JSON.stringify(require.resolve('./settings-store'))});
      const store = new SettingsStore(process.argv[1]);
      for (let i = 0; i < 25; i += 1) {
        const id = process.argv[2] + '-' + i;
        store.update((s) => ({ ...s, apps: [...s.apps, { id, name: id, databasePath: '/srv/' + id + '.db', backupsDir: '/srv/backups' }] }));
      }`;
    const run = (name: string): Promise<number | null> =>
      new Promise((resolve) =>
        spawn(process.execPath, ['-e', adder, dir, name], { stdio: 'inherit' }).on('close', resolve),
      );
    assert.deepEqual(await Promise.all([run('desktop'), run('serve')]), [0, 0]);
    assert.equal(mine.apps.length, 50, 'this process sees what the two others added, without a restart');
    mine.update((s) => ({ ...s, apps: s.apps.filter((a) => a.id !== 'serve-3') }));
    const fresh = new SettingsStore(dir);
    assert.equal(fresh.apps.length, 49);
    assert.equal(
      fresh.apps.some((a) => a.id === 'serve-3'),
      false,
    );
    assert.equal(
      fs.statSync(path.join(dir, 'settings.json')).mode & 0o777,
      0o600,
      'readable by its owner only: run settings may hold secrets',
    );
    assert.deepEqual(fs.readdirSync(dir), ['settings.json'], 'no lock or temporary file left');
  });

  it('takes over the lock of a process that died holding it', async () => {
    const dir = fs.mkdtempSync(path.join(temp.dir, 'stale-'));
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => dead.on('close', resolve));
    fs.writeFileSync(path.join(dir, 'settings.json.lock'), String(dead.pid));
    const store = new SettingsStore(dir);
    store.update((s) => ({
      ...s,
      apps: [{ id: 'a', name: 'Shop', databasePath: '/srv/shop.db', backupsDir: '/srv/backups' }],
    }));
    assert.equal(new SettingsStore(dir).apps.length, 1);
  });
});
