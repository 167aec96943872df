import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import type { Attention } from '../core/schedule/attention';
import { lifeboat } from '../testing/cli-run';
import { flipBit, makeTempDir } from '../testing/fixtures';

/** Health a script can trust: `lifeboat check` from cron, and `backup --require-db`, through the real CLI. */

interface Checked {
  ok: boolean;
  problems: Attention[];
}

function makeDatabase(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const db = path.join(dir, 'app.db');
  const open = new Database(db);
  open.exec(
    'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES (1), (2)',
  );
  open.close();
  return db;
}

function check(dir: string): { code: number | null; result: Checked; human: string } {
  const json = lifeboat(['check', '--db', 'app.db', '--json'], dir);
  const human = lifeboat(['check', '--db', 'app.db'], dir);
  assert.equal(human.code, json.code);
  return { code: json.code, result: json.json<Checked>(), human: human.stdout };
}

describe('lifeboat check', () => {
  const { dir, cleanup } = makeTempDir();
  after(cleanup);

  it('exits 0 for an app with a fresh, intact snapshot, and says so', () => {
    const app = path.join(dir, 'fresh');
    makeDatabase(app);
    assert.equal(lifeboat(['backup', '--db', 'app.db'], app).code, 0);
    const { code, result, human } = check(app);
    assert.deepEqual([code, result.ok, result.problems], [0, true, []]);
    assert.match(human, /^OK: .*app\.db\. /);
  });

  it('exits 5 for an app with no snapshot yet, and for a database that is not there', () => {
    const app = path.join(dir, 'never');
    makeDatabase(app);
    const never = check(app);
    assert.deepEqual([never.code, never.result.problems.map((p) => p.kind)], [5, ['never']]);
    const missing = path.join(dir, 'missing');
    fs.mkdirSync(missing);
    assert.deepEqual(
      check(missing).result.problems.map((p) => p.kind),
      ['no-database', 'never'],
    );
  });

  it('names a damaged snapshot by its file', () => {
    const app = path.join(dir, 'damaged');
    makeDatabase(app);
    assert.equal(lifeboat(['backup', 'one', '--db', 'app.db'], app).code, 0);
    assert.equal(lifeboat(['backup', 'two', '--db', 'app.db'], app).code, 0);
    const [first] = fs.readdirSync(path.join(app, 'backups')).filter((n) => n.endsWith('-one.db'));
    const file = path.join(app, 'backups', first ?? '');
    fs.chmodSync(file, 0o600);
    flipBit(file, 4096 + 200);
    assert.equal(lifeboat(['verify', '--db', 'app.db'], app).code, 3);
    const { code, result, human } = check(app);
    assert.equal(code, 5);
    assert.deepEqual(
      result.problems.map((p) => p.kind),
      ['damaged'],
    );
    assert.match(result.problems[0]?.message ?? '', new RegExp(`${first ?? ''} \\(corrupt\\)`));
    assert.match(human, /^Needs attention: .*app\.db\n {2}damaged: 1 damaged or incomplete file/);
  });

  it('puts an interrupted restore first, with the commands that end it', () => {
    const app = path.join(dir, 'interrupted');
    makeDatabase(app);
    assert.equal(lifeboat(['backup', '--db', 'app.db'], app).code, 0);
    const [snapshot] = fs.readdirSync(path.join(app, 'backups')).filter((n) => n.endsWith('.db'));
    const killed = lifeboat(['restore', snapshot ?? '', '--db', 'app.db', '--yes'], app, {
      // Killed once the live file is set aside and before the snapshot takes its place: no database either.
      LIFEBOAT_TEST_KILL_AT: 'put-in-place',
    });
    assert.equal(killed.signal, 'SIGKILL');
    const { code, result } = check(app);
    assert.equal(code, 5);
    assert.deepEqual(
      result.problems.map((p) => p.kind),
      ['interrupted-restore', 'no-database'],
    );
    assert.match(result.problems[0]?.message ?? '', /lifeboat restore --resume --db .*app\.db/);
  });
});

describe('lifeboat backup --require-db', () => {
  const { dir, cleanup } = makeTempDir();
  after(cleanup);

  it('fails with DB_NOT_FOUND where plain backup says "nothing to back up", and makes nothing', () => {
    const plain = lifeboat(['backup', '--db', 'gone.db', '--json'], dir);
    assert.equal(plain.code, 0);
    assert.equal(plain.json<{ kind: string }>().kind, 'nothing-to-back-up');
    const required = lifeboat(['backup', '--db', 'gone.db', '--require-db', '--json'], dir);
    assert.equal(required.code, 1);
    assert.equal(required.json<{ error: { code: string } }>().error.code, 'DB_NOT_FOUND');
    assert.deepEqual(
      fs.existsSync(path.join(dir, 'backups'))
        ? fs.readdirSync(path.join(dir, 'backups')).filter((n) => !n.startsWith('.'))
        : [],
      [],
    );
  });
});
