import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { progressMarker, type JobProgress } from '../../contract/jobs';
import { lifeboatAsync } from '../../testing/cli-run';
import { contentDigest, createLiveDatabase, makeTempDir } from '../../testing/fixtures';

/**
 * The copy's retry when a writer restarts the write-ahead log during a snapshot, triggered on purpose:
 * the log is fully checkpointed but not truncated (so the scan finds frames, and the snapshot's read
 * needs none of them), and right after the scan another connection commits, which makes SQLite start
 * the log over at its beginning with new salts. The pages the scan located there are now newer ones.
 */
describe('a snapshot while the log is restarted', () => {
  const { dir, cleanup } = makeTempDir();
  after(cleanup);

  it('notices the restart, copies again, and the snapshot is the database as it is after that commit', async () => {
    const db = path.join(dir, 'app.db');
    createLiveDatabase(db, 'wal', 512 * 1024);
    // The app's connection: it keeps the log file (closing the last connection would delete it).
    const app = new Database(db);
    try {
      for (let i = 0; i < 50; i += 1) {
        app.prepare('UPDATE accounts SET balance = balance + ? WHERE id = ?').run(i, (i % 100) + 1);
      }
      const [checkpoint] = app.pragma('wal_checkpoint(PASSIVE)') as {
        busy: number;
        log: number;
        checkpointed: number;
      }[];
      assert.ok(checkpoint !== undefined && checkpoint.log > 0 && checkpoint.checkpointed === checkpoint.log);
      const run = await lifeboatAsync(['backup', 'restart', '--db', db, '--json', '--from-hub'], dir, {
        LIFEBOAT_TEST_SQL_AFTER_WAL_SCAN: 'UPDATE accounts SET balance = balance + 1000000 WHERE id = 7',
      });
      assert.equal(run.code, 0, run.stderr);
      const phases = run.stderr
        .split('\n')
        .filter((line) => line.startsWith(progressMarker))
        .map((line) => (JSON.parse(line.slice(progressMarker.length)) as JobProgress).phase);
      assert.ok(
        phases.includes('The write-ahead log was restarted during the copy: copying again'),
        phases.join(', '),
      );
      const snapshot = run.json<{ snapshot: { path: string } }>().snapshot.path;
      assert.equal(
        new Database(snapshot, { readonly: true })
          .prepare('SELECT balance FROM accounts WHERE id = 7')
          .pluck()
          .get(),
        app.prepare('SELECT balance FROM accounts WHERE id = 7').pluck().get(),
      );
      assert.equal(contentDigest(snapshot), contentDigest(db));
      // Without a writer at that moment, one pass is enough.
      const quiet = await lifeboatAsync(['backup', 'quiet', '--db', db, '--json', '--from-hub'], dir);
      assert.equal(quiet.code, 0, quiet.stderr);
      assert.doesNotMatch(quiet.stderr, /copying again/);
    } finally {
      app.close();
    }
  });
});
