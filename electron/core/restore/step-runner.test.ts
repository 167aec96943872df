import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StepEvent } from '../../contract/restore';
import { sharedFlagControl } from '../job-control';
import { toLifeboatError } from '../lifeboat-failure';
import { done, runSteps, skip, type TimedStep } from './step-runner';

/** A control whose cancel flag the test sets, recording what the runner says. */
function recorded(): {
  control: ReturnType<typeof sharedFlagControl>;
  said: StepEvent[];
  cancel: () => void;
} {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const said: StepEvent[] = [];
  const control = sharedFlagControl(flag, {
    report: () => undefined,
    output: () => undefined,
    step: (event) => said.push(event),
  });
  return { control, said, cancel: () => Atomics.store(flag, 0, 1) };
}

describe('the step runner', () => {
  it('says each step started, then done or skipped with its reason, and times it', async () => {
    const { control, said } = recorded();
    const timings: TimedStep<'stage' | 'upgrade'>[] = [];
    await runSteps(
      {
        steps: ['stage', 'upgrade'],
        cancellable: true,
        run: (step) => (step === 'stage' ? done('copied') : skip('already at head')),
        timings,
      },
      control,
    );
    assert.deepEqual(said, [
      { type: 'started', step: 'stage' },
      {
        type: 'done',
        step: 'stage',
        durationMs: said[1]?.type === 'done' ? said[1].durationMs : -1,
        note: 'copied',
      },
      { type: 'started', step: 'upgrade' },
      {
        type: 'skipped',
        step: 'upgrade',
        durationMs: said[3]?.type === 'skipped' ? said[3].durationMs : -1,
        reason: 'already at head',
      },
    ]);
    assert.deepEqual(
      timings.map((t) => [t.step, t.note, t.skipped]),
      [
        ['stage', 'copied', false],
        ['upgrade', 'already at head', true],
      ],
    );
  });

  it('stops at a cancel between steps, but a rollback runs to the end whatever is cancelled', async () => {
    const { control, cancel } = recorded();
    const ran: string[] = [];
    const restore = runSteps(
      {
        steps: ['stage', 'set-aside'],
        cancellable: true,
        run: (step) => {
          ran.push(step);
          cancel();
          return done();
        },
        timings: [],
      },
      control,
    );
    await assert.rejects(restore, (error) => toLifeboatError(error).code === 'CANCELLED');
    assert.deepEqual(ran, ['stage']);
    await runSteps(
      {
        steps: ['stop-app', 'put-back', 'start-app'],
        cancellable: false,
        run: (step, stepControl) => {
          stepControl.throwIfCancelled();
          ran.push(step);
          return done();
        },
        timings: [],
      },
      control,
    );
    assert.deepEqual(
      ran,
      ['stage', 'stop-app', 'put-back', 'start-app'],
      'the rollback and its steps ignore the cancel',
    );
  });

  it('says which step failed and why, and runs none after it', async () => {
    const { control, said } = recorded();
    const timings: TimedStep<'verify' | 'upgrade'>[] = [];
    await assert.rejects(
      runSteps(
        {
          steps: ['verify', 'upgrade'],
          cancellable: true,
          run: () => {
            throw new Error('the disk went away');
          },
          timings,
        },
        control,
      ),
    );
    assert.deepEqual(said, [
      { type: 'started', step: 'verify' },
      {
        type: 'failed',
        step: 'verify',
        error: { code: 'INTERNAL', message: 'Unexpected error: the disk went away' },
      },
    ]);
    assert.deepEqual(timings, []);
  });

  it('refuses to skip a step the table says must run: the step fails instead', async () => {
    const { control, said } = recorded();
    await assert.rejects(
      runSteps({ steps: ['verify'], cancellable: true, run: () => skip('not today'), timings: [] }, control),
      (error) => toLifeboatError(error).code === 'INTERNAL',
    );
    assert.deepEqual(
      said.map((e) => e.type),
      ['started', 'failed'],
    );
  });
});
