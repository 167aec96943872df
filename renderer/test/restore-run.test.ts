import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobProgress } from '#contract/jobs';
import type { RestoreResult, RestoreStep, StepEvent } from '#contract/restore';
import {
  dialogStateOf,
  followFinished,
  followProgress,
  maxOutputLines,
  newRun,
} from '../src/features/restore/restore-run';
import { restoreStepViews, rollbackStepViews } from '../src/features/restore/restore-stepper';
import type { RestoreMode, RestoreRun } from '../src/store/restore-state';

/** The restore dialog's run and stepper, fed the events a real restore job sends, with no window. */

function progress(phase: string, steps: StepEvent[] = [], output?: string[]): JobProgress {
  return {
    jobId: 'job',
    kind: 'restore',
    phase,
    fraction: 0.5,
    steps,
    ...(output === undefined ? {} : { output }),
  };
}

const started = (step: StepEvent['step']): StepEvent => ({ type: 'started', step });
const done = (step: StepEvent['step'], note: string | null = null): StepEvent => ({
  type: 'done',
  step,
  durationMs: 10,
  note,
});
const skipped = (step: StepEvent['step'], reason: string): StepEvent => ({
  type: 'skipped',
  step,
  durationMs: 1,
  reason,
});

const swap = ['stage', 'set-aside', 'put-in-place', 'verify'] as const;

/** The run after each event, at 1000, 2000, … on this window's clock. */
function play(mode: RestoreMode, events: JobProgress[]): RestoreRun {
  return events.reduce(
    (run, event, index) => followProgress(run, event, (index + 1) * 1000),
    newRun('app', 'a.db', mode),
  );
}

function states(run: RestoreRun): string[] {
  return restoreStepViews(run).map((v) => `${v.key}:${v.state}`);
}

describe('the restore dialog’s run, from its job’s events', () => {
  it('shows each stage as its steps say: done, skipped with the reason (no guessing from notes), running', () => {
    const run = play('restore', [
      progress('Preflight', [started('preflight')]),
      progress('Stop the app', [done('preflight'), started('stop')]),
      progress('Pre-restore snapshot', [
        skipped('stop', 'no stop command: the app must be stopped already'),
        started('pre-restore'),
      ]),
      progress('Copying pages'),
      progress('Swap: stage', [done('pre-restore', 'app-pre.db'), started('stage')]),
      progress('Swap: set-aside', [done('stage'), started('set-aside')]),
    ]);
    assert.deepEqual(states(run), [
      'preflight:done',
      'stop:skipped',
      'pre-restore:done',
      'swap:running',
      'upgrade:pending',
      'check:pending',
      'start:pending',
      'health:pending',
      'clean-up:pending',
    ]);
    const views = restoreStepViews(run);
    assert.equal(views[1]?.note, 'no stop command: the app must be stopped already');
    assert.equal(views[2]?.note, 'app-pre.db');
    assert.equal(views[3]?.startedAt, 5000, 'the swap began with its first step');
    assert.equal(run.work, null, 'a step’s own title is not work inside it');
    assert.deepEqual(rollbackStepViews(run), [], 'no rollback');
  });

  it('shows work inside a step, and keeps only the last lines of the app’s output', () => {
    let run = play('restore', [
      progress('Pre-restore snapshot', [started('pre-restore')]),
      progress('Copying pages'),
    ]);
    assert.deepEqual(run.work, { phase: 'Copying pages', fraction: 0.5 });
    const lines = Array.from({ length: maxOutputLines + 5 }, (_, i) => `line ${i}`);
    run = followProgress(run, progress('Pre-restore snapshot', [], lines), 9000);
    assert.equal(run.output.length, maxOutputLines);
    assert.equal(run.output.at(-1), `line ${maxOutputLines + 4}`);
  });

  it('marks the step that failed, then the rollback’s steps as they run, skipped ones with their reason', () => {
    const upgradeError = { code: 'MIGRATION_FAILED' as const, message: 'no such table' };
    let run = play('restore', [
      progress('Preflight', [started('preflight'), done('preflight')]),
      progress('Swap: stage', [started('stop'), done('stop'), started('pre-restore'), done('pre-restore')]),
      progress(
        'Swap: stage',
        swap.flatMap((s) => [started(s), done(s)]),
      ),
      progress('Upgrade', [started('upgrade'), { type: 'failed', step: 'upgrade', error: upgradeError }]),
      progress('Put the database back', [started('put-back')]),
    ]);
    assert.deepEqual(
      rollbackStepViews(run).map((v) => `${v.key}:${v.state}`),
      ['stop-app:pending', 'put-back:running', 'start-app:pending'],
    );
    run = followProgress(
      run,
      progress('Start the app again', [
        done('put-back'),
        started('start-app'),
        skipped('start-app', 'Lifeboat did not stop the app'),
      ]),
      9000,
    );
    const ran = (step: RestoreStep) => ({ step, durationMs: 10, note: null, skipped: false });
    const result: RestoreResult = {
      outcome: 'rolled-back',
      database: 'app.db',
      snapshot: 'a.db',
      preRestoreSnapshot: 'app-pre.db',
      tables: [],
      steps: (['preflight', 'stop', 'pre-restore', ...swap] as const).map(ran),
      rollbackSteps: [
        { step: 'put-back', durationMs: 10, note: null, skipped: false },
        { step: 'start-app', durationMs: 1, note: 'Lifeboat did not stop the app', skipped: true },
      ],
      notTried: [],
      error: upgradeError,
    };
    run = followFinished(run, { ok: true, value: result });
    assert.equal(run.current, null);
    assert.deepEqual(states(run), [
      'preflight:done',
      'stop:done',
      'pre-restore:done',
      'swap:done',
      'upgrade:failed',
      'check:not-run',
      'start:not-run',
      'health:not-run',
      'clean-up:not-run',
    ]);
    assert.deepEqual(
      rollbackStepViews(run).map((v) => `${v.key}:${v.state}:${v.note ?? ''}`),
      ['put-back:done:', 'start-app:skipped:Lifeboat did not stop the app'],
      'a step the rollback did not take is not shown once it is over',
    );
  });

  it('shows a resumed restore’s earlier stages as done before the interruption', () => {
    const run = play('resume', [progress('Swap: set-aside', [started('set-aside')])]);
    assert.deepEqual(states(run).slice(0, 5), [
      'preflight:done',
      'stop:done',
      'pre-restore:done',
      'swap:running',
      'upgrade:pending',
    ]);
    assert.equal(restoreStepViews(run)[0]?.note, 'before the interruption');
  });

  it('shows only the stages a rehearsal runs, and a job refused before any step as failed at the first', () => {
    const refused = followFinished(play('rehearse', []), {
      ok: false,
      error: { code: 'RESTORE_IN_PROGRESS', message: 'Another restore is under way.' },
    });
    assert.deepEqual(states(refused), [
      'preflight:failed',
      'swap:not-run',
      'upgrade:not-run',
      'check:not-run',
    ]);
    assert.equal(restoreStepViews(refused)[0]?.note, 'Another restore is under way.');
  });

  it('is in one dialog state at a time: previewing, refused or ready, then running, then finished', () => {
    const run = newRun('app', 'a.db', 'restore');
    assert.equal(dialogStateOf(run).kind, 'previewing');
    const refused = dialogStateOf({ ...run, previewError: { code: 'SNAPSHOT_NOT_FOUND', message: 'Gone.' } });
    assert.deepEqual(refused, { kind: 'refused', error: { code: 'SNAPSHOT_NOT_FOUND', message: 'Gone.' } });
    const starting = { ...run, starting: true };
    assert.equal(dialogStateOf(starting).kind, 'running', 'asked for: its events may come before its id');
    const cancelled = followFinished(
      { ...starting, jobId: 'job' },
      { ok: false, error: { code: 'CANCELLED', message: 'Cancelled.' } },
    );
    assert.deepEqual(dialogStateOf(cancelled), {
      kind: 'finished',
      result: null,
      error: { code: 'CANCELLED', message: 'Cancelled.' },
    });
  });
});
