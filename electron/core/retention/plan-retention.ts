import type { KeepReason, PruneDecision, RetentionRuleName, RetentionRules } from '../../contract/retention';
import { retentionRuleNames } from '../../contract/retention';
import type { SnapshotEntry } from '../../contract/snapshots';

/**
 * The retention planner: pure, from a listing and rules to a decision per snapshot (the functional
 * core; `prune` deletes what it says). Rules follow restic's `forget`: each walks the snapshots newest
 * first and keeps the newest of each distinct period until it has kept N periods; periods without a
 * snapshot do not count. Pinned snapshots take part like any other (and are kept whatever the rules).
 */

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** The ISO 8601 week of a local calendar date ("2026-W48"); the year is the week's, not the date's. */
export function isoWeekOf(date: Date): string {
  // Calendar arithmetic in UTC on the local date's fields: no daylight-saving hour can shift a day.
  const day = Date.UTC(date.getFullYear(), date.getMonth(), date.getDate());
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const thursday = new Date(day + (3 - weekday) * 86_400_000);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000));
  return `${year}-W${pad(week)}`;
}

type PeriodOf = (date: Date) => string;

const periodOf: Record<Exclude<RetentionRuleName, 'keepLast'>, PeriodOf> = {
  keepHourly: (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}h`,
  keepDaily: (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
  keepWeekly: isoWeekOf,
  keepMonthly: (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}`,
  keepYearly: (d) => String(d.getFullYear()),
};

/** Snapshots the rules walk: readable ones Lifeboat made. Damaged and foreign files are only reported. */
function isCandidate(entry: SnapshotEntry): boolean {
  return entry.madeBy === 'lifeboat' && (entry.status === 'verified' || entry.status === 'unverified');
}

function protectionOf(entry: SnapshotEntry): KeepReason | null {
  if (entry.status !== 'verified' && entry.status !== 'unverified') {
    return { kind: 'unreadable' };
  }
  return entry.madeBy === 'lifeboat' ? null : { kind: 'not-lifeboat' };
}

export interface PlanOptions {
  /** A restore of the database is under way (or was interrupted): every snapshot is kept. */
  readonly restoreInProgress?: boolean;
}

/** What the rules keep and delete, newest first, every snapshot of the listing with its reasons. */
export function planRetention(
  snapshots: readonly SnapshotEntry[],
  rules: RetentionRules,
  options: PlanOptions = {},
): PruneDecision[] {
  const ordered = snapshots
    .map((entry) => ({ entry, ms: Date.parse(entry.time) }))
    .sort((a, b) => b.ms - a.ms || (a.entry.file < b.entry.file ? -1 : 1));
  const reasons = new Map<string, KeepReason[]>(ordered.map(({ entry }) => [entry.file, []]));
  const keep = (file: string, reason: KeepReason): void => {
    reasons.get(file)?.push(reason);
  };
  const candidates = ordered.filter(({ entry }) => isCandidate(entry));
  const dates = candidates.map(({ ms }) => new Date(ms));
  for (const rule of retentionRuleNames) {
    let left = rules[rule] ?? 0;
    let lastPeriod: string | null = null;
    for (let i = 0; i < candidates.length && left > 0; i += 1) {
      const date = dates[i] as Date;
      const period = rule === 'keepLast' ? String(i + 1) : periodOf[rule](date);
      if (period !== lastPeriod) {
        keep((candidates[i] as (typeof candidates)[number]).entry.file, { kind: 'rule', rule, period });
        lastPeriod = period;
        left -= 1;
      }
    }
  }
  const newest = candidates[0]?.entry.file;
  const newestVerified = candidates.find(({ entry }) => entry.status === 'verified')?.entry.file;
  return ordered.map(({ entry }) => {
    const kept = [...(reasons.get(entry.file) ?? [])];
    const protection = protectionOf(entry);
    if (protection !== null) kept.push(protection);
    if (entry.pinned) kept.push({ kind: 'pinned' });
    if (entry.file === newest) kept.push({ kind: 'newest' });
    if (entry.file === newestVerified) kept.push({ kind: 'newest-verified' });
    if (options.restoreInProgress === true) kept.push({ kind: 'restore-in-progress' });
    return {
      file: entry.file,
      time: entry.time,
      label: entry.label,
      note: entry.note,
      status: entry.status,
      pinned: entry.pinned,
      decision: kept.length > 0 ? 'keep' : 'delete',
      reasons: kept,
    };
  });
}
