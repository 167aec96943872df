import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLiveDatabase, makeTempDir, sha256 } from '../../testing/fixtures';
import { unwatchedControl, type JobControl } from '../job-control';
import { copyConsistently } from './consistent-copy';

/** Another process's write with no busy wait, as an app's writer would try it: 'written' or why not. */
function writeFromAnotherProcess(databasePath: string): string {
  const result = spawnSync(
    'sqlite3',
    ['-cmd', '.timeout 0', databasePath, "INSERT INTO ledger (account, amount, at) VALUES (1, 1, 'copy')"],
    { encoding: 'utf8' },
  );
  return result.status === 0 ? 'written' : result.stderr.trim();
}

describe('consistent copy', () => {
  let temp: { dir: string; cleanup: () => void };
  before(() => {
    temp = makeTempDir();
  });
  after(() => temp.cleanup());

  it("holds a rollback-journal database's shared lock until the last page is copied, although the copy opens the file itself", async () => {
    // POSIX locks belong to the process: closing any descriptor of the file (a clone that was
    // refused, a read) lets go of SQLite's lock too, and the app could then write mid-copy.
    const databasePath = path.join(temp.dir, 'rollback.db');
    createLiveDatabase(databasePath, 'delete', 16 * 1024 * 1024);
    const before = sha256(databasePath);
    const attempts: string[] = [];
    const control: JobControl = {
      ...unwatchedControl,
      report: (_phase, fraction) => {
        if (fraction > 0 && fraction < 1) {
          attempts.push(writeFromAnotherProcess(databasePath));
        }
      },
    };
    const copyPath = path.join(temp.dir, 'copy.db');
    const fd = fs.openSync(copyPath, 'wx+');
    try {
      const copy = await copyConsistently(databasePath, fd, control);
      assert.equal(await copy.sha256.digest, sha256(copyPath));
    } finally {
      fs.closeSync(fd);
    }
    assert.ok(attempts.length >= 3, `tried to write during the copy ${attempts.length} times`);
    for (const attempt of attempts) {
      assert.match(attempt, /database is locked/);
    }
    assert.equal(sha256(copyPath), before, 'the copy is the file as it was');
    assert.equal(writeFromAnotherProcess(databasePath), 'written', 'the lock is let go after the copy');
  });
});
