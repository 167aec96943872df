import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Result } from '../../contract/errors';
import type { JobFinished, JobEvents } from '../../contract/events';
import type { AppSummary } from '../../contract/apps';
import type { RestoreResult, StepEvent } from '../../contract/restore';
import { lifeboat } from '../../testing/cli-run';
import { contentDigest, makeTempDir } from '../../testing/fixtures';
import { holdFileOpen } from '../../testing/holding-process';
import { dispatch } from './dispatch';
import { LifeboatService } from './lifeboat-service';

/** The restore as the desktop app and the headless host drive it: preview, start, follow, undo, recover. */
describe('the guarded restore through the service', () => {
  let temp: { dir: string; cleanup: () => void };
  let service: LifeboatService;
  let demo: AppSummary;
  before(async () => {
    temp = makeTempDir();
    service = new LifeboatService({ dataDir: path.join(temp.dir, 'data'), origin: 'desktop' });
    demo = await service.handlers['demo:open']({});
  });
  after(() => temp.cleanup());

  const app = async (): Promise<AppSummary> => {
    const found = (await service.handlers['apps:list']({})).apps.find((a) => a.id === demo.id);
    assert.ok(found);
    return found;
  };
  const oldest = async (): Promise<string> => {
    const list = await service.handlers['snapshots:list']({ appId: demo.id });
    const file = list.snapshots.filter((s) => s.status === 'verified').at(-1)?.file;
    assert.ok(file);
    return file;
  };

  /** Runs a restore job to its end, keeping every progress event it sent. */
  async function finish(
    start: Promise<{ jobId: string }>,
  ): Promise<{ outcome: Result<RestoreResult>; progress: JobEvents['job:progress'][] }> {
    const progress: JobEvents['job:progress'][] = [];
    const offProgress = service.on('job:progress', (p) => progress.push(p));
    const finished = new Promise<JobFinished>((resolve) => {
      const off = service.on('job:finished', (event) => {
        off();
        resolve(event);
      });
    });
    const { jobId } = await start;
    const event = await finished;
    offProgress();
    assert.equal(event.jobId, jobId);
    return {
      outcome: event.result as Result<RestoreResult>,
      progress: progress.filter((p) => p.jobId === jobId),
    };
  }

  /** The step events a job said, in order, across its progress. */
  function events(progress: readonly JobEvents['job:progress'][]): StepEvent[] {
    return progress.flatMap((p) => p.steps ?? []);
  }

  async function follow(
    start: Promise<{ jobId: string }>,
  ): Promise<{ result: RestoreResult; progress: JobEvents['job:progress'][] }> {
    const { outcome, progress } = await finish(start);
    assert.ok(outcome.ok, JSON.stringify(outcome));
    return { result: outcome.value, progress };
  }

  it('previews without changing anything: what is lost per table, the schema path, the app’s commands', async () => {
    const before = contentDigest(demo.databasePath);
    const file = await oldest();
    const preview = await service.handlers['restore:preview']({ appId: demo.id, file, undo: false });
    assert.deepEqual(preview.blockers, []);
    assert.equal(preview.manualStop, true);
    assert.equal(preview.holdersKnown, true, 'Linux: read from /proc');
    assert.deepEqual(preview.commands, []);
    assert.equal(preview.schema?.tool, 'user-version');
    assert.ok((preview.schema?.pending.length ?? 0) >= 2, 'the oldest snapshot is several migrations behind');
    assert.deepEqual(
      preview.schemaDifferences.map((d) => [d.type, d.name, d.change, d.columnsOnlyLive.join(',')]),
      [
        ['table', 'customers', 'changed', 'phone'],
        ['table', 'orders', 'changed', 'status'],
        ['table', 'products', 'changed', 'stock'],
      ],
    );
    const orders = preview.tables.find((t) => t.name === 'orders');
    assert.ok(
      orders !== undefined &&
        orders.liveRows !== null &&
        orders.snapshotRows !== null &&
        orders.liveRows > orders.snapshotRows,
    );
    assert.equal(contentDigest(demo.databasePath), before);
  });

  it('names the process that holds the live database and refuses, unless the user overrides', async () => {
    // A process with the file open, as the app would have: named by its command line.
    const holder = await holdFileOpen(demo.databasePath);
    try {
      const preview = await service.handlers['restore:preview']({
        appId: demo.id,
        file: await oldest(),
        undo: false,
      });
      assert.equal(preview.holders.length, 1);
      assert.deepEqual(
        preview.blockers.map((b) => b.code),
        ['DB_IN_USE'],
      );
      assert.match(
        preview.blockers[0]?.message ?? '',
        new RegExp(`held open by pid ${holder.pid} \\(.*openSync`),
      );
      const { outcome } = await finish(
        service.handlers['restore:start']({ appId: demo.id, file: await oldest(), allowOpen: false }),
      );
      assert.ok(!outcome.ok && outcome.error.code === 'DB_IN_USE');
      const forced = await follow(
        service.handlers['restore:start']({ appId: demo.id, file: await oldest(), allowOpen: true }),
      );
      assert.equal(forced.result.outcome, 'restored', 'the user’s explicit override');
    } finally {
      holder.release();
    }
  });

  it('rehearses on a scratch copy: the upgrade runs there, the live database and the app are untouched', async () => {
    const before = contentDigest(demo.databasePath);
    const lastRestore = (await app()).lastRestore;
    const { result, progress } = await follow(
      service.handlers['restore:rehearse']({ appId: demo.id, file: await oldest() }),
    );
    assert.equal(result.outcome, 'rehearsed');
    assert.equal(result.error, null);
    assert.deepEqual(
      result.steps.map((s) => s.step),
      ['preflight', 'stage', 'verify', 'upgrade', 'check'],
    );
    assert.match(
      result.steps.find((s) => s.step === 'upgrade')?.note ?? '',
      /applied .*005_order_notes\.sql/,
    );
    const scratch = /scratch copy in (\S+)/.exec(
      result.steps.find((s) => s.step === 'stage')?.note ?? '',
    )?.[1];
    assert.ok(scratch !== undefined && !fs.existsSync(scratch), 'the scratch copy is gone');
    assert.ok(events(progress).some((e) => e.type === 'done' && e.step === 'upgrade'));
    assert.equal(contentDigest(demo.databasePath), before);
    assert.deepEqual((await app()).lastRestore, lastRestore, 'a rehearsal is not a restore');
    const [logged] = await service.handlers['activity:list']({ appId: demo.id });
    assert.deepEqual(
      [logged?.action, logged?.outcome, logged?.target, logged?.detail],
      [
        'rehearse',
        'ok',
        await oldest(),
        'Rehearsal passed: the restore would go through. Nothing was changed.',
      ],
      'a rehearsal goes into the log, with its verdict',
    );
  });

  it('restores with every step reported and the app’s output streamed, then offers to undo it', async () => {
    const original = contentDigest(demo.databasePath);
    await service.handlers['apps:setRun']({
      appId: demo.id,
      run: {
        preset: 'commands',
        stop: { shell: 'echo stopping the $SHOP' },
        start: { argv: ['echo', 'shop started'] },
        upgradeUsesLifeboatDatabase: false,
        runAs: 'app',
        env: { SHOP: 'corner shop' },
        smokeQueries: ['SELECT count(*) FROM orders'],
        timeouts: { stopSeconds: 5 },
      },
    });
    const preview = await service.handlers['restore:preview']({
      appId: demo.id,
      file: await oldest(),
      undo: false,
    });
    // Set through the service: they come from Lifeboat's own settings, and say so.
    const fromSettings = { kind: 'setting', file: null };
    assert.deepEqual(
      preview.commands.map(({ which, text, origin }) => ({ which, text, origin })),
      [
        { which: 'stop', text: 'echo stopping the $SHOP', origin: fromSettings },
        { which: 'start', text: "echo 'shop started'", origin: fromSettings },
      ],
    );
    const { result, progress } = await follow(
      service.handlers['restore:start']({ appId: demo.id, file: await oldest(), allowOpen: false }),
    );
    assert.equal(result.outcome, 'restored', JSON.stringify(result.error));
    const steps = events(progress).flatMap((e) => (e.type === 'started' ? [e.step] : []));
    assert.deepEqual(steps, [
      'preflight',
      'stop',
      'pre-restore',
      'stage',
      'set-aside',
      'put-in-place',
      'verify',
      'upgrade',
      'check',
      'start',
      'health',
      'discard-old',
    ]);
    const output = progress.flatMap((p) => p.output ?? []);
    assert.deepEqual(
      output,
      ['$ echo stopping the $SHOP', 'stopping the corner shop', "$ echo 'shop started'", 'shop started'],
      'shown verbatim, run with the app’s environment',
    );
    const after = await app();
    assert.equal(after.lastRestore?.preRestore, path.basename(result.preRestoreSnapshot ?? ''));
    assert.equal(contentDigest(result.preRestoreSnapshot ?? ''), original);
    const status = await service.handlers['migrations:status']({ appId: demo.id });
    assert.equal(status?.status.status, 'at-head');

    // Undo last restore: the same guarded restore, of the pre-restore snapshot.
    const undoFile = after.lastRestore?.preRestore ?? '';
    const undoPreview = await service.handlers['restore:preview']({
      appId: demo.id,
      file: undoFile,
      undo: true,
    });
    assert.deepEqual(undoPreview.blockers, []);
    const undone = await follow(service.handlers['restore:undo']({ appId: demo.id, file: undoFile }));
    assert.deepEqual([undone.result.outcome, undone.result.putBack], ['restored', 'undo']);
    assert.equal(
      undone.result.steps.find((s) => s.step === 'upgrade')?.note,
      'undo: put back as it was, not upgraded',
    );
    assert.equal(contentDigest(demo.databasePath), original);
    const activity = await service.handlers['activity:list']({ appId: demo.id });
    assert.deepEqual(
      activity.slice(0, 2).map((e) => [e.action, e.outcome, e.origin]),
      [
        ['undo', 'ok', 'desktop'],
        ['restore', 'ok', 'desktop'],
      ],
      'an undo is named an undo',
    );
    const kept = (await service.handlers['snapshots:list']({ appId: demo.id })).snapshots.find(
      (s) => s.file === path.basename(undone.result.preRestoreSnapshot ?? ''),
    );
    assert.deepEqual([kept?.label, kept?.pinned], ['pre-undo', true], 'not a second "pre-restore" row');

    // What it offers next is to redo the restore, which puts back what the undo replaced.
    const offered = (await app()).lastRestore;
    assert.equal(offered?.action, 'undo');
    assert.equal(offered.preRestore, kept?.file);
    const redone = await follow(
      service.handlers['restore:undo']({ appId: demo.id, file: offered.preRestore }),
    );
    assert.deepEqual([redone.result.outcome, redone.result.putBack], ['restored', 'redo']);
    assert.equal(
      contentDigest(demo.databasePath),
      contentDigest(path.join(path.dirname(demo.databasePath), 'backups', offered.preRestore)),
    );
    assert.equal((await service.handlers['activity:list']({ appId: demo.id }))[0]?.action, 'redo');
    assert.equal((await app()).lastRestore?.action, 'redo');
    await service.handlers['apps:setRun']({ appId: demo.id });
  });

  it('rolls back when the code’s newest migration fails half-way, and shows the rollback’s own steps', async () => {
    const original = contentDigest(demo.databasePath);
    const broken = path.join(path.dirname(demo.databasePath), 'migrations', '006_broken.sql');
    fs.writeFileSync(
      broken,
      'ALTER TABLE orders ADD COLUMN gift INTEGER;\nINSERT INTO no_such_table VALUES (1);',
    );
    try {
      const { result, progress } = await follow(
        service.handlers['restore:start']({ appId: demo.id, file: await oldest(), allowOpen: false }),
      );
      assert.equal(result.outcome, 'rolled-back');
      assert.equal(result.error?.code, 'MIGRATION_FAILED');
      assert.deepEqual(
        result.rollbackSteps.map((s) => [s.step, s.skipped]),
        [
          ['put-back', false],
          ['start-app', true],
        ],
        'the app is not started: Lifeboat did not stop it',
      );
      assert.deepEqual(
        events(progress)
          .flatMap((e) => (e.type === 'failed' || e.type === 'started' ? [[e.type, e.step]] : []))
          .slice(-4),
        [
          ['started', 'upgrade'],
          ['failed', 'upgrade'],
          ['started', 'put-back'],
          ['started', 'start-app'],
        ],
      );
      assert.equal(contentDigest(demo.databasePath), original, 'byte for byte in content');
    } finally {
      fs.rmSync(broken);
    }
  });

  it('cancelled while the app’s upgrade runs: the command is stopped and the restore rolled back', async () => {
    const original = contentDigest(demo.databasePath);
    // The shop's upgrade is slow this time: long enough to press Cancel while it runs.
    await service.handlers['apps:setRun']({
      appId: demo.id,
      run: {
        preset: 'commands',
        stop: { shell: 'echo stopped' },
        start: { shell: 'sleep 0.3; echo started again' },
        upgrade: { shell: 'echo migrating; sleep 30' },
        upgradeUsesLifeboatDatabase: false,
        runAs: 'app',
        env: {},
        smokeQueries: [],
        timeouts: {},
      },
    });
    try {
      const cancelled = service.on('job:progress', (p) => {
        if (p.output?.includes('migrating') === true) {
          void service.handlers['jobs:cancel']({ jobId: p.jobId });
        }
      });
      const started = Date.now();
      const { result, progress } = await follow(
        service.handlers['restore:start']({ appId: demo.id, file: await oldest(), allowOpen: false }),
      );
      cancelled();
      assert.deepEqual(
        result.rollbackSteps.map((s) => s.step),
        ['put-back', 'start-app'],
        'the rollback is not cancelled with the restore',
      );
      assert.ok(progress.flatMap((p) => p.output ?? []).includes('started again'));
      assert.ok(Date.now() - started < 20_000, 'the sleeping upgrade was stopped, not waited for');
      assert.equal(result.outcome, 'rolled-back');
      assert.equal(result.error?.code, 'CANCELLED');
      assert.equal(contentDigest(demo.databasePath), original);
      assert.equal((await app()).interruptedRestore, null);
    } finally {
      await service.handlers['apps:setRun']({ appId: demo.id });
    }
  });

  it('offers an interrupted restore at start-up, and rolls it back on request', async () => {
    const original = contentDigest(demo.databasePath);
    const killed = lifeboat(['restore', await oldest(), '--db', demo.databasePath, '--yes'], temp.dir, {
      LIFEBOAT_TEST_KILL_AT: 'put-in-place',
    });
    assert.equal(killed.signal, 'SIGKILL');
    // A fresh service, as when the desktop app starts again after a crash.
    service = new LifeboatService({ dataDir: path.join(temp.dir, 'data'), origin: 'desktop' });
    const interrupted = (await app()).interruptedRestore;
    assert.equal(interrupted?.step, 'put-in-place');
    const again = await dispatch(service, 'restore:start', { appId: demo.id, file: await oldest() });
    assert.ok(!again.ok && again.error.code === 'RESTORE_IN_PROGRESS');
    const { result } = await follow(
      service.handlers['restore:recover']({ appId: demo.id, mode: 'rollback' }),
    );
    assert.equal(result.outcome, 'rolled-back');
    assert.deepEqual(
      result.rollbackSteps.map((s) => [s.step, s.skipped]),
      [
        ['put-back', false],
        ['start-app', true],
      ],
    );
    assert.equal((await app()).interruptedRestore, null);
    assert.equal(contentDigest(demo.databasePath), original);
  });
});
