import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as sqliteVec from 'sqlite-vec';
import { lifeboat, lifeboatBin } from '../../testing/cli-run';
import { contentDigest, createLiveDatabase, makeTempDir } from '../../testing/fixtures';

/** Databases and requests at the edge of what a restore may do (issue 10: H3, M1, M2). */

interface RestoreJson {
  outcome?: string;
  error: { code: string; message: string } | null;
}

/** Runs `lifeboat ARGS` without waiting, so that two can run at once. */
function lifeboatAsync(args: string[], cwd: string): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [lifeboatBin, ...args], {
      cwd,
      env: { ...process.env, LIFEBOAT_DB: '' },
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout }));
  });
}

function snapshotOf(dir: string, db: string): string {
  const made = lifeboat(['backup', '--db', db, '--json'], dir);
  assert.equal(made.code, 0, made.stderr);
  return made.json<{ snapshot: { file: string } }>().snapshot.file;
}

describe('restore boundaries', () => {
  let temp: { dir: string; cleanup: () => void };
  before(() => {
    temp = makeTempDir();
  });
  after(() => temp.cleanup());

  it('H3: a database with a virtual table of an extension Lifeboat does not load (sqlite-vec) is backed up, described, rehearsed and restored', () => {
    const dir = path.join(temp.dir, 'vec');
    fs.mkdirSync(dir);
    const file = path.join(dir, 'app.db');
    const db = new Database(file);
    sqliteVec.load(db);
    db.exec(
      'CREATE TABLE documents (id INTEGER PRIMARY KEY, title TEXT); CREATE VIRTUAL TABLE embeddings USING vec0(embedding float[4])',
    );
    const insert = db.prepare('INSERT INTO embeddings (rowid, embedding) VALUES (?, ?)');
    for (let i = 1; i <= 50; i += 1) {
      db.prepare('INSERT INTO documents (id, title) VALUES (?, ?)').run(i, `doc ${i}`);
      insert.run(BigInt(i), new Float32Array([i, i + 1, i + 2, i + 3]));
    }
    db.close();
    const snapshot = snapshotOf(dir, file);
    const later = new Database(file);
    later.exec('DELETE FROM documents WHERE id > 10');
    later.close();

    const info = lifeboat(['info', '--db', file, '--json'], dir);
    assert.equal(info.code, 0, info.stderr);
    const tables = info.json<{ tables: { name: string; rows: number }[] }>().tables;
    assert.equal(tables.find((t) => t.name === 'documents')?.rows, 10);
    assert.equal(
      tables.some((t) => t.name === 'embeddings'),
      false,
      'the vec0 table itself cannot be counted here',
    );

    const rehearsal = lifeboat(['restore', snapshot, '--rehearse', '--db', file, '--json'], dir);
    assert.equal(rehearsal.code, 0, rehearsal.stdout + rehearsal.stderr);
    const restored = lifeboat(['restore', snapshot, '--db', file, '--yes', '--json'], dir);
    assert.equal(restored.json<RestoreJson>().outcome, 'restored', restored.stdout);

    const check = new Database(file, { readonly: true });
    sqliteVec.load(check);
    assert.equal(check.prepare('SELECT count(*) FROM documents').pluck().get(), 50);
    const nearest = check
      .prepare('SELECT rowid FROM embeddings WHERE embedding MATCH ? ORDER BY distance LIMIT 1')
      .pluck()
      .get(new Float32Array([7, 8, 9, 10]));
    assert.equal(nearest, 7);
    check.close();
  });

  it('H1: a smoke query that would open another file (ATTACH) is refused, and nothing of that file is shown', () => {
    const dir = path.join(temp.dir, 'smoke');
    fs.mkdirSync(dir);
    const file = path.join(dir, 'app.db');
    createLiveDatabase(file, 'delete', 16 * 1024);
    const secret = path.join(temp.dir, 'secret.db');
    const other = new Database(secret);
    other.exec("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('the-secret-value')");
    other.close();
    const snapshot = snapshotOf(dir, file);
    const query = `ATTACH (SELECT '${secret}') AS s`;
    fs.writeFileSync(
      path.join(dir, 'lifeboat.json'),
      JSON.stringify({
        database: 'sqlite:///app.db',
        run: { smokeQueries: ['SELECT count(*) FROM ledger', query] },
      }),
    );
    const run = lifeboat(['restore', snapshot, '--rehearse', '--app', dir, '--json'], dir);
    assert.doesNotMatch(run.stdout + run.stderr, /the-secret-value/);
    assert.match(run.stdout, /does not only read/);
    // A query that reads can still make SQLite quote a value in its error: the message leaves it out.
    const db = new Database(file);
    db.exec("CREATE TABLE secrets (v TEXT); INSERT INTO secrets VALUES ('the-secret-value')");
    db.close();
    const quoting = "SELECT json_extract('{}', (SELECT v FROM secrets))";
    fs.writeFileSync(
      path.join(dir, 'lifeboat.json'),
      JSON.stringify({ database: 'sqlite:///app.db', run: { smokeQueries: [quoting] } }),
    );
    const withSecret = snapshotOf(dir, file);
    const leaked = lifeboat(['restore', withSecret, '--rehearse', '--app', dir, '--json'], dir);
    assert.match(leaked.stdout, /The smoke query .* failed: bad JSON path\./);
    assert.doesNotMatch(leaked.stdout + leaked.stderr, /the-secret-value/);
  });

  it('a database name of 240 bytes: backed up, listed, restored; a journal temporary left by a killed restore is cleared', () => {
    const dir = path.join(temp.dir, 'long');
    fs.mkdirSync(dir);
    const name = `${'ü'.repeat(118)}.db`;
    assert.equal(Buffer.byteLength(name), 239);
    const file = path.join(dir, name);
    createLiveDatabase(file, 'delete', 16 * 1024);
    const snapshot = snapshotOf(dir, file);
    assert.ok(Buffer.byteLength(snapshot) <= 250, snapshot);
    assert.equal(lifeboat(['list', '--db', file], dir).code, 0);
    const abandoned = path.join(dir, '.lifeboat-tmp-999999999-0123456789abcdef.json');
    fs.writeFileSync(abandoned, '{"version": 1, "step": "sta');
    const restored = lifeboat(['restore', snapshot, '--db', file, '--yes', '--json'], dir);
    assert.equal(restored.json<RestoreJson>().outcome, 'restored', restored.stdout + restored.stderr);
    assert.equal(fs.existsSync(abandoned), false);
  });

  it('M1: a database path that is a symbolic link is refused with DB_IS_LINK; the link and the file it leads to stay as they were', () => {
    const dir = path.join(temp.dir, 'linked');
    const volume = path.join(temp.dir, 'volume');
    fs.mkdirSync(dir);
    fs.mkdirSync(volume);
    const real = path.join(volume, 'app.db');
    createLiveDatabase(real, 'delete', 16 * 1024);
    const link = path.join(dir, 'app.db');
    fs.symlinkSync(real, link);
    const snapshot = snapshotOf(dir, link);
    const before = contentDigest(real);
    const run = lifeboat(['restore', snapshot, '--db', link, '--yes', '--json'], dir);
    assert.equal(run.code, 1);
    assert.equal(run.json<RestoreJson>().error?.code, 'DB_IS_LINK');
    assert.match(
      run.json<RestoreJson>().error?.message ?? '',
      new RegExp(`--db ${real.replaceAll('/', '\\/')}`),
    );
    assert.equal(fs.lstatSync(link).isSymbolicLink(), true);
    assert.equal(contentDigest(real), before);
  });

  it('M2: a second restore of a database while one runs (both told to restore anyway) is refused, not run alongside', async () => {
    const dir = path.join(temp.dir, 'twice');
    fs.mkdirSync(dir);
    const file = path.join(dir, 'app.db');
    createLiveDatabase(file, 'wal', 1024 * 1024);
    const snapshot = snapshotOf(dir, file);
    // The first restore's stop command takes two seconds: long enough to start the second meanwhile.
    fs.writeFileSync(
      path.join(dir, 'lifeboat.json'),
      JSON.stringify({
        database: 'sqlite:///app.db',
        run: { preset: 'commands', stop: { argv: ['sleep', '2'] } },
      }),
    );
    const first = lifeboatAsync(['restore', snapshot, '--app', dir, '--yes', '--force-open', '--json'], dir);
    const lock = path.join(dir, '.app.db.lifeboat-restore.lock');
    for (let waited = 0; !fs.existsSync(lock); waited += 20) {
      assert.ok(waited < 15_000, 'the first restore never took its lock');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const second = lifeboat(['restore', snapshot, '--db', file, '--yes', '--force-open', '--json'], dir);
    assert.equal(second.json<RestoreJson>().error?.code, 'RESTORE_IN_PROGRESS');
    assert.match(second.json<RestoreJson>().error?.message ?? '', /Another restore of .* is under way/);
    assert.equal((JSON.parse((await first).stdout) as RestoreJson).outcome, 'restored');
    assert.deepEqual(
      fs.readdirSync(dir).filter((n) => n.includes('lifeboat-restore')),
      [],
      'a restore file was left beside the database',
    );
  });
});
