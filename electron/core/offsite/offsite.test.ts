import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PushResult, RemoteList } from '../../contract/offsite';
import { lifeboatAsync, lifeboatBin, type CliRun } from '../../testing/cli-run';
import { changeKeepingTimes, flipBit, makeTempDir } from '../../testing/fixtures';
import { until } from '../../testing/wait-for';
import { listSnapshots } from '../snapshot/list-snapshots';
import { readRecord, writeRecord } from '../snapshot/snapshot-records';
import { offsiteMarks, readOffsiteState } from './offsite-state';
import { SftpStore } from './sftp-store';
import { parseTargetUrl, type TargetLocation } from './target-url';
import {
  s3Credentials,
  startDamagingProxy,
  startS3,
  startSshd,
  type S3Server,
  type SshServer,
} from '../../testing/offsite-servers';

/**
 * Offsite copies through the real CLI, against real servers on 127.0.0.1 started here: a folder, s3rver
 * (S3-compatible) and Debian's OpenSSH server; encryption checked against Debian's `age`.
 */

const host = { LIFEBOAT_HOST: 'homeserver' };

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** An app folder like a FastAPI app's: its database (Alembic's bookkeeping in it) and a lifeboat.json. */
function makeApp(dir: string, offsite: unknown[], rows = 50): string {
  const appDir = path.join(dir, 'app');
  fs.mkdirSync(appDir, { recursive: true });
  const db = new Database(path.join(appDir, 'app.db'));
  db.pragma('journal_mode = wal');
  db.exec(`CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);
    INSERT INTO alembic_version VALUES ('4f2a9c1d0b7e');
    CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);`);
  const insert = db.prepare('INSERT INTO notes (body) VALUES (?)');
  for (let i = 0; i < rows; i += 1) {
    insert.run(crypto.randomBytes(200).toString('hex'));
  }
  db.close();
  fs.writeFileSync(
    path.join(appDir, 'lifeboat.json'),
    JSON.stringify({ database: 'app.db', name: 'notes', offsite }),
  );
  return appDir;
}

async function run(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliRun> {
  return lifeboatAsync(args, cwd, { ...host, ...env });
}

async function backup(appDir: string, label: string): Promise<string> {
  const made = await run(['backup', label, '--app', appDir, '--json'], appDir);
  assert.equal(made.code, 0, made.stderr);
  const file = made.json<{ snapshot: { file: string } }>().snapshot.file;
  const verified = await run(['verify', file, '--app', appDir], appDir);
  assert.equal(verified.code, 0, verified.stderr);
  return file;
}

/** The marks the snapshot table shows for an app folder's snapshots on the target `nas`, by file. */
function marksOn(appDir: string): Record<string, string> {
  const location = { databasePath: path.join(appDir, 'app.db'), backupsDir: path.join(appDir, 'backups') };
  const marks = offsiteMarks(
    listSnapshots(location).snapshots,
    ['nas'],
    readOffsiteState(location.backupsDir),
  );
  return Object.fromEntries(Object.entries(marks).map(([file, [mark]]) => [file, mark?.state ?? '']));
}

function rowsOf(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM notes').pluck().get() as number;
  } finally {
    db.close();
  }
}

describe('offsite copies to a folder', () => {
  const { dir, cleanup } = makeTempDir();
  after(cleanup);
  const nas = path.join(dir, 'nas');
  fs.mkdirSync(nas);

  it('sends each verified snapshot once, with a manifest that names its revision, and lists it', async () => {
    const appDir = makeApp(path.join(dir, 'one'), [{ name: 'nas', url: `file://${nas}` }]);
    const file = await backup(appDir, 'nightly');
    fs.writeFileSync(path.join(appDir, 'backups', 'hand-made.db'), 'not a database');
    const first = await run(['push', '--app', appDir, '--json'], appDir);
    assert.equal(first.code, 0, first.stderr);
    const pushed = first.json<PushResult>().targets[0];
    assert.equal(pushed?.pushed.length, 1);
    assert.equal(pushed.pushed[0]?.file, file);
    assert.deepEqual(
      pushed.skipped.map((s) => s.file),
      ['hand-made.db'],
    );
    const again = (await run(['push', '--app', appDir, '--json'], appDir)).json<PushResult>().targets[0];
    assert.deepEqual(again?.pushed, []);
    assert.deepEqual(again.present, [file]);

    const listed = (await run(['remote', 'list', '--app', appDir, '--json'], appDir)).json<{
      targets: RemoteList[];
    }>();
    const [snapshot] = listed.targets[0]?.snapshots ?? [];
    assert.match(snapshot?.id ?? '', /^homeserver\/notes\/\d{8}T\d{6}Z-nightly$/);
    assert.equal(snapshot?.state, 'complete');
    assert.deepEqual(snapshot.manifest.migration, {
      tool: 'alembic',
      revision: '4f2a9c1d0b7e',
      current: ['4f2a9c1d0b7e'],
    });
    assert.equal(snapshot.manifest.plain.sha256, sha256(path.join(appDir, 'backups', file)));
    // Stored as an ordinary SQLite file: the stock sqlite3 reads it.
    const stored = path.join(nas, 'homeserver', 'notes', snapshot.manifest.stored.name);
    assert.equal(spawnSync('sqlite3', [stored, 'SELECT count(*) FROM notes']).stdout.toString().trim(), '50');

    // Marked held while it is the file the target holds; once it fails verification here, no longer.
    assert.equal(marksOn(appDir)[file], 'held');
    const local = path.join(appDir, 'backups', file);
    flipBit(local, fs.statSync(local).size - 100);
    assert.equal((await run(['verify', file, '--app', appDir], appDir)).code, 3);
    assert.equal(marksOn(appDir)[file], 'not-sent');
  });

  it('restores onto an empty folder (no backups, no live database), checked against the manifest', async () => {
    const appDir = makeApp(path.join(dir, 'two'), [{ name: 'nas', url: `file://${nas}`, gzip: true }], 80);
    await backup(appDir, 'before-disk-died');
    assert.equal((await run(['push', '--app', appDir], appDir)).code, 0);
    const fresh = path.join(dir, 'new-machine');
    fs.mkdirSync(fresh);
    fs.writeFileSync(
      path.join(fresh, 'lifeboat.json'),
      JSON.stringify({ database: 'app.db', name: 'notes', offsite: [{ name: 'nas', url: `file://${nas}` }] }),
    );
    const all = (await run(['remote', 'list', '--app', fresh, '--all-hosts', '--json'], fresh)).json<{
      targets: RemoteList[];
    }>();
    const id = all.targets[0]?.snapshots.find((s) => s.manifest.label === 'before-disk-died')?.id ?? '';
    const restored = await run(['restore', id, '--from', 'nas', '--app', fresh, '--yes'], fresh);
    assert.equal(restored.code, 0, restored.stderr);
    assert.equal(rowsOf(path.join(fresh, 'app.db')), 80);
    const list = (await run(['list', '--app', fresh, '--json'], fresh)).json<{
      snapshots: { status: string }[];
    }>();
    assert.deepEqual(
      list.snapshots.map((s) => s.status),
      ['verified'],
    );
    // The copy brought back is the one the target holds: marked held there, not to be sent again.
    assert.deepEqual(Object.values(marksOn(fresh)), ['held']);
  });

  it('restores on a new machine of another name and folder, by full id or by a name the target holds once', async () => {
    const appDir = makeApp(path.join(dir, 'old-server'), [{ name: 'nas', url: `file://${nas}` }], 60);
    await backup(appDir, 'server-died');
    assert.equal((await run(['push', '--app', appDir], appDir, { LIFEBOAT_HOST: 'vm' })).code, 0);
    const listed = (
      await run(['remote', 'list', '--app', appDir, '--json'], appDir, { LIFEBOAT_HOST: 'vm' })
    ).json<{
      targets: RemoteList[];
    }>();
    const id = listed.targets[0]?.snapshots.find((s) => s.manifest.label === 'server-died')?.id ?? '';
    assert.match(id, /^vm\/notes\//);
    const onNewBox = (folder: string, name: string, extra: string[] = []): Promise<CliRun> => {
      const fresh = path.join(dir, folder);
      fs.mkdirSync(fresh);
      fs.writeFileSync(
        path.join(fresh, 'lifeboat.json'),
        JSON.stringify({
          database: 'app.db',
          name: 'restored',
          offsite: [{ name: 'nas', url: `file://${nas}` }],
        }),
      );
      return run(['restore', name, '--from', 'nas', '--app', fresh, '--yes', ...extra], fresh, {
        LIFEBOAT_HOST: 'newbox',
      });
    };
    const byId = await onNewBox('newbox-by-id', id);
    assert.equal(byId.code, 0, byId.stderr);
    assert.equal(rowsOf(path.join(dir, 'newbox-by-id', 'app.db')), 60);
    const bare = id.slice(id.lastIndexOf('/') + 1);
    const byName = await onNewBox('newbox-by-name', bare, ['--json']);
    assert.equal(byName.code, 0, byName.stderr);
    assert.equal(rowsOf(path.join(dir, 'newbox-by-name', 'app.db')), 60);

    // The same name held twice (another app pushed one of that second and label): refused, listing both.
    const twin = path.join(nas, 'vm', 'other', `${bare}.json`);
    fs.mkdirSync(path.dirname(twin), { recursive: true });
    for (const file of fs.readdirSync(path.join(nas, 'vm', 'notes')).filter((f) => f.startsWith(bare))) {
      fs.copyFileSync(path.join(nas, 'vm', 'notes', file), path.join(nas, 'vm', 'other', file));
    }
    const manifest = JSON.parse(fs.readFileSync(twin, 'utf8')) as { app: string };
    fs.writeFileSync(twin, JSON.stringify({ ...manifest, app: 'other' }));
    const ambiguous = await onNewBox('newbox-ambiguous', bare);
    assert.equal(ambiguous.code, 2);
    assert.match(
      ambiguous.stderr,
      new RegExp(`holds 2 snapshots named "${bare}": vm/notes/${bare}, vm/other/${bare}`),
    );
    assert.equal(fs.existsSync(path.join(dir, 'newbox-ambiguous', 'app.db')), false);
  });

  // Each check alone: a damaged compressed object is refused before it is unpacked (by its stored
  // checksum), and one whose manifest was rewritten to match it is refused once unpacked (by the plain one).
  const tampering = [
    {
      name: 'a damaged compressed object',
      gzip: true,
      rewriteManifest: false,
      says: /not the object its manifest describes/,
    },
    {
      name: 'an object whose manifest was rewritten to match it',
      gzip: false,
      rewriteManifest: true,
      says: /unpacked to a file whose SHA-256 is not the one in its manifest/,
    },
  ];
  for (const [index, case_] of tampering.entries()) {
    it(`refuses ${case_.name}, leaving nothing behind and the live database untouched`, async () => {
      const label = `tamper-${index}`;
      const appDir = makeApp(path.join(dir, label), [
        { name: 'nas', url: `file://${nas}`, gzip: case_.gzip },
      ]);
      await backup(appDir, label);
      assert.equal((await run(['push', '--app', appDir], appDir)).code, 0);
      const listed = (await run(['remote', 'list', '--app', appDir, '--json'], appDir)).json<{
        targets: RemoteList[];
      }>();
      const snapshot = listed.targets[0]?.snapshots.find((s) => s.manifest.label === label);
      assert.ok(snapshot !== undefined);
      const stored = path.join(nas, 'homeserver', 'notes', snapshot.manifest.stored.name);
      flipBit(stored, fs.statSync(stored).size - 100);
      if (case_.rewriteManifest) {
        const manifestPath = path.join(nas, `${snapshot.id}.json`);
        const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { stored: { sha256: string } };
        manifest.stored.sha256 = sha256(stored);
        fs.writeFileSync(manifestPath, JSON.stringify(manifest));
      }
      const elsewhere = path.join(dir, `${label}-elsewhere`);
      fs.mkdirSync(elsewhere);
      fs.copyFileSync(path.join(appDir, 'lifeboat.json'), path.join(elsewhere, 'lifeboat.json'));
      const live = new Database(path.join(elsewhere, 'app.db'));
      live.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
      live.close();
      const before = sha256(path.join(elsewhere, 'app.db'));
      const refused = await run(
        ['restore', snapshot.id, '--from', 'nas', '--app', elsewhere, '--yes'],
        elsewhere,
      );
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /CHECKSUM_MISMATCH/);
      assert.match(refused.stderr, case_.says);
      assert.equal(sha256(path.join(elsewhere, 'app.db')), before);
      assert.deepEqual(
        fs.readdirSync(elsewhere).filter((name) => name !== 'backups'),
        ['app.db', 'lifeboat.json'],
        'no sidecar or partial file beside the live database',
      );
      assert.deepEqual(
        fs.readdirSync(path.join(elsewhere, 'backups')).filter((name) => name !== '.lifeboat'),
        [],
      );
    });
  }

  it('never sends a snapshot whose bytes changed since it was verified, even with its size and time kept', async () => {
    const appDir = makeApp(path.join(dir, 'bit-rot'), [{ name: 'nas', url: `file://${nas}` }]);
    const file = await backup(appDir, 'bit-rot');
    // Bit rot: one byte of a row flips on the disk; size and modification time stay as recorded.
    const snapshot = path.join(appDir, 'backups', file);
    fs.chmodSync(snapshot, 0o600);
    changeKeepingTimes(snapshot, () => flipBit(snapshot, fs.statSync(snapshot).size - 10));
    const pushed = await run(['push', '--app', appDir, '--json'], appDir);
    assert.equal(pushed.code, 1, 'a push that left a snapshot behind does not exit 0');
    const outcome = pushed.json<PushResult>().targets[0];
    assert.deepEqual(outcome?.pushed, []);
    assert.deepEqual(
      outcome.failed.map((f) => [f.file, f.error.code]),
      [[file, 'CHECKSUM_MISMATCH']],
    );
    assert.deepEqual(
      fs.readdirSync(nas, { recursive: true, encoding: 'utf8' }).filter((name) => name.includes('bit-rot')),
      [],
      'nothing of it reached the target',
    );
  });

  it('encrypts with age so that the stock age and gunzip restore it without Lifeboat', async () => {
    const keyFile = path.join(dir, 'key.txt');
    const keygen = spawnSync('age-keygen', ['-o', keyFile]);
    assert.equal(keygen.status, 0, keygen.stderr.toString());
    const recipient = /age1[0-9a-z]+/.exec(keygen.stderr.toString())?.[0] ?? '';
    const vault = path.join(dir, 'vault');
    fs.mkdirSync(vault);
    const appDir = makeApp(path.join(dir, 'four'), [
      { name: 'vault', url: `file://${vault}`, gzip: true, encryptTo: [recipient] },
    ]);
    const file = await backup(appDir, 'secret');
    assert.equal((await run(['push', '--app', appDir], appDir)).code, 0);
    const [stored] = fs
      .readdirSync(path.join(vault, 'homeserver', 'notes'))
      .filter((n) => n.endsWith('.db.gz.age'));
    const plain = path.join(dir, 'plain.db');
    const shell = spawnSync('sh', [
      '-c',
      `age -d -i "${keyFile}" "${path.join(vault, 'homeserver', 'notes', stored ?? '')}" | gunzip > "${plain}"`,
    ]);
    assert.equal(shell.status, 0, shell.stderr.toString());
    assert.equal(sha256(plain), sha256(path.join(appDir, 'backups', file)));
    assert.doesNotMatch(
      fs.readFileSync(path.join(vault, 'homeserver', 'notes', stored ?? '')).toString('latin1'),
      /SQLite format 3/,
    );

    const other = path.join(dir, 'other');
    fs.mkdirSync(other);
    fs.copyFileSync(path.join(appDir, 'lifeboat.json'), path.join(other, 'lifeboat.json'));
    const id = path.join('homeserver', 'notes', (stored ?? '').replace('.db.gz.age', ''));
    const withoutKey = await run(['restore', id, '--from', 'vault', '--app', other, '--yes'], other);
    assert.equal(withoutKey.code, 1);
    assert.match(withoutKey.stderr, /DECRYPT_FAILED/);
    assert.equal(fs.existsSync(path.join(other, 'app.db')), false);
    const withKey = await run(
      ['restore', id, '--from', 'vault', '--app', other, '--yes', '--identity', keyFile],
      other,
    );
    assert.equal(withKey.code, 0, withKey.stderr);
    assert.equal(rowsOf(path.join(other, 'app.db')), 50);
  });

  it("keeps what each target's retention keeps (pins honoured), and deletes nothing in no-delete mode", async () => {
    const pruned = path.join(dir, 'pruned');
    const kept = path.join(dir, 'kept');
    fs.mkdirSync(pruned);
    fs.mkdirSync(kept);
    const appDir = makeApp(path.join(dir, 'five'), [
      { name: 'short', url: `file://${pruned}`, retention: { keepLast: 2 } },
      { name: 'append-only', url: `file://${kept}`, retention: { keepLast: 2 }, noDelete: true },
    ]);
    const files = [];
    for (const label of ['a', 'b', 'c', 'd']) {
      files.push(await backup(appDir, label));
    }
    assert.equal((await run(['pin', files[0] ?? '', '--app', appDir], appDir)).code, 0);
    const result = (await run(['push', '--app', appDir, '--json'], appDir)).json<PushResult>();
    const [short, appendOnly] = result.targets;
    assert.equal(short?.pruned?.deleted.length, 1);
    assert.equal(appendOnly?.pruned?.deleted.length, 0);
    assert.match(appendOnly?.pruned?.note ?? '', /no-delete/);
    const labels = (url: string): string[] =>
      fs
        .readdirSync(path.join(url, 'homeserver', 'notes'))
        .filter((n) => n.endsWith('.json'))
        .map((n) => n.replace(/^.*Z-/, '').replace('.json', ''))
        .sort();
    assert.deepEqual(labels(pruned), ['a', 'c', 'd']);
    assert.deepEqual(labels(kept), ['a', 'b', 'c', 'd']);
  });

  it('counts nothing a killed push left half-written, and the next push completes it', async () => {
    const slow = path.join(dir, 'slow');
    fs.mkdirSync(slow);
    const appDir = makeApp(
      path.join(dir, 'six'),
      [{ name: 'slow', url: `file://${slow}`, gzip: true }],
      60_000,
    );
    await backup(appDir, 'big');
    const child = spawn(process.execPath, [lifeboatBin, 'push', '--app', appDir], {
      cwd: appDir,
      env: { ...process.env, ...host },
    });
    const target = path.join(slow, 'homeserver', 'notes');
    await until(
      () => fs.existsSync(target) && fs.readdirSync(target).some((n) => n.startsWith('.lifeboat-tmp-')),
    );
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('close', resolve));
    const listed = (await run(['remote', 'list', '--app', appDir, '--json'], appDir)).json<{
      targets: RemoteList[];
    }>();
    assert.deepEqual(listed.targets[0]?.snapshots, []);
    const again = await run(['push', '--app', appDir, '--json'], appDir);
    assert.equal(again.json<PushResult>().targets[0]?.pushed.length, 1);
    assert.deepEqual(
      fs.readdirSync(target).filter((n) => n.startsWith('.')),
      [],
    );
  });

  it('gives two snapshots of one second and one label a name each on the target', async () => {
    const twins = path.join(dir, 'twins');
    fs.mkdirSync(twins);
    const appDir = makeApp(path.join(dir, 'ten'), [{ name: 'nas', url: `file://${twins}` }]);
    const first = await backup(appDir, 'twin');
    const second = await backup(appDir, 'twin');
    const backups = path.join(appDir, 'backups');
    const firstRecord = readRecord(backups, first);
    const secondRecord = readRecord(backups, second);
    assert.ok(firstRecord !== null && secondRecord !== null);
    writeRecord(backups, { ...secondRecord, recordedAt: firstRecord.recordedAt });
    const pushed = (await run(['push', '--app', appDir, '--json'], appDir)).json<PushResult>().targets[0];
    const ids = pushed?.pushed.map((p) => p.id) ?? [];
    assert.equal(ids.length, 2);
    assert.notEqual(ids[0], ids[1]);
    assert.equal(fs.readdirSync(path.join(twins, 'homeserver', 'notes')).length, 4);
  });

  it('sends the scheduled snapshot offsite on run-due', async () => {
    const scheduled = path.join(dir, 'scheduled');
    fs.mkdirSync(scheduled);
    const appDir = makeApp(path.join(dir, 'eight'), [{ name: 'nas', url: `file://${scheduled}` }]);
    const settings = JSON.parse(fs.readFileSync(path.join(appDir, 'lifeboat.json'), 'utf8')) as object;
    fs.writeFileSync(
      path.join(appDir, 'lifeboat.json'),
      JSON.stringify({ ...settings, schedule: { every: '6h' } }),
    );
    const due = await run(['run-due', '--app', appDir, '--json'], appDir);
    assert.equal(due.code, 0, due.stderr);
    const pass = due.json<{ snapshot: string; offsite: PushResult }>();
    assert.deepEqual(
      pass.offsite.targets[0]?.pushed.map((p) => p.file),
      [pass.snapshot],
    );
    assert.equal(fs.readdirSync(path.join(scheduled, 'homeserver', 'notes')).length, 2);
  });

  it('lists a manifest it cannot trust as a problem, and brings back a hostile file name under a safe one', async () => {
    const hostile = path.join(dir, 'hostile');
    fs.mkdirSync(hostile);
    const appDir = makeApp(path.join(dir, 'seven'), [{ name: 'h', url: `file://${hostile}` }]);
    await backup(appDir, 'x');
    assert.equal((await run(['push', '--app', appDir], appDir)).code, 0);
    const folder = path.join(hostile, 'homeserver', 'notes');
    const [manifestName] = fs.readdirSync(folder).filter((n) => n.endsWith('.json'));
    const manifestPath = path.join(folder, manifestName ?? '');
    const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as {
      file: string;
      stored: { name: string };
    };
    fs.writeFileSync(manifestPath, JSON.stringify({ ...manifest, file: '../../../../tmp/evil.db' }));
    fs.writeFileSync(
      path.join(folder, 'junk.json'),
      JSON.stringify({ format: 'lifeboat-offsite-1', stored: { name: '../x' } }),
    );
    const listed = (await run(['remote', 'list', '--app', appDir, '--json'], appDir)).json<{
      targets: RemoteList[];
    }>();
    assert.equal(listed.targets[0]?.problems[0]?.key, 'homeserver/notes/junk.json');
    const victim = path.join(dir, 'victim');
    fs.mkdirSync(victim);
    fs.copyFileSync(path.join(appDir, 'lifeboat.json'), path.join(victim, 'lifeboat.json'));
    const id = `homeserver/notes/${(manifestName ?? '').replace('.json', '')}`;
    const restored = await run(['restore', id, '--from', 'h', '--app', victim, '--yes', '--json'], victim);
    assert.equal(restored.code, 0, restored.stderr);
    assert.equal(fs.existsSync('/tmp/evil.db'), false);
    assert.deepEqual(
      fs
        .readdirSync(path.join(victim, 'backups'))
        .filter((n) => n.endsWith('.db'))
        .map((n) => /-offsite-x\.db$/.test(n)),
      [true],
    );
  });
});

describe('offsite copies to S3 (s3rver on 127.0.0.1)', () => {
  const { dir, cleanup } = makeTempDir();
  let s3: S3Server;
  before(async () => {
    s3 = await startS3(path.join(dir, 's3'), 'lifeboat');
  });
  after(async () => {
    await s3.stop();
    cleanup();
  });
  const url = (): string =>
    `s3://lifeboat/offsite?endpoint=${s3.endpoint}&forcePathStyle=true&partConcurrency=2`;

  it('sends a multipart snapshot, checks it by its ETag, and brings it back', async () => {
    const appDir = makeApp(dir, [{ name: 'r2', url: url() }], 60_000);
    const file = await backup(appDir, 'multipart');
    assert.ok(fs.statSync(path.join(appDir, 'backups', file)).size > 16 * 1024 * 1024);
    const pushed = await run(['push', '--app', appDir, '--json'], appDir, s3Credentials);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.equal(pushed.json<PushResult>().targets[0]?.pushed.length, 1);
    fs.rmSync(path.join(appDir, 'backups'), { recursive: true });
    fs.rmSync(path.join(appDir, 'app.db'));
    const id = `homeserver/notes/${file.replace(/^app-(\d{8})-(\d{6})-.*$/, '')}`;
    const listed = (await run(['remote', 'list', '--app', appDir, '--json'], appDir, s3Credentials)).json<{
      targets: RemoteList[];
    }>();
    const remote = listed.targets[0]?.snapshots[0];
    assert.ok(remote !== undefined, id);
    const restored = await run(
      ['restore', remote.id, '--from', 'r2', '--app', appDir, '--yes'],
      appDir,
      s3Credentials,
    );
    assert.equal(restored.code, 0, restored.stderr);
    assert.equal(rowsOf(path.join(appDir, 'app.db')), 60_000);
  });

  it('counts nothing of a multipart upload that was killed, and the next push sends it whole', async () => {
    const appDir = makeApp(path.join(dir, 'killed'), [{ name: 'r2', url: url() }], 60_000);
    await backup(appDir, 'killed');
    const child = spawn(process.execPath, [lifeboatBin, 'push', '--app', appDir], {
      cwd: appDir,
      env: { ...process.env, ...host, ...s3Credentials },
    });
    // s3rver keeps each part of an upload under its folder as N and N.md5: kill once the first is in.
    const partStored = (folder: string): boolean =>
      fs
        .readdirSync(folder, { recursive: true, encoding: 'utf8' })
        .some((name) => name.endsWith(`${path.sep}1.md5`));
    await until(() => partStored(s3.dataDir));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('close', resolve));
    const listed = (await run(['remote', 'list', '--app', appDir, '--json'], appDir, s3Credentials)).json<{
      targets: RemoteList[];
    }>();
    assert.deepEqual(
      listed.targets[0]?.snapshots.filter((s) => s.manifest.label === 'killed'),
      [],
    );
    const again = await run(['push', '--app', appDir, '--json'], appDir, s3Credentials);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(
      again.json<PushResult>().targets[0]?.pushed.map((p) => p.id.replace(/^.*Z-/, '')),
      ['killed'],
    );
  });

  it('a copy damaged on its way fails the check after the upload: no manifest, no object, and the push says so', async () => {
    // The object's PUT (not its manifest's) arrives with a byte flipped.
    const proxy = await startDamagingProxy(
      s3.endpoint,
      (request) => request.method === 'PUT' && /-damaged\.db(\?|$)/.test(request.url ?? ''),
    );
    try {
      const appDir = makeApp(path.join(dir, 'damaged'), [
        { name: 'r2', url: `s3://lifeboat/offsite?endpoint=${proxy.endpoint}&forcePathStyle=true` },
      ]);
      await backup(appDir, 'damaged');
      const pushed = await run(['push', '--app', appDir, '--json'], appDir, s3Credentials);
      assert.equal(pushed.code, 1);
      assert.equal(proxy.damaged(), 1, 'the upload went through the faulty path');
      const outcome = pushed.json<PushResult>().targets[0];
      assert.equal(outcome?.error?.code, 'IO_ERROR');
      assert.match(outcome.error.message, /does not match what was sent/);
      assert.deepEqual(
        fs
          .readdirSync(s3.dataDir, { recursive: true, encoding: 'utf8' })
          .filter((name) => name.includes('-damaged')),
        [],
        'neither the object nor a manifest is left on the target',
      );
    } finally {
      await proxy.stop();
    }
  });

  it('says which credentials failed, with a stable code', async () => {
    const appDir = makeApp(path.join(dir, 'creds'), [{ name: 'r2', url: url() }]);
    await backup(appDir, 'creds');
    const refused = await run(['push', '--app', appDir, '--json'], appDir, {
      ...s3Credentials,
      AWS_ACCESS_KEY_ID: 'NOT-A-KEY',
    });
    assert.equal(refused.code, 1);
    assert.equal(refused.json<PushResult>().targets[0]?.error?.code, 'OFFSITE_AUTH_FAILED');
    const unreachable = await run(
      [
        'push',
        '--app',
        appDir,
        '--json',
        '--target',
        's3://lifeboat/x?endpoint=http://127.0.0.1:1&forcePathStyle=true',
      ],
      appDir,
      s3Credentials,
    );
    assert.equal(unreachable.json<PushResult>().targets[0]?.error?.code, 'OFFSITE_UNREACHABLE');
  });
});

describe("offsite copies over SFTP (Debian's sshd on 127.0.0.1)", () => {
  const { dir, cleanup } = makeTempDir();
  let sshd: SshServer;
  before(async () => {
    sshd = await startSshd(path.join(dir, 'sshd'));
  });
  after(async () => {
    await sshd.stop();
    cleanup();
  });
  const url = (): string => `sftp://${sshd.user}@127.0.0.1:${sshd.port}${sshd.storeDir}`;
  const knownHosts = (): string => path.join(sshd.home, '.ssh', 'known_hosts');

  it('refuses an unknown host, pushes once it is trusted, and refuses a changed host key', async () => {
    const appDir = makeApp(dir, [{ name: 'box', url: url() }]);
    await backup(appDir, 'over-ssh');
    const env = { HOME: sshd.home, SSH_AUTH_SOCK: '' };
    const unknown = (await run(['push', '--app', appDir, '--json'], appDir, env)).json<PushResult>();
    assert.equal(unknown.targets[0]?.error?.code, 'HOST_KEY_UNKNOWN');
    assert.match(unknown.targets[0]?.error?.message ?? '', /SHA256:/);

    // Trusted as OpenSSH stores it when HashKnownHosts is on.
    fs.writeFileSync(knownHosts(), `${sshd.knownHostsLine}\n`);
    assert.equal(spawnSync('ssh-keygen', ['-H', '-f', knownHosts()]).status, 0);
    assert.match(fs.readFileSync(knownHosts(), 'utf8'), /^\|1\|/);
    const pushed = await run(['push', '--app', appDir, '--json'], appDir, env);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.equal(pushed.json<PushResult>().targets[0]?.pushed.length, 1);
    const stored = fs.readdirSync(path.join(sshd.storeDir, 'homeserver', 'notes')).sort();
    assert.equal(stored.length, 2);

    const impostor = path.join(dir, 'impostor');
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', impostor]);
    const [type, key] = fs.readFileSync(`${impostor}.pub`, 'utf8').split(/\s+/);
    fs.writeFileSync(knownHosts(), `[127.0.0.1]:${sshd.port} ${type ?? ''} ${key ?? ''}\n`);
    const changed = await run(['remote', 'list', '--app', appDir, '--json'], appDir, env);
    assert.equal(changed.code, 1);
    assert.match(changed.stderr, /HOST_KEY_CHANGED/);
  });

  it("logs in with the user's SSH agent when there is no key file", async () => {
    fs.writeFileSync(knownHosts(), `${sshd.knownHostsLine}\n`);
    const agentHome = path.join(dir, 'agent-home');
    fs.mkdirSync(path.join(agentHome, '.ssh'), { recursive: true });
    fs.copyFileSync(knownHosts(), path.join(agentHome, '.ssh', 'known_hosts'));
    const socket = path.join(dir, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    try {
      await until(() => fs.existsSync(socket));
      const added = spawnSync('ssh-add', [path.join(sshd.home, '.ssh', 'id_ed25519')], {
        env: { ...process.env, SSH_AUTH_SOCK: socket },
      });
      assert.equal(added.status, 0, added.stderr.toString());
      const appDir = makeApp(path.join(dir, 'agent'), [{ name: 'box', url: url() }]);
      await backup(appDir, 'by-agent');
      const pushed = await run(['push', '--app', appDir, '--json'], appDir, {
        HOME: agentHome,
        SSH_AUTH_SOCK: socket,
      });
      assert.equal(pushed.code, 0, pushed.stderr);
      assert.equal(pushed.json<PushResult>().targets[0]?.pushed.length, 1);
    } finally {
      agent.kill();
    }
  });

  it('says when the server refuses the key', async () => {
    fs.writeFileSync(knownHosts(), `${sshd.knownHostsLine}\n`);
    const stranger = path.join(dir, 'stranger');
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger]);
    const appDir = makeApp(path.join(dir, 'wrong-key'), [
      { name: 'box', url: `${url()}?identity=${stranger}` },
    ]);
    await backup(appDir, 'wrong-key');
    const refused = (
      await run(['push', '--app', appDir, '--json'], appDir, { HOME: sshd.home, SSH_AUTH_SOCK: '' })
    ).json<PushResult>();
    assert.equal(refused.targets[0]?.error?.code, 'OFFSITE_AUTH_FAILED');
  });

  it('a listing reads a crowded folder only as far as its limit: a server that names millions of files costs a bounded read', async () => {
    fs.writeFileSync(knownHosts(), `${sshd.knownHostsLine}\n`);
    const crowded = path.join(sshd.storeDir, 'crowded');
    fs.mkdirSync(crowded);
    for (let i = 0; i < 3000; i += 1) {
      fs.writeFileSync(path.join(crowded, `junk-${String(i).padStart(4, '0')}`), '');
    }
    // Every name the server sends, counted where ssh2 hands each READDIR answer over.
    const { SFTP: SFTPWrapper } = createRequire(__filename)('ssh2/lib/protocol/SFTP.js') as {
      SFTP: { prototype: { readdir: (...args: unknown[]) => void } };
    };
    const readdir = SFTPWrapper.prototype.readdir;
    let received = 0;
    SFTPWrapper.prototype.readdir = function (this: unknown, ...args: unknown[]): void {
      const cb = args[args.length - 1] as (error: unknown, list?: unknown[]) => void;
      readdir.call(this, ...args.slice(0, -1), (error: unknown, list?: unknown[]) => {
        received += Array.isArray(list) ? list.length : 0;
        cb(error, list);
      });
    };
    const home = process.env['HOME'];
    process.env['HOME'] = sshd.home;
    const store = new SftpStore(parseTargetUrl(url()) as Extract<TargetLocation, { kind: 'sftp' }>);
    try {
      const listed = await store.list('crowded', 100);
      assert.equal(listed.length, 101);
      // OpenSSH answers a READDIR with about a hundred names: the limit and at most one answer more.
      assert.ok(received <= 101 + 200, `${received} names were read to list 101`);
    } finally {
      SFTPWrapper.prototype.readdir = readdir;
      process.env['HOME'] = home;
      await store.close();
    }
  });
});
