import type { AppHealth, AppSummary } from '#contract/apps';
import { formatAge, formatSpan } from '#contract/format';

/** How old something is, the one way ages read on the page: "just now", "4 min ago". */
export function ageText(iso: string, now: number): string {
  return formatAge((now - Date.parse(iso)) / 1000);
}

/** The status dot's verdict (core/schedule/attention.ts) in a word, for the card's Protection and the fleet. */
export const healthWords: Record<AppHealth, string> = {
  ok: 'Fresh',
  stale: 'Stale',
  failing: 'Failing',
  'no-snapshots': 'No snapshot yet',
  problem: 'Needs attention',
  'no-database': 'No database yet',
};

/** The colour of that word: the dot's. */
export const healthTone: Record<AppHealth, 'fresh' | 'stale' | 'failing'> = {
  ok: 'fresh',
  stale: 'stale',
  failing: 'failing',
  'no-snapshots': 'stale',
  problem: 'failing',
  'no-database': 'stale',
};

/**
 * Why the app's dot is the colour it is: the host's verdict, with the newest snapshot's age read
 * against the page's clock rather than frozen at the moment the host wrote its sentence.
 */
export function healthSentence(app: AppSummary, now: number): string {
  const freshness = app.freshness;
  // Only the freshness sentence is read again; a dot amber for another reason (a drill) keeps the host's.
  const own =
    (app.health === 'ok' && freshness?.state === 'fresh') ||
    (app.health === 'stale' && freshness?.state === 'stale');
  if (!own || freshness === null || freshness.newest === null) {
    return app.healthText;
  }
  const age = ageText(freshness.newest, now);
  const limit = formatSpan(freshness.staleAfterMs / 1000);
  const schedule = freshness.schedule === null ? '' : `the schedule is ${freshness.schedule}`;
  return app.health === 'stale'
    ? `The newest snapshot was taken ${age}, more than ${limit}${schedule === '' ? '' : ` (${schedule})`}.`
    : `The newest snapshot was taken ${age} (${schedule === '' ? '' : `${schedule}; `}stale after ${limit}).`;
}
