import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatWhen } from './format';

describe('times in lists', () => {
  const now = new Date(2026, 10, 26, 15, 0, 0).getTime();
  const ago = (seconds: number): string => new Date(now - seconds * 1000).toISOString();

  it('are ages within the last week and dates beyond it', () => {
    assert.equal(formatWhen(ago(5), now), 'just now');
    assert.equal(formatWhen(ago(3 * 3600), now), '3 h ago');
    assert.equal(formatWhen(ago(6 * 86400), now), '6 days ago');
    assert.equal(formatWhen(new Date(2026, 9, 28, 14, 5).toISOString(), now), '28 Oct');
    assert.equal(formatWhen(new Date(2025, 3, 2, 9, 0).toISOString(), now), '2 Apr 2025');
  });
});
