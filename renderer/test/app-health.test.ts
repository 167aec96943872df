import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppSummary } from '#contract/apps';
import type { Freshness } from '#contract/schedule';
import { healthSentence } from '../src/ui/app-health';

const now = Date.parse('2026-06-01T12:00:00Z');
const minutesAgo = (n: number): string => new Date(now - n * 60_000).toISOString();

function summary(
  health: AppSummary['health'],
  healthText: string,
  freshness: Partial<Freshness>,
): AppSummary {
  return {
    health,
    healthText,
    freshness: {
      state: 'fresh',
      reason: 'The newest snapshot is 2 min old (frozen when the host wrote it).',
      newest: minutesAgo(4),
      staleAfterMs: 7 * 86_400_000,
      schedule: null,
      nextRun: null,
      lastRun: null,
      ...freshness,
    },
  } as AppSummary;
}

describe("the dot's reason, read against the page's clock", () => {
  it('says the newest snapshot’s age from the clock, not the host’s frozen sentence', () => {
    const app = summary('ok', 'The newest snapshot is 2 min old (frozen).', {});
    assert.equal(healthSentence(app, now), 'The newest snapshot was taken 4 min ago (stale after 7 days).');
    assert.equal(
      healthSentence(app, now + 5 * 60_000),
      'The newest snapshot was taken 9 min ago (stale after 7 days).',
    );
  });

  it('names the schedule and the limit of a stale app', () => {
    const app = summary('stale', 'frozen', {
      state: 'stale',
      staleAfterMs: 2 * 3_600_000,
      schedule: 'every hour',
      newest: minutesAgo(180),
    });
    assert.equal(
      healthSentence(app, now),
      'The newest snapshot was taken 3 h ago, more than 2 h (the schedule is every hour).',
    );
  });

  it('keeps the host’s verdict when the dot is for something else: a damaged file beside a fresh snapshot', () => {
    const damage = '1 damaged or incomplete file(s) in the backups folder: a.db (corrupt).';
    assert.equal(healthSentence(summary('problem', damage, {}), now), damage);
    const failing = 'The last scheduled snapshot failed: disk full';
    assert.equal(healthSentence(summary('failing', failing, { state: 'failing' }), now), failing);
  });
});
