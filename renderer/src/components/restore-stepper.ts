import {
  rehearsalStages,
  restoreStages,
  rollbackSteps,
  stageOfStep,
  type RestoreStage,
  type RestoreStep,
  type RollbackStep,
} from '../../../electron/contract/restore';
import type { RestoreRun } from '../store/store';

/** The restore dialog's stepper as data: each stage's state, timing and note; pure, from the run. */

export type StepState = 'pending' | 'running' | 'done' | 'skipped' | 'failed' | 'not-run';

export interface StepView {
  readonly key: string;
  readonly title: string;
  readonly state: StepState;
  /** Finished: how long it took. Running: when it began (this window's clock), for a live timer. */
  readonly durationMs: number | null;
  readonly startedAt: number | null;
  readonly note: string | null;
}

const rollbackTitles: Record<RollbackStep, string> = {
  'stop-app': 'Stop the app',
  'put-back': 'Put the database back',
  'start-app': 'Start the app again',
};

function stagesOf(run: RestoreRun): readonly RestoreStage[] {
  switch (run.mode) {
    case 'rehearse':
      return rehearsalStages;
    case 'rollback':
      return [];
    case 'restore':
    case 'undo':
    case 'resume':
      return restoreStages.map((s) => s.stage);
  }
}

function titleOf(stage: RestoreStage): string {
  return restoreStages.find((s) => s.stage === stage)?.title ?? stage;
}

/** The stages of the restore, each with its state. */
export function restoreStepViews(run: RestoreRun): StepView[] {
  const done = new Map<RestoreStage, { durationMs: number; notes: string[]; skipped: boolean }>();
  for (const step of run.result?.steps ?? []) {
    const stage = stageOfStep(step.step);
    const seen = done.get(stage) ?? { durationMs: 0, notes: [], skipped: false };
    const skipped = step.note !== null && /\bskipped\b|not upgraded/.test(step.note);
    done.set(stage, {
      durationMs: seen.durationMs + step.durationMs,
      notes: step.note === null ? seen.notes : [...seen.notes, step.note],
      skipped: seen.skipped || skipped,
    });
  }
  const stages = stagesOf(run);
  const currentStage = run.current?.kind === 'restore' ? stageOfStep(run.current.step) : null;
  const failedAt = failedStage(run, stages, done);
  // A resumed restore starts part-way: the stages before its first reported step ran before the interruption.
  const firstSeen = stages.findIndex((stage) =>
    Object.keys(run.startedAt).some(
      (key) => key.startsWith('restore:') && stageOfStep(key.slice(8) as RestoreStep) === stage,
    ),
  );
  return stages.map((stage, index): StepView => {
    const started = startOfStage(run, stage);
    const finished = done.get(stage);
    const base = { key: stage, title: titleOf(stage), durationMs: null, startedAt: null, note: null };
    if (finished !== undefined) {
      return {
        ...base,
        state: finished.skipped ? 'skipped' : 'done',
        durationMs: finished.durationMs,
        note: finished.notes.join('; ') || null,
      };
    }
    if (stage === failedAt) {
      return { ...base, state: 'failed', note: run.error?.message ?? run.result?.error?.message ?? null };
    }
    if (run.result === null && run.error === null && stage === currentStage) {
      return { ...base, state: 'running', startedAt: started };
    }
    const reached = currentStage ?? failedAt;
    const passed = reached !== null && index < stages.indexOf(reached);
    if (run.mode === 'resume' && firstSeen > index) {
      return { ...base, state: 'done', note: 'before the interruption' };
    }
    if (passed) {
      return { ...base, state: 'done', durationMs: durationFromStarts(run, stage, stages) };
    }
    return { ...base, state: run.result === null && run.error === null ? 'pending' : 'not-run' };
  });
}

/** The stage the run failed at: the one it was in when the job failed, or the first it did not finish. */
function failedStage(
  run: RestoreRun,
  stages: readonly RestoreStage[],
  done: ReadonlyMap<RestoreStage, unknown>,
): RestoreStage | null {
  const failed = run.error !== null || (run.result?.error !== null && run.result !== null);
  if (!failed) {
    return null;
  }
  const reached = Object.keys(run.startedAt)
    .filter((key) => key.startsWith('restore:'))
    .map((key) => stageOfStep(key.slice(8) as RestoreStep));
  const last = reached.at(-1);
  return last !== undefined && !done.has(last) ? last : (stages.find((stage) => !done.has(stage)) ?? null);
}

function startOfStage(run: RestoreRun, stage: RestoreStage): number | null {
  const starts = Object.entries(run.startedAt).filter(
    ([key]) => key.startsWith('restore:') && stageOfStep(key.slice(8) as RestoreStep) === stage,
  );
  return starts.length === 0 ? null : Math.min(...starts.map(([, at]) => at));
}

/** While running: a finished stage's time is from its start to the next stage's start. */
function durationFromStarts(
  run: RestoreRun,
  stage: RestoreStage,
  stages: readonly RestoreStage[],
): number | null {
  const start = startOfStage(run, stage);
  const next = stages
    .slice(stages.indexOf(stage) + 1)
    .map((s) => startOfStage(run, s))
    .find((at) => at !== null);
  return start === null || next === null || next === undefined ? null : next - start;
}

/** The rollback's steps, when there is one: shown as steps of their own under the restore's. */
export function rollbackStepViews(run: RestoreRun): StepView[] {
  const finished = run.result?.rollbackSteps ?? [];
  const inRollback = run.current?.kind === 'rollback' ? run.current.step : null;
  if (finished.length === 0 && inRollback === null && run.mode !== 'rollback') {
    return [];
  }
  return rollbackSteps.flatMap((step): StepView[] => {
    const base = { key: step, title: rollbackTitles[step], durationMs: null, startedAt: null, note: null };
    const result = finished.find((s) => s.step === step);
    if (result !== undefined) {
      return [{ ...base, state: 'done', durationMs: result.durationMs, note: result.note }];
    }
    if (step === inRollback) {
      return [{ ...base, state: 'running', startedAt: run.startedAt[`rollback:${step}`] ?? null }];
    }
    // Steps a rollback does not need (no app command to run) are not shown once it is over.
    return run.result === null && run.error === null ? [{ ...base, state: 'pending' }] : [];
  });
}
