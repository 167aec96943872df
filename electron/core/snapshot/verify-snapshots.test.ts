import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLiveDatabase, makeTempDir, sha256 } from '../../testing/fixtures';
import { createdSnapshotPath, verifyJob } from '../../testing/run-job';
import { LifeboatFailure } from '../lifeboat-failure';
import { listSnapshots } from './list-snapshots';
import { resolveSnapshotPath } from './resolve-snapshot';
import { readRecord } from './snapshot-records';
import { mountTmpfs, remountReadOnly } from '../../testing/mounts';

describe('verifying snapshots', () => {
  let temp: { dir: string; cleanup: () => void };
  let databasePath: string;
  let backupsDir: string;

  before(() => {
    temp = makeTempDir();
    databasePath = path.join(temp.dir, 'app.db');
    backupsDir = path.join(temp.dir, 'backups');
    createLiveDatabase(databasePath, 'wal', 512 * 1024);
  });
  after(() => temp.cleanup());

  it('passes a fresh snapshot and creates nothing beside it', async () => {
    const snapshot = await createdSnapshotPath({ databasePath, backupsDir }, 'fresh');
    const before = sha256(snapshot);
    const result = await verifyJob(backupsDir, [snapshot]);
    assert.ok(result.ok);
    assert.equal(result.value.ok, true);
    assert.equal(result.value.reports[0]?.checksum, 'match');
    assert.deepEqual(result.value.reports[0]?.integrity, ['ok']);
    assert.equal(sha256(snapshot), before);
    assert.deepEqual(
      fs.readdirSync(backupsDir).filter((n) => n.startsWith(path.basename(snapshot))),
      [path.basename(snapshot)],
    );
  });

  it('catches a snapshot modified after it was made, even when it is still a valid database', async () => {
    const snapshot = await createdSnapshotPath({ databasePath, backupsDir }, 'tampered');
    fs.chmodSync(snapshot, 0o644);
    const db = new Database(snapshot);
    db.exec('UPDATE accounts SET balance = 1000000 WHERE id = 1');
    db.close();
    const result = await verifyJob(backupsDir, [snapshot]);
    assert.ok(result.ok);
    const report = result.value.reports[0];
    assert.equal(result.value.ok, false);
    assert.equal(report?.checksum, 'mismatch');
    assert.deepEqual(report?.integrity, ['ok']);
    assert.equal(report?.error?.code, 'CHECKSUM_MISMATCH');
    const listed = listSnapshots({ databasePath, backupsDir }).snapshots.find(
      (s) => s.file === path.basename(snapshot),
    );
    assert.equal(listed?.status, 'corrupt', 'the listing remembers the failed verification');
    // The reference checksum is kept, so the file can never become "verified" again as it is.
    const again = await verifyJob(backupsDir, [snapshot]);
    assert.ok(again.ok);
    assert.equal(again.value.reports[0]?.checksum, 'mismatch');
  });

  it('catches a damaged page with the integrity check', async () => {
    const snapshot = await createdSnapshotPath({ databasePath, backupsDir }, 'damaged');
    fs.chmodSync(snapshot, 0o644);
    const pageSize = 4096;
    // Scribble over a b-tree page in the middle of the file.
    const fd = fs.openSync(snapshot, 'r+');
    fs.writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, pageSize * 3);
    fs.closeSync(fd);
    const result = await verifyJob(backupsDir, [snapshot]);
    assert.ok(result.ok);
    const report = result.value.reports[0];
    assert.equal(report?.ok, false);
    assert.equal(report?.error?.code, 'SNAPSHOT_CORRUPT');
  });

  it('records a checksum for a file made by another tool on its first verification', async () => {
    const external = path.join(backupsDir, 'app-20250101-000000-script.db');
    fs.copyFileSync(databasePath, external);
    const first = await verifyJob(backupsDir, [external]);
    assert.ok(first.ok);
    assert.equal(first.value.reports[0]?.checksum, 'recorded-now');
    assert.equal(readRecord(backupsDir, path.basename(external))?.sha256, sha256(external));
    const second = await verifyJob(backupsDir, [external]);
    assert.ok(second.ok);
    assert.equal(second.value.reports[0]?.checksum, 'match');
  });

  it('remembers a file made by another tool that fails its first verification: listed Corrupt, not Unverified', async () => {
    const external = path.join(backupsDir, 'app-20250102-000000-broken.db');
    fs.copyFileSync(databasePath, external);
    const fd = fs.openSync(external, 'r+');
    fs.writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, 4096 * 3);
    fs.closeSync(fd);
    const listed = (): string | undefined =>
      listSnapshots({ databasePath, backupsDir }).snapshots.find((s) => s.file === path.basename(external))
        ?.status;
    assert.equal(listed(), 'unverified');
    const result = await verifyJob(backupsDir, [external]);
    assert.ok(result.ok);
    assert.equal(result.value.reports[0]?.error?.code, 'SNAPSHOT_CORRUPT');
    assert.equal(listed(), 'corrupt');
    assert.equal(readRecord(backupsDir, path.basename(external))?.verification?.ok, false);
  });

  it('reports files that are not databases, empty or incomplete', async () => {
    const text = path.join(backupsDir, 'readme.txt');
    const empty = path.join(backupsDir, 'empty.db');
    const withWal = path.join(backupsDir, 'with-wal.db');
    fs.writeFileSync(text, 'hello');
    fs.writeFileSync(empty, '');
    fs.copyFileSync(databasePath, withWal);
    fs.writeFileSync(`${withWal}-wal`, 'x');
    const result = await verifyJob(backupsDir, [text, empty, withWal, path.join(backupsDir, 'gone.db')]);
    assert.ok(result.ok);
    assert.deepEqual(
      result.value.reports.map((r) => r.error?.code),
      ['NOT_A_DATABASE', 'SNAPSHOT_INCOMPLETE', 'SNAPSHOT_INCOMPLETE', 'SNAPSHOT_NOT_FOUND'],
    );
  });

  it('catches a sound database with bytes appended or cut off by its size against the pages its header counts', async () => {
    for (const [label, change] of [
      ['appended', (file: string): void => fs.truncateSync(file, fs.statSync(file).size + 64 * 1024 * 1024)],
      ['cut', (file: string): void => fs.truncateSync(file, fs.statSync(file).size - 4096)],
    ] as const) {
      const snapshot = await createdSnapshotPath({ databasePath, backupsDir }, label);
      fs.chmodSync(snapshot, 0o644);
      change(snapshot);
      const result = await verifyJob(backupsDir, [snapshot]);
      assert.ok(result.ok);
      assert.equal(result.value.reports[0]?.error?.code, 'SNAPSHOT_CORRUPT', label);
      assert.match(
        result.value.reports[0]?.error?.message ?? '',
        label === 'appended' ? /67108864 bytes more than its \d+ pages hold/ : /4096 bytes short/,
      );
    }
  });

  it('on a read-only backups folder, an intact snapshot is verified and its record said not to be saved', async (t) => {
    const readOnly = path.join(temp.dir, 'read-only-backups');
    const mount = mountTmpfs(readOnly, 'size=8m');
    if (!mount.ok) {
      t.skip(mount.reason);
      return;
    }
    try {
      const snapshot = await createdSnapshotPath({ databasePath, backupsDir: readOnly }, 'mounted');
      remountReadOnly(readOnly);
      const result = await verifyJob(readOnly, [snapshot]);
      assert.ok(result.ok);
      assert.equal(result.value.ok, true);
      assert.deepEqual(
        [result.value.reports[0]?.checksum, result.value.reports[0]?.recordSaved],
        ['match', false],
      );
    } finally {
      mount.unmount();
    }
  });

  it('refuses names that leave the backups folder', () => {
    for (const name of ['../app.db', '/etc/passwd', '..', 'sub/../../x.db']) {
      assert.throws(
        () => resolveSnapshotPath(backupsDir, name, temp.dir),
        (error: unknown) => error instanceof LifeboatFailure && error.detail.code === 'INVALID_ARGUMENT',
        name,
      );
    }
    // A name inside the folder resolves only when it is there: one code, whatever the command.
    assert.throws(
      () => resolveSnapshotPath(backupsDir, 'x.db', '/elsewhere'),
      (error: unknown) => error instanceof LifeboatFailure && error.detail.code === 'SNAPSHOT_NOT_FOUND',
    );
    fs.writeFileSync(path.join(backupsDir, 'x.db'), '');
    assert.equal(resolveSnapshotPath(backupsDir, 'x.db', '/elsewhere'), path.join(backupsDir, 'x.db'));
    assert.equal(
      resolveSnapshotPath(backupsDir, path.join(backupsDir, 'x.db'), '/elsewhere'),
      path.join(backupsDir, 'x.db'),
    );
  });
});
