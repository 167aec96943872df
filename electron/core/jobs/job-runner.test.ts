import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLiveDatabase, makeTempDir } from '../../testing/fixtures';
import { createdSnapshotPath, verifyJob } from '../../testing/run-job';
import { maxRunningJobs } from './job-runner';

/** The threads this process runs now, as the kernel counts them. */
function threadCount(): number {
  return Number(/^Threads:\s+(\d+)/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1]);
}

describe(
  'the job runner',
  { skip: fs.existsSync('/proc/self/status') ? false : 'counts threads in /proc (Linux)' },
  () => {
    let temp: { dir: string; cleanup: () => void };
    before(() => {
      temp = makeTempDir();
    });
    after(() => temp.cleanup());

    it('runs a burst of jobs a few at a time: every one finishes, and the threads stay bounded', async () => {
      const databasePath = path.join(temp.dir, 'app.db');
      createLiveDatabase(databasePath, 'delete', 4 * 1024 * 1024);
      const backupsDir = path.join(temp.dir, 'backups');
      const snapshot = await createdSnapshotPath({ databasePath, backupsDir });
      const baseline = threadCount();
      let peak = baseline;
      const sampler = setInterval(() => (peak = Math.max(peak, threadCount())), 2);
      const burst = 6 * maxRunningJobs;
      const results = await Promise.all(
        Array.from({ length: burst }, () => verifyJob(backupsDir, [snapshot])),
      );
      clearInterval(sampler);
      assert.equal(results.filter((r) => r.ok && r.value.ok).length, burst);
      // One thread per running worker (plus a few that V8 starts as it pleases), never one per request.
      assert.ok(
        peak - baseline <= maxRunningJobs + 4,
        `${peak - baseline} threads more for ${burst} jobs (limit ${maxRunningJobs})`,
      );
    });
  },
);
