import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeTempDir } from '../../testing/fixtures';
import { BackupsWatcher } from './backups-watcher';

describe('following a backups folder', () => {
  let temp: { dir: string; cleanup: () => void };
  before(() => {
    temp = makeTempDir();
  });
  after(() => temp.cleanup());

  async function changesAfter(seen: string[], act: () => void): Promise<string[]> {
    seen.length = 0;
    act();
    for (let waited = 0; waited < 3000 && seen.length === 0; waited += 50) {
      await sleep(50);
    }
    await sleep(400); // Anything more would be a second report of the same change.
    return [...seen];
  }

  it('reports a file added, changed and deleted, once per burst, and nothing once unfollowed', async () => {
    const dir = path.join(temp.dir, 'backups');
    fs.mkdirSync(dir);
    const seen: string[] = [];
    const watcher = new BackupsWatcher((appId) => seen.push(appId), 100);
    try {
      watcher.follow('app-1', dir);
      const file = path.join(dir, 'app-20260101-000000-script.db');
      assert.deepEqual(await changesAfter(seen, () => fs.writeFileSync(file, Buffer.alloc(64 * 1024))), [
        'app-1',
      ]);
      assert.deepEqual(await changesAfter(seen, () => fs.appendFileSync(file, 'x')), ['app-1']);
      assert.deepEqual(await changesAfter(seen, () => fs.rmSync(file)), ['app-1']);
      watcher.unfollow('app-1');
      assert.deepEqual(await changesAfter(seen, () => fs.writeFileSync(file, 'again')), []);
    } finally {
      watcher.close();
    }
  });

  it('a folder that does not exist yet is followed once it does', async () => {
    const dir = path.join(temp.dir, 'later');
    const seen: string[] = [];
    const watcher = new BackupsWatcher((appId) => seen.push(appId), 100);
    try {
      watcher.follow('app-2', dir);
      fs.mkdirSync(dir);
      watcher.follow('app-2', dir);
      assert.deepEqual(await changesAfter(seen, () => fs.writeFileSync(path.join(dir, 'a.db'), 'x')), [
        'app-2',
      ]);
    } finally {
      watcher.close();
    }
  });
});
