import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ActivityEntry } from '../../contract/activity';
import { makeTempDir } from '../../testing/fixtures';
import { appendActivity, lastRestore, readActivity } from './activity-log';

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

  it('finds the last restore while its pre-restore snapshot exists', () => {
    const dir = path.join(temp.dir, 'restores');
    appendActivity(
      dir,
      entry(1, { action: 'restore', target: 'app-old.db', preRestore: 'app-1-pre-restore.db' }),
    );
    assert.equal(lastRestore(dir), null, 'its pre-restore snapshot is gone');
    fs.writeFileSync(path.join(dir, 'app-1-pre-restore.db'), '');
    assert.deepEqual(lastRestore(dir), {
      at: entry(1).at,
      action: 'restore',
      snapshot: 'app-old.db',
      preRestore: 'app-1-pre-restore.db',
    });
    appendActivity(dir, entry(2, { action: 'restore', outcome: 'rolled-back', target: 'app-bad.db' }));
    assert.equal(
      lastRestore(dir)?.preRestore,
      'app-1-pre-restore.db',
      'a rolled-back restore changed nothing to undo',
    );
    // An undo is offered to be redone; a redo to be undone again; a rehearsal changes nothing of that.
    appendActivity(
      dir,
      entry(3, { action: 'undo', target: 'app-1-pre-restore.db', preRestore: 'app-3-pre-undo.db' }),
    );
    fs.writeFileSync(path.join(dir, 'app-3-pre-undo.db'), '');
    appendActivity(dir, entry(4, { action: 'rehearse', target: 'app-old.db' }));
    assert.deepEqual([lastRestore(dir)?.action, lastRestore(dir)?.preRestore], ['undo', 'app-3-pre-undo.db']);
    appendActivity(
      dir,
      entry(5, { action: 'redo', target: 'app-3-pre-undo.db', preRestore: 'app-5-pre-redo.db' }),
    );
    fs.writeFileSync(path.join(dir, 'app-5-pre-redo.db'), '');
    assert.deepEqual([lastRestore(dir)?.action, lastRestore(dir)?.preRestore], ['redo', 'app-5-pre-redo.db']);
  });
});
