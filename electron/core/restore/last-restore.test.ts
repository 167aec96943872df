import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeTempDir } from '../../testing/fixtures';
import { LifeboatFailure } from '../lifeboat-failure';
import { checkedLastRestore, lastRestore, recordLastRestore } from './last-restore';

describe("Lifeboat's record of the last restore", () => {
  let temp: { dir: string; cleanup: () => void };
  before(() => {
    temp = makeTempDir();
  });
  after(() => temp.cleanup());

  const facts = {
    at: new Date(0).toISOString(),
    action: 'restore',
    snapshot: 'app-old.db',
    preRestore: 'app-1-pre-restore.db',
    preRestoreSha256: 'a'.repeat(64),
  } as const;

  it('offers the undo while its pre-restore snapshot is there, and only for its own database', () => {
    const location = {
      databasePath: path.join(temp.dir, 'app.db'),
      backupsDir: path.join(temp.dir, 'backups'),
    };
    assert.equal(lastRestore(location), null, 'no restore recorded');
    recordLastRestore(location, facts);
    assert.equal(lastRestore(location), null, 'its pre-restore snapshot is gone');
    fs.writeFileSync(path.join(location.backupsDir, facts.preRestore), '');
    assert.deepEqual(lastRestore(location), { version: 1, database: location.databasePath, ...facts });
    const other = { ...location, databasePath: path.join(temp.dir, 'other.db') };
    assert.equal(lastRestore(other), null, 'shown for no other database');
    assert.throws(
      () => checkedLastRestore(other),
      (error: unknown) => error instanceof LifeboatFailure && error.detail.code === 'UNDO_UNTRUSTED',
    );
  });
});
