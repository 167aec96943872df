import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PruneResult } from '../../contract/retention';
import { lifeboat } from '../../testing/cli-run';
import { createLiveDatabase, makeTempDir } from '../../testing/fixtures';
import { giveToAppUser, hostileUserSkip } from '../../testing/hostile-user';
import { createdSnapshotPath } from '../../testing/run-job';
import { resolveLocation, type DatabaseLocation } from '../database-location';
import { startJob } from '../jobs/job-runner';
import { restorePaths } from '../restore/restore-journal';
import type { PlannedSnapshot } from './prune-snapshots';
import { readRecord, writeRecord } from '../snapshot/snapshot-records';

/**
 * `lifeboat prune` on real snapshots taken by the snapshot job, dated over a week by rewriting the time
 * their records give (the clock of the test, not of the machine): what the rules keep, what they
 * delete, and what nothing deletes.
 */

const day = 86_400_000;
// Noon a week ago, local time: far from midnight, so each snapshot falls on the day it is meant to.
const base = new Date(new Date().setHours(12, 0, 0, 0) - 7 * day).getTime();

/** Takes a snapshot and dates it `days` after base, `hours` into that day. */
async function snapshotAt(location: DatabaseLocation, days: number, hours: number): Promise<string> {
  const snapshot = await createdSnapshotPath(location, `d${days}h${hours}`);
  const file = path.basename(snapshot);
  const record = readRecord(location.backupsDir, file);
  assert.ok(record !== null);
  writeRecord(location.backupsDir, {
    ...record,
    recordedAt: new Date(base + days * day + hours * 3_600_000).toISOString(),
  });
  return file;
}

const decisionsOf = (result: PruneResult): Record<string, string> =>
  Object.fromEntries(result.snapshots.map((d) => [d.file, d.decision]));

describe('lifeboat prune', () => {
  let temp: { dir: string; cleanup: () => void };
  let location: DatabaseLocation;
  const files: Record<string, string> = {};
  before(async () => {
    temp = makeTempDir();
    createLiveDatabase(path.join(temp.dir, 'app.db'), 'wal', 64 * 1024);
    location = resolveLocation('app.db', undefined, temp.dir);
    // Days 0..5, two snapshots on day 5 (morning and evening) and on day 3.
    for (const [name, days, hours] of [
      ['d0', 0, 0],
      ['d1', 1, 0],
      ['d2', 2, 0],
      ['d3am', 3, -2],
      ['d3pm', 3, 6],
      ['d4', 4, 0],
      ['d5am', 5, -2],
      ['d5pm', 5, 6],
    ] as const) {
      files[name] = await snapshotAt(location, days, hours);
    }
  });
  after(() => temp.cleanup());

  it('dry run: keep-daily 3 keeps the newest of each of the three newest days, and deletes nothing', () => {
    const run = lifeboat(['prune', '--db', 'app.db', '--keep-daily', '3', '--dry-run', '--json'], temp.dir);
    assert.equal(run.code, 0, run.stderr);
    const result = run.json<PruneResult>();
    assert.equal(result.dryRun, true);
    assert.deepEqual(result.deleted, []);
    const kept = result.snapshots
      .filter((d) => d.decision === 'keep')
      .map((d) => d.file)
      .sort();
    assert.deepEqual(kept, [files['d5pm'], files['d4'], files['d3pm']].sort());
    const d3pm = result.snapshots.find((d) => d.file === files['d3pm']);
    assert.equal(d3pm?.reasons[0]?.kind, 'rule');
    assert.equal(fs.readdirSync(location.backupsDir).filter((f) => f.endsWith('.db')).length, 8);
  });

  it('a preview with a snapshot still to come deletes what the run that takes it first deletes', async () => {
    const dir = path.join(temp.dir, 'planned');
    fs.mkdirSync(dir);
    createLiveDatabase(path.join(dir, 'app.db'), 'delete', 16 * 1024);
    const own = resolveLocation('app.db', undefined, dir);
    // Yesterday's and today's snapshots; keep-daily 1 keeps today's now, the next run's instead.
    const yesterday = await snapshotAt(own, 6, 0);
    const today = path.basename(await createdSnapshotPath(own, 'before-upgrade'));
    const rules = { keepDaily: 1 };
    const prune = async (input: { dryRun: boolean; planned?: PlannedSnapshot }): Promise<PruneResult> => {
      const result = await startJob({ kind: 'prune', input: { location: own, rules, ...input } }).result;
      assert.ok(result.ok);
      return result.value;
    };
    const withoutRun = await prune({ dryRun: true });
    assert.deepEqual(decisionsOf(withoutRun), { [today]: 'keep', [yesterday]: 'delete' });
    const preview = await prune({
      dryRun: true,
      planned: { time: new Date().toISOString(), label: 'nightly' },
    });
    const planned = preview.snapshots.find((d) => d.planned === true);
    assert.match(planned?.file ?? '', /^app-\d{8}-\d{6}-nightly\.db$/);
    assert.equal(planned?.decision, 'keep');
    assert.deepEqual(
      preview.snapshots.map((d) => [d.label, d.note]),
      [
        ['nightly', null],
        ['before-upgrade', null],
        ['d6h0', null],
      ],
      'each decision says the label and note of its snapshot',
    );
    assert.deepEqual(
      preview.snapshots
        .filter((d) => d.decision === 'delete')
        .map((d) => d.file)
        .sort(),
      [today, yesterday].sort(),
      'the labelled snapshot of today is pushed out by the run’s own',
    );
    // The run: its snapshot, then the rules. It deletes exactly what the preview said.
    await createdSnapshotPath(own, 'nightly');
    const run = await prune({ dryRun: false });
    assert.deepEqual(run.deleted.sort(), [today, yesterday].sort());
  });

  it('asks before deleting, and refuses to delete without a terminal or --yes', () => {
    const run = lifeboat(['prune', '--db', 'app.db', '--keep-daily', '3'], temp.dir);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /confirm with --yes/);
    assert.match(run.stderr, /would delete/);
    assert.equal(fs.readdirSync(location.backupsDir).filter((f) => f.endsWith('.db')).length, 8);
  });

  it('without rules it refuses: no rules never means keep nothing', () => {
    const run = lifeboat(['prune', '--db', 'app.db', '--yes', '--json'], temp.dir);
    assert.equal(run.code, 2);
    assert.equal(run.json<{ error: { code: string } }>().error.code, 'INVALID_ARGUMENT');
    assert.match(run.stderr, /No retention rules/);
  });

  it('takes the rules from lifeboat.json, keeps pinned snapshots, deletes the rest and logs it', () => {
    fs.writeFileSync(
      path.join(temp.dir, 'lifeboat.json'),
      JSON.stringify({ retention: { keepDaily: 2, keepWeekly: 1 } }),
    );
    assert.equal(lifeboat(['pin', files['d0'] ?? '', '--db', 'app.db'], temp.dir).code, 0);
    const run = lifeboat(['prune', '--db', 'app.db', '--yes', '--json'], temp.dir);
    assert.equal(run.code, 0, run.stderr);
    const result = run.json<PruneResult>();
    assert.deepEqual(result.rules, { keepDaily: 2, keepWeekly: 1 });
    const decisions = decisionsOf(result);
    assert.equal(decisions[files['d0'] ?? ''], 'keep');
    assert.deepEqual(result.snapshots.find((d) => d.file === files['d0'])?.reasons, [{ kind: 'pinned' }]);
    const left = fs
      .readdirSync(location.backupsDir)
      .filter((f) => f.endsWith('.db'))
      .sort();
    assert.deepEqual(left, [files['d0'], files['d4'], files['d5pm']].sort());
    assert.deepEqual(
      result.deleted.sort(),
      [files['d1'], files['d2'], files['d3am'], files['d3pm'], files['d5am']].sort(),
    );
    for (const file of result.deleted) {
      assert.equal(readRecord(location.backupsDir, file), null, `the record of ${file} goes with it`);
    }
    const log = fs.readFileSync(path.join(location.backupsDir, '.lifeboat', 'activity.jsonl'), 'utf8');
    assert.match(log, /"action":"prune".*Deleted by the retention rules \(--keep-daily 2 --keep-weekly 1\)/);
  });

  it('deletes nothing while a restore holds the lock, and keeps everything while one is interrupted', () => {
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      fs.writeFileSync(restorePaths(location.databasePath).lock, String(holder.pid));
      const run = lifeboat(['prune', '--db', 'app.db', '--keep-last', '1', '--yes', '--json'], temp.dir);
      assert.equal(run.code, 1, run.stdout);
      assert.equal(run.json<{ error: { code: string } }>().error.code, 'RESTORE_IN_PROGRESS');
      assert.equal(fs.readdirSync(location.backupsDir).filter((f) => f.endsWith('.db')).length, 3);
    } finally {
      holder.kill();
      fs.rmSync(restorePaths(location.databasePath).lock, { force: true });
    }
    fs.writeFileSync(restorePaths(location.databasePath).journal, '{}');
    try {
      const run = lifeboat(['prune', '--db', 'app.db', '--keep-last', '1', '--dry-run', '--json'], temp.dir);
      const result = run.json<PruneResult>();
      assert.ok(
        result.snapshots.every(
          (d) => d.decision === 'keep' && d.reasons.some((r) => r.kind === 'restore-in-progress'),
        ),
        run.stdout,
      );
    } finally {
      fs.rmSync(restorePaths(location.databasePath).journal);
    }
  });

  it(
    'does not take rules from a lifeboat.json the app user wrote, beside the database or named with --app',
    { skip: hostileUserSkip },
    () => {
      const rules = path.join(temp.dir, 'lifeboat.json');
      fs.writeFileSync(rules, JSON.stringify({ retention: { keepLast: 1 } }));
      giveToAppUser(rules);
      for (const args of [[], ['--app', '.']]) {
        const run = lifeboat(['prune', ...args, '--db', 'app.db', '--yes', '--json'], temp.dir);
        assert.equal(run.json<{ error: { code: string } }>().error.code, 'INVALID_ARGUMENT');
        assert.match(run.stderr, /No retention rules .* Nothing was deleted/);
        assert.match(run.stderr, /lifeboat\.json is ignored: it is owned by uid 65534/);
        assert.match(run.stderr, /--settings FILE/);
      }
      assert.equal(fs.readdirSync(location.backupsDir).filter((f) => f.endsWith('.db')).length, 3);
      // The same rules in a file the app user cannot change, kept apart from the app's folder, are taken.
      const apart = path.join(temp.dir, 'etc');
      fs.mkdirSync(apart);
      fs.writeFileSync(path.join(apart, 'app.json'), JSON.stringify({ retention: { keepLast: 1 } }));
      const named = lifeboat(
        ['prune', '--app', '.', '--settings', 'etc/app.json', '--db', 'app.db', '--dry-run', '--json'],
        temp.dir,
      );
      assert.equal(named.code, 0, named.stderr);
      assert.equal(named.json<PruneResult>().snapshots.filter((d) => d.decision === 'delete').length, 1);
      const missing = lifeboat(
        ['prune', '--settings', 'etc/nosuch.json', '--db', 'app.db', '--json'],
        temp.dir,
      );
      assert.equal(missing.json<{ error: { code: string } }>().error.code, 'INVALID_ARGUMENT');
      assert.match(missing.stderr, /--settings .*etc\/nosuch\.json: there is no such file/);
    },
  );
});
