import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { DrillResult } from '../../contract/drill';
import type { Freshness } from '../../contract/schedule';
import { makeTempDir } from '../../testing/fixtures';
import { attentionOf } from '../schedule/attention';
import { lastDrill, recordDrill } from './drill-record';
import { drillDue, drillStatusOf } from './drill-status';

const day = 86_400_000;
const now = Date.parse('2026-12-08T12:00:00Z');

function drilledAt(ms: number, failed = false): DrillResult {
  return {
    at: new Date(ms).toISOString(),
    database: '/srv/app/app.db',
    ok: !failed,
    targets: [
      {
        target: 'r2',
        id: 'vm/app/20261201T000000Z-nightly',
        result: failed ? 'failed' : 'ok',
        step: failed ? 'decrypt' : null,
        error: failed
          ? { code: 'DRILL_DECRYPT_FAILED', message: 'Drill step decrypt failed: no key.' }
          : null,
        restored: !failed,
        notTried: [],
        revision: failed ? null : '42',
        bytes: 1024,
        seconds: 3.1,
      },
    ],
  };
}

const fresh: Freshness = {
  state: 'fresh',
  reason: 'The newest snapshot is 1 h old.',
  newest: null,
  staleAfterMs: day,
  schedule: null,
  nextRun: null,
  lastRun: null,
};

const attentionWith = (drill: ReturnType<typeof drillStatusOf>): string[] =>
  attentionOf({
    interrupted: null,
    keeperProblem: null,
    exists: true,
    damaged: [],
    freshness: fresh,
    drill,
  }).map((a) => `${a.kind}: ${a.message}`);

describe('drill status: the third question of freshness', () => {
  it('a recent drill that restored proves the copy, in words, and needs nobody', () => {
    const status = drillStatusOf({ every: '7d' }, drilledAt(now - 2 * day), now);
    assert.equal(status?.text, 'proven: restored from r2 2 days ago, integrity ok, revision 42, 3.1 s');
    assert.equal(status.overdue, false);
    assert.deepEqual(attentionWith(status), []);
  });

  it('a drill older than 1.25 times its period is overdue, and the app needs attention (amber)', () => {
    assert.equal(drillStatusOf({ every: '7d' }, drilledAt(now - 8.7 * day), now)?.overdue, false);
    const late = drillStatusOf({ every: '7d' }, drilledAt(now - 8.8 * day), now);
    assert.equal(late?.overdue, true);
    assert.deepEqual(attentionWith(late), [
      'drill: Offsite copies proven: restored from r2 9 days ago, integrity ok, revision 42, 3.1 s; overdue (drills every 7d).',
    ]);
    assert.equal(drillStatusOf({ every: '7d' }, null, now)?.overdue, true);
  });

  it('a failed drill names its target, step and code, and needs attention', () => {
    const status = drillStatusOf({ every: '7d' }, drilledAt(now - day, true), now);
    assert.equal(status?.result, 'failed');
    assert.equal(status.step, 'decrypt');
    assert.deepEqual(attentionWith(status), [
      'drill: Offsite copies drill failed 24 h ago: r2 at step decrypt [DRILL_DECRYPT_FAILED].',
    ]);
  });

  it('is due when none ran, then once its period is over', () => {
    assert.equal(drillDue({ every: '7d' }, null, now), true);
    assert.equal(drillDue({ every: '7d' }, drilledAt(now - 7 * day + 1), now), false);
    assert.equal(drillDue({ every: '7d' }, drilledAt(now - 7 * day), now), true);
  });

  it(
    "the record is evidence only when Lifeboat's user wrote it",
    { skip: process.getuid?.() !== 0 && 'giving the record to another user needs root' },
    () => {
      const { dir, cleanup } = makeTempDir();
      try {
        const result = drilledAt(now);
        recordDrill(dir, result);
        assert.deepEqual(lastDrill(dir, result.database), result);
        const [file] = fs.readdirSync(path.join(dir, 'drills'));
        fs.chownSync(path.join(dir, 'drills', file ?? ''), 65534, 65534);
        assert.equal(lastDrill(dir, result.database), null);
      } finally {
        cleanup();
      }
    },
  );
});
