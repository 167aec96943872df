import {
  isRollbackStep,
  rehearsalStages,
  restoreStages,
  restoreSteps,
  rollbackStepTable,
  stageOfStep,
  type AnyStep,
  type RestoreStage,
  type RestoreStep,
} from '#contract/restore';
import type { RestoreRun } from '../../store/restore-state';

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

/** A step that finished, as the job's events or its result say. */
interface Finished {
  readonly step: AnyStep;
  readonly durationMs: number;
  readonly note: string | null;
  readonly skipped: boolean;
}

function stagesOf(run: RestoreRun): readonly RestoreStage[] {
  switch (run.mode) {
    case 'rehearse':
      return rehearsalStages;
    case 'rollback':
      return [];
    case 'restore':
    case 'undo':
    case 'redo':
    case 'resume':
      return restoreStages.map((s) => s.stage);
  }
}

/**
 * The steps that finished: the result's once there is one (it has them all, even those said before
 * this window was listening), until then what the job said as it went.
 */
function finishedSteps(run: RestoreRun): readonly Finished[] {
  if (run.result !== null) {
    return [...run.result.steps, ...run.result.rollbackSteps];
  }
  return run.said.flatMap((event): Finished[] => {
    switch (event.type) {
      case 'done':
        return [{ step: event.step, durationMs: event.durationMs, note: event.note, skipped: false }];
      case 'skipped':
        return [{ step: event.step, durationMs: event.durationMs, note: event.reason, skipped: true }];
      case 'failed':
        return [];
    }
  });
}

function restoreStepOf(step: AnyStep | null): RestoreStep | null {
  return step === null || isRollbackStep(step) ? null : step;
}

interface StageDone {
  readonly durationMs: number;
  readonly notes: readonly string[];
  readonly skipped: boolean;
}

/** The stages that finished, with their steps' times and notes added up. */
function finishedStages(run: RestoreRun): Map<RestoreStage, StageDone> {
  const done = new Map<RestoreStage, StageDone>();
  for (const finished of finishedSteps(run)) {
    const step = restoreStepOf(finished.step);
    if (step === null) {
      continue;
    }
    const stage = stageOfStep(step);
    const seen = done.get(stage) ?? { durationMs: 0, notes: [], skipped: false };
    done.set(stage, {
      durationMs: seen.durationMs + finished.durationMs,
      notes: finished.note === null ? seen.notes : [...seen.notes, finished.note],
      skipped: seen.skipped || finished.skipped,
    });
  }
  return done;
}

function isOver(run: RestoreRun): boolean {
  return run.result !== null || run.error !== null;
}

/** The stages of the restore, each with its state. */
export function restoreStepViews(run: RestoreRun): StepView[] {
  const done = finishedStages(run);
  const stages = stagesOf(run);
  const current = restoreStepOf(run.current);
  const currentStage = current === null ? null : stageOfStep(current);
  const failedAt = failedStage(run, stages, done);
  const startedStages = restoreSteps.filter((step) => run.startedAt[step] !== undefined).map(stageOfStep);
  // A resumed restore starts part-way: the stages before its first step ran before the interruption.
  const firstSeen = stages.findIndex((stage) => startedStages.includes(stage));
  return stages.map((stage, index): StepView => {
    const title = restoreStages.find((s) => s.stage === stage)?.title ?? stage;
    const base = { key: stage, title, durationMs: null, startedAt: null, note: null };
    const finished = done.get(stage);
    if (finished !== undefined && stage !== currentStage) {
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
    if (!isOver(run) && stage === currentStage) {
      return { ...base, state: 'running', startedAt: startOfStage(run, stage) };
    }
    if (run.mode === 'resume' && firstSeen > index) {
      return { ...base, state: 'done', note: 'before the interruption' };
    }
    return { ...base, state: isOver(run) ? 'not-run' : 'pending' };
  });
}

/** The stage the run failed at: the one whose step said it failed, or else the first it did not finish. */
function failedStage(
  run: RestoreRun,
  stages: readonly RestoreStage[],
  done: ReadonlyMap<RestoreStage, unknown>,
): RestoreStage | null {
  const failed = run.error !== null || (run.result !== null && run.result.error !== null);
  if (!failed) {
    return null;
  }
  const said = run.said.flatMap((event) => {
    const step = event.type === 'failed' ? restoreStepOf(event.step) : null;
    return step === null ? [] : [step];
  });
  const last = said.at(-1);
  if (last !== undefined) {
    return stageOfStep(last);
  }
  return stages.find((stage) => !done.has(stage)) ?? null;
}

/** When the stage's first step began, for the running stage's live timer. */
function startOfStage(run: RestoreRun, stage: RestoreStage): number | null {
  const starts = restoreSteps
    .filter((step) => stageOfStep(step) === stage)
    .flatMap((step) => run.startedAt[step] ?? []);
  return starts.length === 0 ? null : Math.min(...starts);
}

/** The rollback's steps, when there is one: shown as steps of their own under the restore's. */
export function rollbackStepViews(run: RestoreRun): StepView[] {
  const finished = finishedSteps(run).filter((s) => isRollbackStep(s.step));
  const inRollback = run.current !== null && isRollbackStep(run.current) ? run.current : null;
  if (finished.length === 0 && inRollback === null && run.mode !== 'rollback') {
    return [];
  }
  return rollbackStepTable.flatMap(({ id, title }): StepView[] => {
    const base = { key: id, title, durationMs: null, startedAt: null, note: null };
    const result = finished.find((s) => s.step === id);
    if (result !== undefined) {
      const state = result.skipped ? 'skipped' : 'done';
      return [{ ...base, state, durationMs: result.durationMs, note: result.note }];
    }
    if (id === inRollback) {
      return [{ ...base, state: 'running', startedAt: run.startedAt[id] ?? null }];
    }
    // Steps this rollback does not take are not shown once it is over.
    return isOver(run) ? [] : [{ ...base, state: 'pending' }];
  });
}
