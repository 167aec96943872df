import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { makeTempDir } from '../../testing/fixtures';
import { scanWal } from './wal-log';
import { unwatchedControl as quiet } from '../job-control';

/**
 * The WAL reader on logs SQLite itself wrote (checkpoints off, the writer kept open so that the log
 * stays): the database rebuilt from the main file and the pages the reader keeps must hold exactly
 * the rows SQLite committed, whatever follows the last commit — a torn frame, a transaction not yet
 * committed, a damaged frame, frames of an earlier generation after a restart.
 */

const pageSize = 4096;

describe('the WAL reader', () => {
  const temp = makeTempDir();
  after(() => temp.cleanup());
  let n = 0;

  /** A live database in WAL mode whose log is never checkpointed while the test runs. */
  function writer(): { db: Database.Database; file: string } {
    n += 1;
    const file = path.join(temp.dir, `live${n}.db`);
    const db = new Database(file);
    db.pragma(`page_size = ${pageSize}`);
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    db.pragma('wal_checkpoint(TRUNCATE)');
    return { db, file };
  }

  const insert = (db: Database.Database, from: number, count: number): void => {
    const statement = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
    db.transaction(() => {
      for (let i = from; i < from + count; i += 1) statement.run(i, `row ${i} ${'x'.repeat(200)}`);
    })();
  };

  /** Copies the main file and its log as they are now (the writer still open), the log cut to `walBytes` if given. */
  function copyOf(file: string, walBytes?: number): { main: string; wal: string } {
    n += 1;
    const main = path.join(temp.dir, `copy${n}.db`);
    fs.copyFileSync(file, main);
    const wal = `${main}-wal`;
    fs.copyFileSync(`${file}-wal`, wal);
    if (walBytes !== undefined) fs.truncateSync(wal, walBytes);
    return { main, wal };
  }

  /** The rows of the database the main file and the reader's committed pages make. */
  function rowsRebuilt(copy: { main: string; wal: string }): {
    ids: number[];
    commitPageCount: number | null;
  } {
    const log = scanWal(copy.wal, pageSize, quiet, () => undefined);
    try {
      const image = fs.readFileSync(copy.main);
      const pages = log.commitPageCount ?? image.length / pageSize;
      const rebuilt = Buffer.alloc(pages * pageSize);
      image.copy(rebuilt, 0, 0, Math.min(image.length, rebuilt.length));
      for (const [page, offset] of log.pages) {
        if (page <= pages && log.fd !== null)
          fs.readSync(log.fd, rebuilt, (page - 1) * pageSize, pageSize, offset);
      }
      // A rollback-journal header, so that SQLite reads this file alone.
      rebuilt[18] = 1;
      rebuilt[19] = 1;
      n += 1;
      const out = path.join(temp.dir, `rebuilt${n}.db`);
      fs.writeFileSync(out, rebuilt);
      const db = new Database(out, { readonly: true });
      try {
        assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
        return {
          ids: db.prepare('SELECT id FROM t ORDER BY id').pluck().all() as number[],
          commitPageCount: log.commitPageCount,
        };
      } finally {
        db.close();
      }
    } finally {
      log.close();
    }
  }

  const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

  it('keeps every committed transaction, the newest version of each page', () => {
    const { db, file } = writer();
    insert(db, 0, 300);
    db.exec("UPDATE t SET v = 'changed' WHERE id < 50");
    insert(db, 300, 200);
    const rebuilt = rowsRebuilt(copyOf(file));
    db.close();
    assert.deepEqual(rebuilt.ids, range(0, 500));
  });

  it('ignores a torn last frame and the transaction it belonged to', () => {
    const { db, file } = writer();
    insert(db, 0, 100);
    const committed = fs.statSync(`${file}-wal`).size;
    insert(db, 100, 100);
    const torn = rowsRebuilt(copyOf(file, committed + 24 + pageSize + 1000));
    db.close();
    assert.deepEqual(torn.ids, range(0, 100));
  });

  it('ignores the frames of a transaction whose commit frame is not there yet', () => {
    const { db, file } = writer();
    insert(db, 0, 100);
    const committed = fs.statSync(`${file}-wal`).size;
    insert(db, 100, 300);
    // Cut at a frame boundary, two frames into the second transaction: frames without a commit.
    const rebuilt = rowsRebuilt(copyOf(file, committed + 2 * (24 + pageSize)));
    db.close();
    assert.deepEqual(rebuilt.ids, range(0, 100));
  });

  it('stops at a damaged frame: nothing after it counts, even later commits', () => {
    const { db, file } = writer();
    insert(db, 0, 100);
    const first = fs.statSync(`${file}-wal`).size;
    insert(db, 100, 100);
    insert(db, 200, 100);
    const copy = copyOf(file);
    db.close();
    const fd = fs.openSync(copy.wal, 'r+');
    // One byte of the second transaction's first page.
    fs.writeSync(fd, Buffer.from([0x55]), 0, 1, first + 24 + 100);
    fs.closeSync(fd);
    assert.deepEqual(rowsRebuilt(copy).ids, range(0, 100));
  });

  it('after a restart, reads only the new generation, not the older frames left after it; and says when the log restarted since', () => {
    const { db, file } = writer();
    insert(db, 0, 600);
    db.pragma('wal_checkpoint(RESTART)');
    insert(db, 600, 5);
    // The log is rewritten from its start with new salts: the older, longer generation's frames follow.
    const copy = copyOf(file);
    assert.ok(
      fs.statSync(copy.wal).size > 20 * (24 + pageSize),
      'the earlier generation is still in the file',
    );
    const rebuilt = rowsRebuilt(copy);
    assert.deepEqual(rebuilt.ids, range(0, 605));
    const log = scanWal(`${file}-wal`, pageSize, quiet, () => undefined);
    try {
      assert.equal(log.restartedSinceScan(), false);
      db.pragma('wal_checkpoint(RESTART)');
      insert(db, 605, 1);
      assert.equal(log.restartedSinceScan(), true);
    } finally {
      log.close();
      db.close();
    }
  });

  it('a log of another page size, or with a damaged header, holds nothing', () => {
    const { db, file } = writer();
    insert(db, 0, 10);
    const copy = copyOf(file);
    db.close();
    const other = scanWal(copy.wal, 8192, quiet, () => undefined);
    assert.equal(other.pages.size, 0);
    other.close();
    const fd = fs.openSync(copy.wal, 'r+');
    fs.writeSync(fd, Buffer.from([0xff]), 0, 1, 12);
    fs.closeSync(fd);
    const damaged = scanWal(copy.wal, pageSize, quiet, () => undefined);
    assert.equal(damaged.pages.size, 0);
    assert.equal(damaged.commitPageCount, null);
    damaged.close();
  });
});
