import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobEvents, JobFinished } from '#contract/events';
import type { RestoreResult } from '#contract/restore';
import { jobsAfterFinished, jobsAfterProgress, restoreSummary, type Jobs } from '../src/store/job-events';

/** The jobs list as a real job's events change it, with no window. */

function progress(
  jobId: string,
  kind: JobEvents['job:progress']['kind'],
  fraction: number,
): JobEvents['job:progress'] {
  return { jobId, appId: 'shop', kind, phase: 'Copying pages', fraction };
}

const created: JobFinished = {
  jobId: 'a',
  appId: 'shop',
  kind: 'snapshot',
  result: {
    ok: true,
    value: {
      kind: 'created',
      durationMs: 40,
      sourceJournalMode: 'wal',
      pageSize: 4096,
      pageCount: 1,
      snapshot: {
        file: 'shop-20261127-083000-manual.db',
        path: '/srv/shop/backups/shop-20261127-083000-manual.db',
        time: '2026-11-27T08:30:00.000Z',
        timeSource: 'recorded',
        label: 'manual',
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
      },
    },
  },
};

describe('the jobs list, from its events', () => {
  it('adds a job the first time its progress is heard, then moves its phase and fraction', () => {
    let jobs: Jobs = {};
    jobs = jobsAfterProgress(jobs, progress('a', 'snapshot', 0.25), 1000);
    jobs = jobsAfterProgress(jobs, progress('a', 'snapshot', 0.5), 2000);
    assert.deepEqual(jobs.a, {
      jobId: 'a',
      appId: 'shop',
      kind: 'snapshot',
      phase: 'Copying pages',
      fraction: 0.5,
      status: 'running',
      error: null,
      summary: null,
      startedAt: 1000,
    });
  });

  it('leaves the list as it is for a job the page does not show (a listing, a preview)', () => {
    const jobs: Jobs = {};
    assert.equal(
      jobsAfterProgress(jobs, progress('b', 'list', 0.5), 1000),
      jobs,
      'the same object: nothing re-renders',
    );
  });

  it('ends a job with its sentence and the file it made, even one that ended before any progress', () => {
    const { jobs, summary, file, status } = jobsAfterFinished({}, created, 3000);
    assert.equal(status, 'done');
    assert.equal(summary, 'Snapshot shop-20261127-083000-manual.db is ready.');
    assert.equal(file, 'shop-20261127-083000-manual.db');
    assert.equal(jobs.a?.fraction, 1);
    assert.equal(jobs.a?.startedAt, 3000);
  });

  it('keeps how far a cancelled or failed job got, and why it stopped', () => {
    const running = jobsAfterProgress({}, progress('a', 'snapshot', 0.4), 1000);
    const cancelled = jobsAfterFinished(
      running,
      {
        jobId: 'a',
        appId: 'shop',
        kind: 'snapshot',
        result: { ok: false, error: { code: 'CANCELLED', message: 'Cancelled.' } },
      },
      2000,
    );
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.jobs.a?.fraction, 0.4);
    assert.equal(cancelled.jobs.a?.error?.message, 'Cancelled.');
    const failed = jobsAfterFinished(
      running,
      {
        jobId: 'a',
        appId: 'shop',
        kind: 'snapshot',
        result: { ok: false, error: { code: 'DISK_FULL', message: 'No room.' } },
      },
      2000,
    );
    assert.equal(failed.status, 'failed');
    assert.equal(failed.summary, null);
  });
});

describe('what a finished restore says', () => {
  const restored: RestoreResult = {
    outcome: 'restored',
    database: '/srv/shop/shop.db',
    snapshot: '/srv/shop/backups/shop-20261127-083000-pre-restore.db',
    preRestoreSnapshot: '/srv/shop/backups/shop-20261127-090000-pre-undo.db',
    tables: [],
    steps: [],
    rollbackSteps: [],
    notTried: [],
    error: null,
  };
  it('names an undo an undo and a redo a redo, never a restore', () => {
    assert.deepEqual(
      [restored, { ...restored, putBack: 'undo' as const }, { ...restored, putBack: 'redo' as const }].map(
        restoreSummary,
      ),
      [
        'Restored shop-20261127-083000-pre-restore.db.',
        'The last restore was undone: shop-20261127-083000-pre-restore.db is back as it was.',
        'The restore was redone: shop-20261127-083000-pre-restore.db is back as it was.',
      ],
    );
  });
});
