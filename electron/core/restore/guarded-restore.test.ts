import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { restoreSteps, type RestoreStep } from '../../contract/restore';
import { lifeboat } from '../../testing/cli-run';
import {
  contentDigest,
  createLiveDatabase,
  makeTempDir,
  sha256,
  type LiveMode,
} from '../../testing/fixtures';
import { createHash } from 'node:crypto';
import { mountTmpfs } from '../../testing/mounts';
import { startWriter } from '../../testing/writer-handle';
import { readRecord } from '../snapshot/snapshot-records';
import { readJournal, restorePaths } from './restore-journal';

interface Scene {
  readonly dir: string;
  readonly db: string;
  readonly snapshot: string;
  readonly original: string;
  readonly restored: string;
}

/**
 * A live database with a snapshot of an earlier state. With `staleWal`, the app died with changes
 * only in its -wal, which must neither survive into the restored file nor be lost (the pre-restore
 * snapshot holds them).
 */
function scene(root: string, name: string, mode: LiveMode, staleWal: boolean): Scene {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  const db = path.join(dir, 'app.db');
  createLiveDatabase(db, mode, 256 * 1024);
  const made = lifeboat(['backup', 'before', '--db', 'app.db', '--json'], dir);
  const snapshot = (JSON.parse(made.stdout) as { snapshot: { path: string } }).snapshot.path;
  const restored = contentDigest(snapshot);
  const app = new Database(db);
  app.exec(
    "INSERT INTO ledger (account, amount, at) VALUES (1, 5, 'later'); UPDATE accounts SET balance = balance + 5 WHERE id = 1;",
  );
  if (staleWal) {
    app.pragma('wal_autocheckpoint = 0');
    app.exec(
      "INSERT INTO ledger (account, amount, at) VALUES (2, 7, 'only in the wal'); UPDATE accounts SET balance = balance + 7 WHERE id = 2;",
    );
    // Leave the -wal behind as a crashed app would: copy the files while the connection is open.
    fs.copyFileSync(db, `${db}.keep`);
    fs.copyFileSync(`${db}-wal`, `${db}-wal.keep`);
    app.close();
    fs.renameSync(`${db}.keep`, db);
    fs.renameSync(`${db}-wal.keep`, `${db}-wal`);
    assert.ok(fs.statSync(`${db}-wal`).size > 0);
  } else {
    app.close();
  }
  return { dir, db, snapshot, original: contentDigest(db), restored };
}

/** Another scene with the same files (mtimes kept, as the snapshot's record expects), in its own folder. */
function copyScene(template: Scene, root: string, name: string): Scene {
  const dir = path.join(root, name);
  fs.cpSync(template.dir, dir, { recursive: true, preserveTimestamps: true });
  const moved = (file: string): string => path.join(dir, path.relative(template.dir, file));
  return { ...template, dir, db: moved(template.db), snapshot: moved(template.snapshot) };
}

/** The journal mode a database file's header records (bytes 18-19). */
function headerMode(file: string): string {
  const header = fs.readFileSync(file).subarray(18, 20);
  const modes = new Map([
    ['2,2', 'wal'],
    ['1,1', 'rollback'],
  ]);
  return modes.get(header.join(',')) ?? `bytes ${header.join(',')}`;
}

/** The file's bytes with its journal-mode bytes blanked: equal for a snapshot and its restored copy. */
const sha256Of = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

function bytesBesideMode(file: string): string {
  const bytes = fs.readFileSync(file);
  bytes.fill(0, 18, 20);
  return sha256Of(bytes);
}

function leftovers(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.includes('lifeboat-restore'));
}

describe('the guarded restore', () => {
  let temp: { dir: string; cleanup: () => void };
  before(() => {
    temp = makeTempDir();
  });
  after(() => temp.cleanup());

  for (const mode of ['wal', 'delete'] as const) {
    it(`replaces the live database (${mode}) with exactly the snapshot, keeps a pinned pre-restore snapshot, its journal mode and permissions; undo puts it back the same way`, () => {
      const s = scene(temp.dir, `plain-${mode}`, mode, mode === 'wal');
      fs.chmodSync(s.db, 0o640);
      const liveMode = fs.statSync(s.db).mode & 0o777;
      const journalMode = mode === 'wal' ? 'wal' : 'rollback';
      assert.equal(headerMode(s.db), journalMode);
      assert.equal(headerMode(s.snapshot), 'rollback', 'snapshots are stored self-contained');
      const run = lifeboat(
        ['restore', path.basename(s.snapshot), '--db', 'app.db', '--yes', '--json'],
        s.dir,
      );
      assert.equal(run.code, 0, run.stderr);
      const result = JSON.parse(run.stdout) as {
        outcome: string;
        preRestoreSnapshot: string;
        tables: { name: string; liveRows: number; snapshotRows: number }[];
      };
      assert.equal(result.outcome, 'restored');
      // Checked before anything reads it: opening a WAL database creates an (empty) -wal of its own.
      assert.equal(fs.existsSync(`${s.db}-wal`), false, 'no stale -wal beside the restored file');
      assert.equal(contentDigest(s.db), s.restored, 'the live database holds the snapshot’s content');
      assert.equal(
        bytesBesideMode(s.db),
        bytesBesideMode(s.snapshot),
        'byte for byte, but for the journal mode',
      );
      assert.equal(headerMode(s.db), journalMode, 'the live database keeps its journal mode');
      const reopened = new Database(s.db, { readonly: true });
      assert.equal(
        reopened.pragma('journal_mode', { simple: true }),
        mode === 'wal' ? 'wal' : 'delete',
        'SQLite reads the mode the app set',
      );
      reopened.close();
      assert.equal(
        fs.statSync(s.db).mode & 0o777,
        liveMode,
        'the live file’s permissions, not the read-only snapshot’s',
      );
      assert.equal(
        contentDigest(result.preRestoreSnapshot),
        s.original,
        'the pre-restore snapshot holds the state before, -wal included',
      );
      const record = readRecord(path.join(s.dir, 'backups'), path.basename(result.preRestoreSnapshot));
      assert.equal(record?.pinned, true);
      assert.equal(record?.verification?.ok, true);
      assert.deepEqual(
        result.tables.find((t) => t.name === 'ledger'),
        { name: 'ledger', liveRows: mode === 'wal' ? 2 : 1, snapshotRows: 0 },
      );
      assert.deepEqual(leftovers(s.dir), []);

      const undone = lifeboat(['restore', '--undo', '--db', 'app.db', '--yes', '--json'], s.dir);
      assert.equal(undone.code, 0, undone.stderr);
      assert.equal(contentDigest(s.db), s.original, 'undo puts back what was live');
      assert.equal(headerMode(s.db), journalMode, 'and in the journal mode it had');
      assert.equal(fs.statSync(s.db).mode & 0o777, liveMode);
    });
  }

  it('refuses while a process holds the live database open, naming it, and touches nothing', async () => {
    const s = scene(temp.dir, 'held', 'wal', false);
    const writer = await startWriter(s.db, 1);
    try {
      const run = lifeboat(['restore', path.basename(s.snapshot), '--db', 'app.db', '--yes'], s.dir);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /held open by pid \d+ \(.*writer-process/);
      assert.match(run.stderr, /\[DB_IN_USE\]/);
    } finally {
      await writer.stop();
    }
    assert.equal(
      fs.readdirSync(path.join(s.dir, 'backups')).filter((n) => n.includes('pre-restore')).length,
      0,
    );
    assert.deepEqual(leftovers(s.dir), []);
  });

  it('refuses a snapshot that changed since it was made, touching nothing', () => {
    const s = scene(temp.dir, 'tampered', 'delete', false);
    fs.chmodSync(s.snapshot, 0o644);
    const db = new Database(s.snapshot);
    db.exec('DELETE FROM payload');
    db.close();
    const before = sha256(s.db);
    const run = lifeboat(['restore', path.basename(s.snapshot), '--db', 'app.db', '--yes'], s.dir);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /CHECKSUM_MISMATCH/);
    assert.equal(sha256(s.db), before);
    assert.deepEqual(leftovers(s.dir), []);
  });

  it('reports DISK_FULL when the pre-restore snapshot does not fit, touching nothing', (t) => {
    const s = scene(temp.dir, 'full', 'delete', false);
    const bigger = new Database(s.db);
    bigger.exec('INSERT INTO payload (data) SELECT randomblob(4000) FROM payload, payload AS p2 LIMIT 600');
    bigger.close();
    const original = sha256(s.db);
    const backups = path.join(s.dir, 'small-backups');
    const mount = mountTmpfs(backups, 'size=1m');
    if (!mount.ok) {
      t.skip(mount.reason);
      return;
    }
    try {
      fs.copyFileSync(s.snapshot, path.join(backups, path.basename(s.snapshot)));
      const run = lifeboat(
        ['restore', path.basename(s.snapshot), '--db', 'app.db', '--backups-dir', backups, '--yes'],
        s.dir,
      );
      assert.equal(run.code, 1);
      assert.match(run.stderr, /DISK_FULL/);
      assert.equal(sha256(s.db), original);
      assert.deepEqual(leftovers(s.dir), []);
    } finally {
      mount.unmount();
    }
  });

  it('killed part-way through clean-up (the old database gone, its stale -wal not yet), a rollback puts back the original', () => {
    const s = scene(temp.dir, 'crash-mid-clean-up', 'wal', true);
    const killed = lifeboat(['restore', path.basename(s.snapshot), '--db', 'app.db', '--yes'], s.dir, {
      LIFEBOAT_TEST_KILL_AT: 'discard-old:1',
    });
    assert.equal(killed.signal, 'SIGKILL');
    const { old } = restorePaths(s.db);
    assert.equal(fs.existsSync(old), false, 'the set-aside database was removed first');
    assert.equal(fs.existsSync(`${old}-wal`), true, "the app's stale -wal was not removed yet");
    const rolledBack = lifeboat(['restore', '--rollback', '--db', 'app.db'], s.dir);
    assert.equal(rolledBack.code, 0, rolledBack.stderr);
    assert.equal(fs.existsSync(`${s.db}-wal`), false, 'no stale -wal beside the database');
    assert.equal(contentDigest(s.db), s.original, 'the database as it was before the restore, -wal included');
    assert.deepEqual(leftovers(s.dir), []);
  });

  // One pass per journal mode (WAL with the app's stale -wal left behind, the case to fear): a kill
  // right after every journaled step (preflight writes no journal), then one recovery, resume and
  // rollback taking turns so that each step gets both across the two passes. Every state a kill can
  // leave, mid-step too, from every mix of sidecars, and both recoveries of each are checked on a
  // model of the folder by recovery-plan.test.ts; these passes check that real files and processes agree.
  const steps: readonly RestoreStep[] = restoreSteps.filter((step) => step !== 'preflight');
  const passes = [
    { mode: 'wal', staleWal: true },
    { mode: 'delete', staleWal: false },
  ] as const;
  for (const [pass, { mode, staleWal }] of passes.entries()) {
    it(`survives SIGKILL at every step (${mode}${staleWal ? ', with a -wal present' : ''}): resume gives the snapshot, rollback the original`, () => {
      // The same starting files for every step, made once (a copy is much quicker than a snapshot).
      const template = scene(temp.dir, `crash-${mode}-template`, mode, staleWal);
      for (const [index, step] of steps.entries()) {
        const recovery = (index + pass) % 2 === 0 ? 'resume' : 'rollback';
        const s = copyScene(template, temp.dir, `crash-${mode}-${step}-${recovery}`);
        const killed = lifeboat(['restore', path.basename(s.snapshot), '--db', 'app.db', '--yes'], s.dir, {
          LIFEBOAT_TEST_KILL_AT: step,
        });
        assert.equal(killed.signal, 'SIGKILL', `killed at ${step}`);
        assert.equal(
          readJournal({ databasePath: s.db, backupsDir: path.join(s.dir, 'backups') })?.step,
          step,
          `the journal on disk names ${step} before it runs`,
        );
        // What the next command says, and that a second restore is refused, is the same at every step:
        // asked at the swap's two renames, where a wrong answer costs most.
        if (step === 'set-aside' || step === 'put-in-place') {
          const warned = lifeboat(['info', '--db', 'app.db', '--json'], s.dir);
          assert.match(warned.stderr, new RegExp(`interrupted \\(at step ${step}\\)`));
          const again = lifeboat(['restore', path.basename(s.snapshot), '--db', 'app.db', '--yes'], s.dir);
          assert.match(
            again.stderr,
            /RESTORE_IN_PROGRESS/,
            'a second restore is refused while one is under way',
          );
        }
        const recovered = lifeboat(['restore', `--${recovery}`, '--db', 'app.db'], s.dir);
        assert.equal(recovered.code, 0, `${step}/${recovery}: ${recovered.stderr}`);
        const expected =
          recovery === 'resume' && step !== 'pre-restore' && step !== 'stop' ? s.restored : s.original;
        assert.equal(
          contentDigest(s.db),
          expected,
          `${step}/${recovery}: the original or the snapshot, never a mix`,
        );
        assert.equal(
          headerMode(s.db),
          mode === 'wal' ? 'wal' : 'rollback',
          `${step}/${recovery}: the journal mode is as before`,
        );
        assert.deepEqual(
          leftovers(s.dir),
          [],
          `${step}/${recovery}: journal resolved, nothing left beside the database`,
        );
        if (step !== 'pre-restore' && step !== 'stop') {
          const pre = fs.readdirSync(path.join(s.dir, 'backups')).find((n) => n.includes('pre-restore'));
          assert.ok(pre !== undefined, 'the pre-restore snapshot exists');
          assert.equal(contentDigest(path.join(s.dir, 'backups', pre)), s.original);
        }
      }
    });
  }
});
