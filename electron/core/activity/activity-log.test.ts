import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ActivityEntry } from '../../contract/activity';
import { makeTempDir } from '../../testing/fixtures';
import { appendActivity, readActivity } from './activity-log';

function entry(index: number, overrides: Partial<ActivityEntry> = {}): ActivityEntry {
  return {
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString(),
    action: 'snapshot',
    database: '/srv/app.db',
    target: `app-${index}.db`,
    outcome: 'ok',
    detail: 'Snapshot taken and checked.',
    origin: 'cli',
    ...overrides,
  };
}

describe('the activity log', () => {
  let temp: { dir: string; cleanup: () => void };
  before(() => {
    temp = makeTempDir();
  });
  after(() => temp.cleanup());

  it('reads the newest entries first from the end of a long log, skipping a line cut short', () => {
    const dir = path.join(temp.dir, 'long');
    for (let i = 0; i < 5000; i += 1) {
      appendActivity(dir, entry(i));
    }
    fs.appendFileSync(
      path.join(dir, '.lifeboat', 'activity.jsonl'),
      '{"at": "2026-01-02T00:00:00.000Z", "action": "sna',
    );
    const newest = readActivity(dir, 3);
    assert.deepEqual(
      newest.map((e) => e.target),
      ['app-4999.db', 'app-4998.db', 'app-4997.db'],
    );
    assert.equal(readActivity(dir).length, 1000);
    assert.deepEqual(readActivity(path.join(temp.dir, 'none')), []);
  });
});
