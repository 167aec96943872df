// Before any job starts: workers copy the environment when they start. One second for the check of a small file.
process.env['LIFEBOAT_CHECK_BUDGET'] = '1';

import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { unwatchedControl } from '../job-control';
import { LifeboatFailure } from '../lifeboat-failure';
import { readRecord } from '../snapshot/snapshot-records';
import { createLiveDatabase, makeTempDir } from '../../testing/fixtures';
import { verifyJob } from '../../testing/run-job';
import { until } from '../../testing/wait-for';
import { IntegrityChecker } from './integrity-checker';

/**
 * A database built to be slow (issue 33), and sound: its index on `x + 0` is declared, in the schema
 * its user edited in place, as an expression of the same value that builds a 6 MB string, which
 * `PRAGMA integrity_check` evaluates for every row to compare the index with the table. The file is
 * 32 KiB; its check answers "ok" after about 25 seconds here. `quick_check` is not slowed.
 */
function slowDatabase(filePath: string): void {
  const db = new Database(filePath);
  db.exec('CREATE TABLE t(x INTEGER)');
  db.exec(
    'WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1000) INSERT INTO t SELECT x FROM n',
  );
  db.exec('CREATE INDEX slow ON t((x + 0))');
  db.unsafeMode(true);
  db.pragma('writable_schema = ON');
  db.prepare("UPDATE sqlite_schema SET sql = ? WHERE name = 'slow'").run(
    'CREATE INDEX slow ON t((x + 0 * length(hex(zeroblob(3000000 + x)))))',
  );
  const version = db.pragma('schema_version', { simple: true }) as number;
  db.pragma(`schema_version = ${version + 1}`);
  db.close();
}

/** How many checking processes run now. */
function checkersRunning(): number {
  const out = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes('integrity-check-child')).length;
}

describe('integrity checks have a time budget and can be cancelled', () => {
  let temp: { dir: string; cleanup: () => void };
  let backupsDir: string;
  let slow: string;
  let sound: string;
  before(() => {
    temp = makeTempDir();
    backupsDir = path.join(temp.dir, 'backups');
    fs.mkdirSync(backupsDir);
    slow = path.join(backupsDir, 'slow.db');
    sound = path.join(backupsDir, 'sound.db');
    slowDatabase(slow);
    createLiveDatabase(sound, 'delete', 64 * 1024);
  });
  after(() => temp.cleanup());

  it('a check that outlives its budget is stopped: TIME_BUDGET_EXCEEDED, nothing recorded, and the next snapshot is still verified', async () => {
    const started = Date.now();
    const result = await verifyJob(backupsDir, [slow, sound]);
    const seconds = (Date.now() - started) / 1000;
    assert.ok(result.ok, JSON.stringify(result));
    const [slowReport, soundReport] = result.value.reports;
    assert.equal(slowReport?.ok, false);
    assert.equal(slowReport?.error?.code, 'TIME_BUDGET_EXCEEDED');
    assert.match(slowReport?.error?.message ?? '', /did not finish within 1 s/);
    assert.ok(seconds < 10, `the verification took ${seconds} s: the slow check was not stopped`);
    // Neither verified nor marked damaged: no record was written for it.
    assert.equal(readRecord(backupsDir, 'slow.db'), null);
    assert.equal(soundReport?.ok, true, JSON.stringify(soundReport));
    assert.equal(readRecord(backupsDir, 'sound.db')?.verification?.ok, true);
    await until(() => checkersRunning() === 0, 2000);
  });

  it('a cancelled check ends within a second, and its process with it', async () => {
    const checker = new IntegrityChecker();
    let cancelled = false;
    const control = {
      ...unwatchedControl,
      throwIfCancelled: () => {
        if (cancelled) {
          throw new LifeboatFailure('CANCELLED', 'Cancelled.');
        }
      },
    };
    const asked = Date.now() + 500;
    setTimeout(() => {
      cancelled = true;
    }, 500);
    await assert.rejects(
      checker.check(slow, 20, control, 60_000),
      (error: unknown) => error instanceof LifeboatFailure && error.detail.code === 'CANCELLED',
    );
    const late = (Date.now() - asked) / 1000;
    assert.ok(late < 1, `the check ended ${late} s after it was cancelled`);
    await until(() => checkersRunning() === 0, 2000);
    // The same checker starts a new process for the next file.
    assert.deepEqual(await checker.check(sound, 20, unwatchedControl, 60_000), ['ok']);
    checker.close();
  });
});
