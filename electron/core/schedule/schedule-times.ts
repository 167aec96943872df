import { Cron } from 'croner';
import { durationMs, type Schedule } from '../../contract/schedule';
import { LifeboatFailure } from '../lifeboat-failure';

/**
 * When scheduled snapshots are due: pure functions of a schedule, the last scheduled run and the
 * clock (the keeper passes its own, the tests a fake one). Daily and cron schedules follow local time
 * through croner, a crontab of five fields; `every` counts from the last run.
 */

function cronOf(schedule: Exclude<Schedule, { every: string }>): Cron {
  const pattern =
    'daily' in schedule ? `${schedule.daily.slice(3)} ${schedule.daily.slice(0, 2)} * * *` : schedule.cron;
  try {
    // No function: a pattern to ask about, never a timer of its own.
    return new Cron(pattern, { mode: '5-part' });
  } catch (error) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `The cron schedule "${pattern}" is not valid: ${(error as Error).message}. Five fields: minute hour day month weekday, as in "0 */4 * * *".`,
    );
  }
}

/** Checks a schedule can produce runs (a cron that never matches, such as 30 February, is refused). */
export function checkSchedule(schedule: Schedule, nowMs: number): void {
  if ('every' in schedule) {
    return;
  }
  if (cronOf(schedule).nextRun(new Date(nowMs)) === null) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `The cron schedule "${'cron' in schedule ? schedule.cron : schedule.daily}" never runs.`,
    );
  }
}

/** The first time a run is due strictly after `afterMs`. */
function nextAfter(schedule: Schedule, afterMs: number): number {
  if ('every' in schedule) {
    return afterMs + durationMs(schedule.every);
  }
  return cronOf(schedule).nextRun(new Date(afterMs))?.getTime() ?? Number.POSITIVE_INFINITY;
}

/**
 * When the next run is due: the first time the schedule names after the last run. A run never made
 * is due now; runs missed while the machine slept or no keeper ran come due once, not one per miss.
 */
export function dueAt(schedule: Schedule, lastRunMs: number | null): number {
  return lastRunMs === null ? Number.NEGATIVE_INFINITY : nextAfter(schedule, lastRunMs);
}

/**
 * The schedule's period: the longest gap between its next runs (a weekday-only cron has a three-day
 * gap at the weekend), so that "stale" never fires between two runs that went as planned.
 */
export function periodMs(schedule: Schedule, nowMs: number): number {
  if ('every' in schedule) {
    return durationMs(schedule.every);
  }
  const runs = cronOf(schedule)
    .nextRuns(50, new Date(nowMs))
    .map((d) => d.getTime());
  let longest = 0;
  for (let i = 1; i < runs.length; i += 1) {
    longest = Math.max(longest, (runs[i] ?? 0) - (runs[i - 1] ?? 0));
  }
  return longest > 0 ? longest : 365 * 86_400_000;
}
