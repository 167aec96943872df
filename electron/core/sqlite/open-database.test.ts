import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLiveDatabase, makeTempDir } from '../../testing/fixtures';
import { LifeboatFailure } from '../lifeboat-failure';
import { openSnapshotDescriptor } from './open-database';

describe('openSnapshotDescriptor', { skip: process.platform !== 'linux' && 'needs /proc/self/fd' }, () => {
  let temp: { dir: string; cleanup: () => void };
  before(() => {
    temp = makeTempDir();
  });
  after(() => temp.cleanup());

  it('opens the file held at the descriptor, and refuses when the path leads to another file', () => {
    const ours = path.join(temp.dir, 'ours.db');
    const other = path.join(temp.dir, 'other.db');
    createLiveDatabase(ours, 'delete', 16 * 1024);
    createLiveDatabase(other, 'delete', 16 * 1024);
    const fd = fs.openSync(ours, 'r');
    try {
      const db = openSnapshotDescriptor(fd, ours);
      assert.equal(db.prepare('PRAGMA quick_check').pluck().get(), 'ok');
      db.close();
      // What a renamed folder on the way would do: the same name now leads to another database.
      assert.throws(
        () => openSnapshotDescriptor(fd, other),
        (error: unknown) => error instanceof LifeboatFailure && error.detail.code === 'IO_ERROR',
      );
    } finally {
      fs.closeSync(fd);
    }
  });
});
