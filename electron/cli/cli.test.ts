import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { lifeboat, lifeboatBin as bin } from '../testing/cli-run';
import { createLiveDatabase, makeTempDir } from '../testing/fixtures';

describe('lifeboat CLI', () => {
  let temp: { dir: string; cleanup: () => void };
  before(() => {
    temp = makeTempDir();
    createLiveDatabase(path.join(temp.dir, 'app.db'), 'wal', 256 * 1024);
  });
  after(() => temp.cleanup());

  it('prints help', () => {
    const run = lifeboat(['--help'], temp.dir);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /lifeboat backup \[REASON\]/);
    assert.equal(lifeboat([], temp.dir).code, 0);
  });

  it('backs up with a reason and a note, from an sqlite:/// URL, and prints where it went', () => {
    const run = lifeboat(
      ['backup', 'before upgrade', '--db', 'sqlite:///app.db', '--note', 'v2 → v3'],
      temp.dir,
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Snapshot written: .*backups\/app-\d{8}-\d{6}-before-upgrade\.db/);
  });

  it('prints the documented JSON shapes', () => {
    const backup = lifeboat(['backup', '--db', 'app.db', '--json'], temp.dir).json<{
      kind: string;
      snapshot: { label: string; status: string; sha256: string };
    }>();
    assert.equal(backup.kind, 'created');
    assert.equal(backup.snapshot.label, 'manual');
    assert.equal(backup.snapshot.status, 'verified');
    assert.match(backup.snapshot.sha256, /^[0-9a-f]{64}$/);

    const list = lifeboat(['list', '--db', 'app.db', '--json'], temp.dir).json<{
      snapshots: { label: string; note: string | null }[];
    }>();
    assert.deepEqual(list.snapshots.map((s) => s.label).sort(), ['before-upgrade', 'manual']);
    assert.equal(list.snapshots.find((s) => s.label === 'before-upgrade')?.note, 'v2 → v3');

    const info = lifeboat(['info', '--db', 'app.db', '--json'], temp.dir).json<{
      journalMode: string;
      tables: { name: string; rows: number }[];
      newestSnapshot: { ageSeconds: number } | null;
    }>();
    assert.equal(info.journalMode, 'wal');
    assert.equal(info.tables.find((t) => t.name === 'accounts')?.rows, 100);
    assert.ok(info.newestSnapshot !== null && info.newestSnapshot.ageSeconds < 120);

    const verify = lifeboat(['verify', '--db', 'app.db', '--json'], temp.dir);
    assert.equal(verify.code, 0);
    assert.equal(verify.json<{ ok: boolean; reports: unknown[] }>().reports.length, 2);
  });

  it('takes the database from LIFEBOAT_DB', () => {
    const run = lifeboat(['list', '--json'], temp.dir, {
      LIFEBOAT_DB: `sqlite:///${path.join(temp.dir, 'app.db')}`,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.json<{ snapshots: unknown[] }>().snapshots.length >= 2);
  });

  it('exits 3 when a snapshot fails verification, naming it', () => {
    const dir = path.join(temp.dir, 'backups');
    fs.writeFileSync(path.join(dir, 'app-20250101-000000-broken.db'), 'garbage');
    const run = lifeboat(['verify', 'app-20250101-000000-broken.db', '--db', 'app.db'], temp.dir);
    assert.equal(run.code, 3);
    assert.match(run.stdout, /FAIL {2}app-20250101-000000-broken\.db: .*not an SQLite database/);
    fs.unlinkSync(path.join(dir, 'app-20250101-000000-broken.db'));
  });

  it('exits 0 with "nothing to back up" for a database that does not exist', () => {
    const run = lifeboat(['backup', '--db', 'sqlite:///later.db'], temp.dir);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /Nothing to back up/);
    assert.equal(fs.existsSync(path.join(temp.dir, 'later.db')), false);
  });

  it('exits 1 with NOT_SQLITE_URL for a URL that is not a file-backed SQLite database', () => {
    for (const url of ['postgres://u:p@localhost/app', 'sqlite:///:memory:']) {
      const run = lifeboat(['backup', '--db', url, '--json'], temp.dir);
      assert.equal(run.code, 1, url);
      assert.equal(run.json<{ error: { code: string } }>().error.code, 'NOT_SQLITE_URL');
      assert.match(run.stderr, /NOT_SQLITE_URL/);
    }
  });

  it('exits 2 on wrong arguments', () => {
    assert.equal(lifeboat(['backup', '--db', 'app.db', '--bogus'], temp.dir).code, 2);
    assert.equal(lifeboat(['frobnicate', '--db', 'app.db'], temp.dir).code, 2);
    assert.equal(lifeboat(['list'], temp.dir).code, 2);
    assert.equal(lifeboat(['verify', '../app.db', '--db', 'app.db'], temp.dir).code, 2);
  });

  it('exits 130 when interrupted, leaving no partial file', async () => {
    const dir = path.join(temp.dir, 'interrupt');
    fs.mkdirSync(dir);
    createLiveDatabase(path.join(dir, 'big.db'), 'delete', 192 * 1024 * 1024);
    const child = spawn(process.execPath, [bin, 'backup', '--db', 'big.db', '--json'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Interrupt as soon as the temporary file exists, i.e. mid-copy.
    await new Promise<void>((resolve) => {
      const watcher = setInterval(() => {
        const backups = path.join(dir, 'backups');
        if (fs.existsSync(backups) && fs.readdirSync(backups).some((n) => n.startsWith('.lifeboat-tmp-'))) {
          clearInterval(watcher);
          child.kill('SIGINT');
          resolve();
        }
      }, 1);
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const leftovers = fs.readdirSync(path.join(dir, 'backups')).filter((n) => n !== '.lifeboat');
    assert.equal(
      code,
      130,
      'interrupted mid-copy (exit 0 would mean the copy won the race: use a larger database)',
    );
    assert.deepEqual(leftovers, []);
  });
});

describe('lifeboat status and migrate', () => {
  let temp: { dir: string; cleanup: () => void };
  before(() => {
    temp = makeTempDir();
    fs.mkdirSync(path.join(temp.dir, 'migrations'));
    fs.writeFileSync(
      path.join(temp.dir, 'migrations', '001_users.sql'),
      'CREATE TABLE users (id INTEGER PRIMARY KEY);',
    );
    fs.writeFileSync(
      path.join(temp.dir, 'migrations', '002_posts.sql'),
      'CREATE TABLE posts (id INTEGER PRIMARY KEY);',
    );
  });
  after(() => temp.cleanup());

  it('says empty, migrates, then exits 0 with --check only at head', () => {
    fs.writeFileSync(path.join(temp.dir, 'app.db'), '');
    const empty = lifeboat(['status', '--db', 'app.db', '--json'], temp.dir);
    assert.equal(empty.code, 0, empty.stderr);
    assert.equal(empty.json<{ status: { status: string } }>().status.status, 'empty');
    assert.equal(lifeboat(['status', '--db', 'app.db', '--check'], temp.dir).code, 4);
    const migrated = lifeboat(
      ['migrate', '--db', 'app.db', '--migrations', 'migrations', '--json'],
      temp.dir,
    );
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.deepEqual(
      migrated.json<{ applied: { version: string }[] }>().applied.map((a) => a.version),
      ['1', '2'],
    );
    const check = lifeboat(['status', '--db', 'app.db', '--check'], temp.dir);
    assert.equal(check.code, 0);
    assert.match(check.stdout, /^AT HEAD/);
  });

  it('lists each snapshot with the revision it holds, and reads it only once', () => {
    assert.equal(lifeboat(['backup', 'at-two', '--db', 'app.db'], temp.dir).code, 0);
    const file = path.join(
      temp.dir,
      'backups',
      fs.readdirSync(path.join(temp.dir, 'backups')).find((n) => n.includes('at-two')) ?? '',
    );
    // Whole seconds, so the test can put the same mtime back exactly.
    const stamp = Math.floor(Date.now() / 1000) - 60;
    fs.utimesSync(file, stamp, stamp);
    fs.writeFileSync(
      path.join(temp.dir, 'migrations', '003_tags.sql'),
      'CREATE TABLE tags (id INTEGER PRIMARY KEY);',
    );
    const list = lifeboat(['list', '--db', 'app.db', '--json'], temp.dir).json<{
      snapshots: { label: string; migration: { current: string[]; status: string; badge: string } | null }[];
    }>();
    const snapshot = list.snapshots.find((s) => s.label === 'at-two');
    assert.deepEqual(snapshot?.migration?.current, ['2']);
    assert.equal(snapshot?.migration?.status, 'behind');
    assert.equal(snapshot?.migration?.badge, '1 behind');
    const cache = path.join(temp.dir, 'backups', '.lifeboat', 'revisions-cache.json');
    assert.ok(fs.existsSync(cache));
    const human = lifeboat(['list', '--db', 'app.db'], temp.dir);
    assert.match(human.stdout, /REVISION/);
    assert.match(human.stdout, /2 · 1 behind/);

    // The second listing takes the revision from the cache (same size and mtime): rewrite the
    // snapshot's user_version behind its back, keep its mtime, and it still reads 2.
    fs.chmodSync(file, 0o644);
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.from([0, 0, 0, 1]), 0, 4, 60);
    fs.closeSync(fd);
    fs.utimesSync(file, stamp, stamp);
    const current = (): string[] | undefined =>
      lifeboat(['list', '--db', 'app.db', '--json'], temp.dir)
        .json<{ snapshots: { label: string; migration: { current: string[] } | null }[] }>()
        .snapshots.find((s) => s.label === 'at-two')?.migration?.current;
    assert.deepEqual(current(), ['2'], 'not opened again');
    fs.utimesSync(file, stamp, stamp + 5);
    assert.deepEqual(current(), ['1'], 'read again once its mtime changed');
  });

  it('exits 1 and names the migration that failed, which was rolled back', () => {
    fs.writeFileSync(
      path.join(temp.dir, 'migrations', '004_bad.sql'),
      'CREATE TABLE half (id INTEGER);\nINSERT INTO missing VALUES (1);',
    );
    const run = lifeboat(['migrate', '--db', 'app.db', '--migrations', 'migrations'], temp.dir);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /004_bad\.sql failed and was rolled back.*\[MIGRATION_FAILED\]/);
    const status = lifeboat(['status', '--db', 'app.db', '--json'], temp.dir).json<{
      status: { current: string[]; pending: string[] };
    }>();
    assert.deepEqual(status.status.current, ['3']);
    assert.deepEqual(status.status.pending, ['4']);
  });

  it('without the migration files, reads what the database records, and --check will not call it at head', () => {
    const dir = path.join(temp.dir, 'elsewhere');
    fs.mkdirSync(dir);
    const db = new Database(path.join(dir, 'alembic.db'));
    db.exec(
      "CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY); INSERT INTO alembic_version VALUES ('abc123def456');",
    );
    db.close();
    const run = lifeboat(['status', '--db', 'alembic.db'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Tool\s+Alembic \(read from the database/);
    assert.match(run.stdout, /Revision\s+abc123def456/);
    const json = lifeboat(['status', '--db', 'alembic.db', '--json'], dir).json<{
      status: { reference: string; revision: string; status: string };
    }>();
    assert.deepEqual(
      [json.status.reference, json.status.revision, json.status.status],
      ['live', 'abc123def456', 'recorded'],
    );
    const check = lifeboat(['status', '--db', 'alembic.db', '--check'], dir);
    assert.equal(check.code, 4);
    assert.match(check.stderr, /none were found: pass --app DIR or --migrations DIR/);
    const bare = new Database(path.join(dir, 'bare.db'));
    bare.exec('CREATE TABLE t (x)');
    bare.close();
    const none = lifeboat(['status', '--db', 'bare.db'], dir);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /records none Lifeboat knows/);
  });

  it('logs what the command line did in the activity log, newest first', () => {
    const log = path.join(temp.dir, 'backups', '.lifeboat', 'activity.jsonl');
    const entries = fs
      .readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as { action: string; outcome: string; origin: string; target: string | null },
      );
    assert.ok(
      entries.some(
        (e) =>
          e.action === 'snapshot' &&
          e.outcome === 'ok' &&
          e.origin === 'cli' &&
          e.target?.includes('at-two') === true,
      ),
    );
  });

  it('refuses an unknown tool and a missing migrations folder with exit 2', () => {
    assert.equal(lifeboat(['status', '--db', 'app.db', '--tool', 'liquibase'], temp.dir).code, 2);
    assert.equal(lifeboat(['status', '--db', 'app.db', '--migrations', 'nope'], temp.dir).code, 2);
    assert.equal(lifeboat(['migrate', '--db', 'app.db'], temp.dir).code, 2);
  });
});
