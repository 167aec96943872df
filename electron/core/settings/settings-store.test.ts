import assert from 'node:assert/strict';
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
    store.update((s) => ({ ...s, apps: [{ id: 'a', name: 'Shop', databasePath: '/srv/shop.db', backupsDir: '/srv/backups' }] }));
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
    assert.throws(() => store.update((s) => ({ ...s, apps: [{ id: '', name: '', databasePath: '', backupsDir: '' }] })));
    assert.equal(fs.existsSync(path.join(dir, 'settings.json')), false);
  });
});
