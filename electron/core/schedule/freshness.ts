import { formatSpan } from '../../contract/format';
import { scheduleText, durationMs, type Freshness, type Schedule } from '../../contract/schedule';
import { newestRestorable, type SnapshotEntry } from '../../contract/snapshots';
import type { KeeperState } from './keeper-state';
import { dueAt, periodMs } from './schedule-times';

/** Without a schedule or a set age, an app is stale when its newest snapshot is older than a week. */
export const defaultStaleAfterMs = 7 * 86_400_000;

export interface FreshnessInput {
  /** The listing, newest first. */
  readonly snapshots: readonly SnapshotEntry[];
  /** The app's schedule, and its staleAfter ("2d": stale after this long without a snapshot, whatever the schedule). */
  readonly automation: { readonly schedule: Schedule | null; readonly staleAfter: string | null };
  readonly state: KeeperState;
  readonly nowMs: number;
}

/** How fresh an app's protection is, and why, in words (pure: the keeper, the list and the UI agree). */
export function freshnessOf(input: FreshnessInput): Freshness {
  const { state, nowMs } = input;
  const { schedule, staleAfter } = input.automation;
  // Its own limit, else a quarter more than its schedule's period, else the default.
  const fromSchedule = schedule === null ? defaultStaleAfterMs : Math.round(1.25 * periodMs(schedule, nowMs));
  const staleAfterMs = staleAfter === null ? fromSchedule : durationMs(staleAfter);
  const newest = newestRestorable(input.snapshots);
  const lastRun =
    state.lastRun === null
      ? null
      : { at: state.lastRun.at, ok: state.lastRun.ok, message: state.lastRun.message };
  const nextRun =
    schedule === null
      ? null
      : new Date(
          Math.max(nowMs, dueAt(schedule, state.lastRun === null ? null : Date.parse(state.lastRun.at))),
        ).toISOString();
  const base = {
    newest: newest?.time ?? null,
    staleAfterMs,
    schedule: schedule === null ? null : scheduleText(schedule),
    nextRun,
    lastRun,
  };
  const limit = formatSpan(staleAfterMs / 1000);
  if (lastRun !== null && !lastRun.ok) {
    return { ...base, state: 'failing', reason: `The last scheduled snapshot failed: ${lastRun.message}` };
  }
  if (newest === undefined) {
    return {
      ...base,
      state: 'never',
      reason:
        schedule === null
          ? 'No snapshot yet, and no schedule: take one now or set a schedule.'
          : 'No snapshot yet: the first scheduled one is due.',
    };
  }
  const ageMs = nowMs - Date.parse(newest.time);
  const age = formatSpan(Math.max(0, ageMs) / 1000);
  const withoutSchedule = staleAfter === null ? 'no schedule is set' : `stale after ${staleAfter}`;
  const why = schedule === null ? withoutSchedule : `the schedule is ${scheduleText(schedule)}`;
  if (ageMs > staleAfterMs) {
    return {
      ...base,
      state: 'stale',
      reason: `The newest snapshot is ${age} old, more than ${limit} (${why}).`,
    };
  }
  return {
    ...base,
    state: 'fresh',
    reason: `The newest snapshot is ${age} old (${why}; stale after ${limit}).`,
  };
}
