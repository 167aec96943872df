import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SnapshotEntry } from '../../contract/snapshots';
import { changeKeepingTimes, createLiveDatabase, makeTempDir, sha256 } from '../../testing/fixtures';
import { createdSnapshotPath, verifyJob } from '../../testing/run-job';
import { listSnapshots } from './list-snapshots';

describe('listing a backups folder', () => {
  let temp: { dir: string; cleanup: () => void };
  let entries: Map<string, SnapshotEntry>;
  let order: string[];
  let backupsDir: string;
  let untouched: Map<string, string>;

  before(async () => {
    temp = makeTempDir();
    const databasePath = path.join(temp.dir, 'app.db');
    backupsDir = path.join(temp.dir, 'backups');
    createLiveDatabase(databasePath, 'wal', 256 * 1024);
    const ours = await createdSnapshotPath({ databasePath, backupsDir }, 'ours');
    // A backup script in the same convention, run for real.
    execFileSync(
      'bash',
      ['-c', 'cp app.db "backups/app-$(date -d "3 days ago" +%Y%m%d-%H%M%S)-nightly.db"'],
      { cwd: temp.dir },
    );
    const write = (name: string, data: Buffer | string): void =>
      fs.writeFileSync(path.join(backupsDir, name), data);
    const valid = fs.readFileSync(ours);
    write('app.db.pre-deploy-20260101-120000', valid);
    write('copy by hand.db', valid);
    write('empty.db', '');
    write('truncated-20250101-000000.db', valid.subarray(0, 10000));
    write('notes.txt', 'not a database\n');
    write('random.db', Buffer.alloc(8192, 7));
    write('日本語 ünïcödé 💾.db', valid);
    write('-leading-dash.db', valid);
    write('spaces  and\ttab.db', valid);
    write('with-wal.db', valid);
    write('with-wal.db-wal', Buffer.alloc(4096, 1));
    write('orphan.db-journal', Buffer.alloc(512, 1));
    fs.mkdirSync(path.join(backupsDir, 'a-folder'));
    fs.symlinkSync('/nonexistent/target.db', path.join(backupsDir, 'dangling.db'));
    // A link to a sound database outside the folder: not followed out of it.
    fs.symlinkSync(path.join(backupsDir, 'with-wal.db'), path.join(backupsDir, 'linked.db'));
    // A 10 GiB sparse file that is not a database: listing must not read it.
    fs.truncateSync(path.join(backupsDir, 'random.db'), 10 * 1024 * 1024 * 1024);
    untouched = new Map(
      fs
        .readdirSync(backupsDir)
        .filter(
          (n) =>
            !n.startsWith('.') &&
            n !== 'random.db' &&
            n !== 'a-folder' &&
            n !== 'dangling.db' &&
            n !== 'linked.db',
        )
        .map((n) => [n, sha256(path.join(backupsDir, n))]),
    );

    const list = listSnapshots({ databasePath, backupsDir });
    entries = new Map(list.snapshots.map((s) => [s.file, s]));
    order = list.snapshots.map((s) => s.time);
  });
  after(() => temp.cleanup());

  const status = (file: string): string | undefined => entries.get(file)?.status;

  it('shows our snapshot as verified and the script-made one as unverified, with its label and time', () => {
    const ours = [...entries.values()].find((s) => s.label === 'ours');
    assert.equal(ours?.status, 'verified');
    assert.equal(ours?.madeBy, 'lifeboat');
    const nightly = [...entries.values()].find((s) => s.label === 'nightly');
    assert.ok(nightly);
    assert.equal(nightly.status, 'unverified');
    assert.equal(nightly.timeSource, 'name');
    const ageDays = (Date.now() - Date.parse(nightly.time)) / 86400000;
    assert.ok(ageDays > 2.9 && ageDays < 3.1, `about 3 days old: ${ageDays}`);
  });

  it('lists other conventions with the time from the name or the file', () => {
    const deploy = entries.get('app.db.pre-deploy-20260101-120000');
    assert.equal(deploy?.status, 'unverified');
    assert.equal(deploy?.label, 'pre-deploy');
    assert.equal(deploy?.timeSource, 'name');
    assert.equal(Date.parse(deploy?.time ?? ''), new Date(2026, 0, 1, 12).getTime());
    const byHand = entries.get('copy by hand.db');
    assert.equal(byHand?.timeSource, 'file');
    assert.equal(byHand?.status, 'unverified');
  });

  it('gives every hostile file its status', () => {
    assert.equal(status('empty.db'), 'incomplete');
    assert.equal(status('truncated-20250101-000000.db'), 'corrupt');
    assert.match(entries.get('truncated-20250101-000000.db')?.statusReason ?? '', /truncated/);
    assert.equal(status('notes.txt'), 'not-a-database');
    assert.equal(status('random.db'), 'not-a-database');
    assert.equal(status('日本語 ünïcödé 💾.db'), 'unverified');
    assert.equal(status('-leading-dash.db'), 'unverified');
    assert.equal(status('spaces  and\ttab.db'), 'unverified');
    assert.equal(status('with-wal.db'), 'incomplete');
    assert.deepEqual(entries.get('with-wal.db')?.sidecars, ['-wal']);
    assert.equal(status('orphan.db-journal'), 'not-a-database');
  });

  it('lists files only: no folder, no link, no sidecar as its own row, no records', () => {
    assert.equal(entries.has('a-folder'), false);
    assert.equal(entries.has('dangling.db'), false);
    assert.equal(entries.has('linked.db'), false);
    assert.equal(entries.has('with-wal.db-wal'), false);
    assert.equal(
      [...entries.keys()].some((name) => name.startsWith('.')),
      false,
    );
  });

  it('sorts newest first', () => {
    assert.deepEqual(order, [...order].sort().reverse());
  });

  it('reads nothing but headers: no file changed and nothing created', () => {
    for (const [name, hash] of untouched) {
      assert.equal(sha256(path.join(backupsDir, name)), hash, name);
    }
    const sidecars = fs.readdirSync(backupsDir).filter((n) => /-(wal|shm|journal)$/.test(n));
    assert.deepEqual(sidecars.sort(), ['orphan.db-journal', 'with-wal.db-wal']);
  });

  it('lists and verifies a WAL-mode copy (taken without its -wal) without creating sidecars', async () => {
    const file = path.join(backupsDir, 'wal-copy.db');
    const db = new Database(file);
    db.pragma('journal_mode = wal');
    db.exec('CREATE TABLE t (x)');
    db.close();
    const header = fs.readFileSync(file).subarray(18, 20);
    assert.deepEqual([...header], [2, 2], 'the copy is in WAL mode');
    const list = listSnapshots({ databasePath: path.join(temp.dir, 'app.db'), backupsDir });
    assert.equal(list.snapshots.find((s) => s.file === 'wal-copy.db')?.status, 'unverified');
    const verified = await verifyJob(backupsDir, [file]);
    assert.ok(verified.ok);
    assert.equal(verified.value.ok, true);
    assert.deepEqual(
      fs.readdirSync(backupsDir).filter((n) => n.startsWith('wal-copy')),
      ['wal-copy.db'],
    );
  });

  it('calls a recorded snapshot whose size changed corrupt, even with its modification time put back', async () => {
    const databasePath = path.join(temp.dir, 'grown', 'app.db');
    const grownBackups = path.join(temp.dir, 'grown', 'backups');
    fs.mkdirSync(path.dirname(databasePath));
    createLiveDatabase(databasePath, 'delete', 64 * 1024);
    const snapshot = await createdSnapshotPath({ databasePath, backupsDir: grownBackups }, 'grown');
    const { size } = fs.statSync(snapshot);
    fs.chmodSync(snapshot, 0o600);
    changeKeepingTimes(snapshot, () => fs.appendFileSync(snapshot, Buffer.alloc(4096)));
    const [entry] = listSnapshots({ databasePath, backupsDir: grownBackups }).snapshots;
    assert.equal(entry?.status, 'corrupt');
    assert.equal(
      entry.statusReason,
      `The file changed after it was recorded: ${size} bytes then, ${size + 4096} now.`,
    );
  });

  it('returns an empty list for a folder that does not exist', () => {
    const list = listSnapshots({
      databasePath: path.join(temp.dir, 'x.db'),
      backupsDir: path.join(temp.dir, 'none'),
    });
    assert.deepEqual(list.snapshots, []);
  });
});
