import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DatabaseLocation } from '../database-location';
import { startJob } from '../jobs/job-runner';
import {
  appWithChangesInLog,
  contentDigest,
  createLiveDatabase,
  growingChanges,
  makeTempDir,
  readLedgerState,
  sha256,
  type LiveMode,
} from '../../testing/fixtures';
import { lifeboatBin } from '../../testing/cli-run';
import { mountReflinkXfs, mountTmpfs } from '../../testing/mounts';
import { createdSnapshotPath, snapshotJob } from '../../testing/run-job';
import { startWriter } from '../../testing/writer-handle';
import { listSnapshots } from './list-snapshots';
import { readRecord } from './snapshot-records';

const modes: LiveMode[] = ['wal', 'delete'];

function location(dir: string): DatabaseLocation {
  return { databasePath: path.join(dir, 'app.db'), backupsDir: path.join(dir, 'backups') };
}

function filesIn(dir: string): string[] {
  return fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((name) => name !== '.lifeboat')
        .sort()
    : [];
}

describe('snapshot', () => {
  let temp: { dir: string; cleanup: () => void };
  before(() => {
    temp = makeTempDir();
  });
  after(() => temp.cleanup());

  for (const mode of modes) {
    it(`copies a ${mode} database with uncheckpointed changes into one self-contained file`, async () => {
      const dir = fs.mkdtempSync(path.join(temp.dir, `${mode}-`));
      const loc = location(dir);
      createLiveDatabase(loc.databasePath, mode, 2 * 1024 * 1024);
      // The app keeps its connection open; in WAL mode its recent commits live only in the -wal file.
      const app = appWithChangesInLog(
        loc.databasePath,
        "INSERT INTO ledger (account, amount, at) SELECT id, id, 'now' FROM accounts; UPDATE accounts SET balance = id; DELETE FROM payload WHERE id % 3 = 0;",
      );
      if (mode === 'wal') {
        assert.ok(fs.statSync(`${loc.databasePath}-wal`).size > 0, 'the -wal holds frames');
      }
      const expected = contentDigest(loc.databasePath);
      const snapshotPath = await createdSnapshotPath(loc, 'before-upgrade');
      app.close();

      assert.match(path.basename(snapshotPath), /^app-\d{8}-\d{6}-before-upgrade\.db$/);
      assert.deepEqual(
        filesIn(loc.backupsDir),
        [path.basename(snapshotPath)],
        'no sidecar or temporary file beside it',
      );
      const header = Buffer.alloc(20);
      fs.readSync(fs.openSync(snapshotPath, 'r'), header, 0, 20, 0);
      assert.deepEqual([header[18], header[19]], [1, 1], 'rollback-journal mode');
      assert.equal(contentDigest(snapshotPath), expected, 'same content as the live database');
      const record = readRecord(loc.backupsDir, path.basename(snapshotPath));
      assert.ok(record !== null);
      assert.equal(record.sha256, sha256(snapshotPath));
      assert.equal(record.source?.journalMode, mode);
      assert.equal(record.label, 'before-upgrade');
      assert.equal(fs.statSync(snapshotPath).mode & 0o222, 0, 'read-only');
      const listed = listSnapshots(loc);
      assert.equal(listed.snapshots[0]?.status, 'verified');
      assert.deepEqual(
        filesIn(loc.backupsDir),
        [path.basename(snapshotPath)],
        'reading it created nothing beside it',
      );
    });

    it(`hashes a large image on a thread of its own as the kernel copies it: the record's checksum is the file's (${mode})`, async () => {
      const dir = fs.mkdtempSync(path.join(temp.dir, `large-${mode}-`));
      const loc = location(dir);
      createLiveDatabase(loc.databasePath, mode, 40 * 1024 * 1024);
      // Changes only in the log, some of them growing the database past the main file's end.
      const app = appWithChangesInLog(loc.databasePath, growingChanges);
      const expected = contentDigest(loc.databasePath);
      const snapshotPath = await createdSnapshotPath(loc, 'large');
      app.close();
      assert.equal(readRecord(loc.backupsDir, path.basename(snapshotPath))?.sha256, sha256(snapshotPath));
      assert.equal(contentDigest(snapshotPath), expected);
      assert.equal(readLedgerState(snapshotPath).integrity, 'ok');
    });

    it(`finishes, consistent, while another process writes (${mode})`, async () => {
      const dir = fs.mkdtempSync(path.join(temp.dir, `writer-${mode}-`));
      const loc = location(dir);
      createLiveDatabase(loc.databasePath, mode, 8 * 1024 * 1024);
      const writer = await startWriter(loc.databasePath, 500);
      try {
        await writer.waitForCommits(50);
        const counts: number[] = [];
        for (let i = 0; i < 3; i += 1) {
          const snapshotPath = await createdSnapshotPath(loc, `during-${i}`);
          const state = readLedgerState(snapshotPath);
          assert.equal(state.integrity, 'ok');
          assert.equal(state.balanceSum, state.ledgerSum, 'balances and ledger from one moment');
          counts.push(state.ledgerRows);
        }
        assert.ok(
          counts.every((n) => n >= 50),
          `snapshots hold the writer's commits: ${counts.join(', ')}`,
        );
      } finally {
        const result = await writer.stop();
        assert.equal(result.errors, 0, 'the writer never failed');
        assert.ok(result.commits > 50);
      }
    });
  }

  it('never writes to the live database', async () => {
    const dir = fs.mkdtempSync(path.join(temp.dir, 'untouched-'));
    const loc = location(dir);
    createLiveDatabase(loc.databasePath, 'delete', 1024 * 1024);
    const before = { sha: sha256(loc.databasePath), mtime: fs.statSync(loc.databasePath).mtimeMs };
    await createdSnapshotPath(loc);
    listSnapshots(loc);
    const info = await startJob({ kind: 'info', input: loc }).result;
    assert.ok(info.ok);
    assert.deepEqual({ sha: sha256(loc.databasePath), mtime: fs.statSync(loc.databasePath).mtimeMs }, before);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['app.db', 'backups']);
  });

  it('says there is nothing to back up when the database does not exist', async () => {
    const dir = fs.mkdtempSync(path.join(temp.dir, 'missing-'));
    const result = await snapshotJob(location(dir));
    assert.ok(result.ok);
    assert.equal(result.value.kind, 'nothing-to-back-up');
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it('refuses a file that is not a database, leaving nothing', async () => {
    const dir = fs.mkdtempSync(path.join(temp.dir, 'notdb-'));
    const loc = location(dir);
    fs.writeFileSync(loc.databasePath, 'this is a text file, not SQLite\n'.repeat(10));
    const result = await snapshotJob(loc);
    assert.ok(!result.ok);
    assert.equal(result.error.code, 'NOT_A_DATABASE');
    assert.deepEqual(filesIn(loc.backupsDir), []);
  });

  it('stops when cancelled mid-copy and leaves no file', async () => {
    const dir = fs.mkdtempSync(path.join(temp.dir, 'cancel-'));
    const loc = location(dir);
    // Big enough that the cancel, sent on the first progress of the copy, arrives before it ends on a busy machine.
    createLiveDatabase(loc.databasePath, 'wal', 256 * 1024 * 1024);
    const phases: string[] = [];
    const handle = startJob({ kind: 'snapshot', input: { location: loc } }, (progress) => {
      phases.push(`${progress.phase} ${progress.fraction.toFixed(2)}`);
      if (progress.phase === 'Copying pages' && progress.fraction > 0) {
        handle.cancel();
      }
    });
    const result = await handle.result;
    assert.ok(!result.ok, `cancelled (progress seen: ${phases.join(', ')})`);
    assert.equal(result.error.code, 'CANCELLED');
    assert.ok(
      phases.some((p) => p.startsWith('Copying pages')),
      'it was cancelled while copying',
    );
    assert.deepEqual(filesIn(loc.backupsDir), []);
  });

  it('removes what a snapshot killed mid-copy left, and never a file another process is writing', async () => {
    const dir = fs.mkdtempSync(path.join(temp.dir, 'killed-'));
    const loc = location(dir);
    createLiveDatabase(loc.databasePath, 'wal', 256 * 1024 * 1024);
    const child = spawn(process.execPath, [lifeboatBin, 'backup', '--db', loc.databasePath], {
      stdio: 'ignore',
      env: { ...process.env, LIFEBOAT_DB: '' },
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // Killed (as by SIGKILL or a power cut) once its temporary file has data in it.
    const partial = async (): Promise<string> => {
      for (;;) {
        // The snapshot being written, in its staging folder.
        const name = filesIn(loc.backupsDir).find((n) => n.startsWith(`.lifeboat-tmp-${child.pid ?? 0}-`));
        const staged = name === undefined ? undefined : path.join(loc.backupsDir, name, 'snapshot.db');
        if (name !== undefined && (fs.statSync(staged ?? '', { throwIfNoEntry: false })?.size ?? 0) > 0) {
          return name;
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    const left = await partial();
    child.kill('SIGKILL');
    await exited;
    const ours = `.lifeboat-tmp-${process.pid}-0123456789abcdef.db`;
    fs.writeFileSync(path.join(loc.backupsDir, ours), 'being written by a running process');
    assert.deepEqual(filesIn(loc.backupsDir), [left, ours].sort());

    await createdSnapshotPath(loc, 'after-crash');
    const after = filesIn(loc.backupsDir);
    assert.ok(!after.includes(left), 'the killed snapshot’s partial file is gone');
    assert.ok(after.includes(ours), 'a running process’s file is left alone');
    assert.equal(after.filter((n) => n.endsWith('-after-crash.db')).length, 1);
  });

  it('says a damaged live database is damaged (DB_CORRUPT, not a corrupt snapshot), keeping nothing and changing nothing', async () => {
    const dir = fs.mkdtempSync(path.join(temp.dir, 'damaged-'));
    const loc = location(dir);
    createLiveDatabase(loc.databasePath, 'delete', 2 * 1024 * 1024);
    const fd = fs.openSync(loc.databasePath, 'r+');
    for (const page of [3, 40]) {
      fs.writeSync(fd, Buffer.alloc(4096, 0x55), 0, 4096, page * 4096);
    }
    fs.closeSync(fd);
    const before = sha256(loc.databasePath);
    const result = await snapshotJob(loc);
    assert.ok(!result.ok);
    assert.equal(result.error.code, 'DB_CORRUPT');
    assert.match(result.error.message, /live database .* is damaged/);
    assert.deepEqual(filesIn(loc.backupsDir), []);
    const info = await startJob({ kind: 'info', input: loc }).result;
    assert.equal(info.ok ? 'ok' : info.error.code, 'DB_CORRUPT');
    assert.equal(sha256(loc.databasePath), before);
  });

  it('refuses a live database whose quick_check reports damage that SQLite reads through (a freelist count off by 3)', async () => {
    const dir = fs.mkdtempSync(path.join(temp.dir, 'freelist-'));
    const loc = location(dir);
    createLiveDatabase(loc.databasePath, 'delete', 512 * 1024);
    const db = new Database(loc.databasePath);
    db.exec('DELETE FROM payload WHERE id % 2 = 0');
    db.close();
    // The header's count of free pages (bytes 36-39), off by 3: every read still works.
    const fd = fs.openSync(loc.databasePath, 'r+');
    const header = Buffer.alloc(4);
    fs.readSync(fd, header, 0, 4, 36);
    assert.ok(header.readUInt32BE(0) > 0, 'the deletes left free pages');
    header.writeUInt32BE(header.readUInt32BE(0) + 3);
    fs.writeSync(fd, header, 0, 4, 36);
    fs.closeSync(fd);
    const before = sha256(loc.databasePath);
    const result = await snapshotJob(loc);
    assert.ok(!result.ok, 'a copy that failed its quick_check is not a snapshot');
    assert.equal(result.error.code, 'DB_CORRUPT');
    assert.match(result.error.message, /freelist: size is \d+ but should be \d+/i);
    assert.deepEqual(filesIn(loc.backupsDir), []);
    assert.equal(sha256(loc.databasePath), before);
  });

  it("on a file system with reflinks (XFS), a rollback-journal snapshot and a restore's copy share blocks instead of copying them", async (t) => {
    const dir = path.join(temp.dir, 'xfs');
    const mount = mountReflinkXfs(dir);
    if (!mount.ok) {
      t.skip(mount.reason);
      return;
    }
    try {
      const loc = location(dir);
      const size = 128 * 1024 * 1024;
      createLiveDatabase(loc.databasePath, 'delete', size);
      fs.mkdirSync(loc.backupsDir);
      spawnSync('sync');
      const used = (): number => {
        const stat = fs.statfsSync(dir);
        return (stat.blocks - stat.bfree) * stat.bsize;
      };
      const before = used();
      const snapshot = await createdSnapshotPath(loc, 'cloned');
      spawnSync('sync');
      assert.ok(used() - before < size / 10, `the snapshot took ${used() - before} bytes of new blocks`);
      const [listed] = listSnapshots(loc).snapshots;
      assert.equal(listed?.status, 'verified');
      // The clone was hashed on a thread of its own while the quick_check ran: the record holds its checksum.
      assert.equal(listed.sha256, sha256(snapshot));
      const beforeRestore = used();
      const restored = await startJob({
        kind: 'restore',
        input: { location: loc, snapshotPath: snapshot, allowOpen: false, app: null },
      }).result;
      assert.equal(restored.ok ? restored.value.outcome : restored.error.code, 'restored');
      spawnSync('sync');
      assert.ok(
        used() - beforeRestore < size / 5,
        `the restore took ${used() - beforeRestore} bytes of new blocks (a pre-restore snapshot and the copy)`,
      );
    } finally {
      mount.unmount();
    }
  });

  it('reports DISK_FULL and removes the partial file', async (t) => {
    const dir = fs.mkdtempSync(path.join(temp.dir, 'full-'));
    const loc = location(dir);
    createLiveDatabase(loc.databasePath, 'delete', 8 * 1024 * 1024);
    const mount = mountTmpfs(loc.backupsDir, 'size=2m');
    if (!mount.ok) {
      t.skip(mount.reason);
      return;
    }
    try {
      const liveBefore = sha256(loc.databasePath);
      const result = await snapshotJob(loc);
      assert.ok(!result.ok);
      assert.equal(result.error.code, 'DISK_FULL');
      assert.match(result.error.message, /disk is full/i);
      assert.ok(result.error.path?.startsWith(loc.backupsDir), `blames ${String(result.error.path)}`);
      assert.doesNotMatch(result.error.message, /choose another backups folder/);
      assert.deepEqual(filesIn(loc.backupsDir), []);
      assert.equal(sha256(loc.databasePath), liveBefore);
    } finally {
      mount.unmount();
    }
  });

  it('reports PERMISSION_DENIED when the backups folder cannot be written', async (t) => {
    const dir = fs.mkdtempSync(path.join(temp.dir, 'denied-'));
    const loc = location(dir);
    createLiveDatabase(loc.databasePath, 'delete', 1024 * 1024);
    fs.mkdirSync(loc.backupsDir);
    let restore: () => void;
    if (process.getuid?.() === 0) {
      // Root ignores permission bits; a read-only mount refuses root too.
      const mount = mountTmpfs(loc.backupsDir, 'size=1m,ro');
      if (!mount.ok) {
        t.skip(mount.reason);
        return;
      }
      restore = mount.unmount;
    } else {
      fs.chmodSync(loc.backupsDir, 0o555);
      restore = () => fs.chmodSync(loc.backupsDir, 0o755);
    }
    try {
      const result = await snapshotJob(loc);
      assert.ok(!result.ok);
      assert.equal(result.error.code, 'PERMISSION_DENIED');
      assert.deepEqual(filesIn(loc.backupsDir), []);
    } finally {
      restore();
    }
  });

  it('is never seen without its record: a process killed just as the file took its name leaves a verified snapshot', () => {
    const dir = fs.mkdtempSync(path.join(temp.dir, 'killed-publishing-'));
    const loc = location(dir);
    createLiveDatabase(loc.databasePath, 'delete', 64 * 1024);
    const killed = spawnSync(process.execPath, [lifeboatBin, 'backup', '--db', loc.databasePath], {
      env: { ...process.env, LIFEBOAT_TEST_KILL_AT: 'snapshot-published' },
    });
    assert.equal(killed.signal, 'SIGKILL');
    const [snapshot] = listSnapshots(loc).snapshots;
    assert.equal(snapshot?.status, 'verified');
    // Same names for the next snapshot in that second: still one record each, none taken over.
    const records = fs
      .readdirSync(path.join(loc.backupsDir, '.lifeboat'))
      .filter((n) => n.endsWith('.db.json'));
    assert.deepEqual(records, [`${snapshot?.file ?? ''}.json`]);
  });

  it('never replaces an existing snapshot taken in the same second', async () => {
    const dir = fs.mkdtempSync(path.join(temp.dir, 'same-second-'));
    const loc = location(dir);
    createLiveDatabase(loc.databasePath, 'delete', 64 * 1024);
    const [a, b, c] = await Promise.all([
      createdSnapshotPath(loc, 'x'),
      createdSnapshotPath(loc, 'x'),
      createdSnapshotPath(loc, 'x'),
    ]);
    assert.equal(new Set([a, b, c]).size, 3);
    assert.equal(filesIn(loc.backupsDir).length, 3);
  });
});
