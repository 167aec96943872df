import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Result } from '../../contract/errors';
import { lifeboat } from '../../testing/cli-run';
import { makeTempDir, sha256 } from '../../testing/fixtures';
import { dispatch } from '../service/dispatch';
import { LifeboatService } from '../service/lifeboat-service';

/** Taking rows out without a restore: `lifeboat export`, `restore --to`, and the same through the service with its path rules. */

describe('export and restore as a copy', () => {
  let temp: { dir: string; cleanup: () => void };
  let snapshot = '';
  before(() => {
    temp = makeTempDir();
    const db = new Database(path.join(temp.dir, 'app.db'));
    db.exec(
      "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, data BLOB, score REAL, n); INSERT INTO notes VALUES (1, 'plain', NULL, 1.5, 1), (2, 'with, comma and \"quotes\"', x'00ff', NULL, NULL), (3, 'two\nlines', NULL, 3, 9007199254740993), (4, 'O''Brien', NULL, -0.25, 'x');",
    );
    db.close();
    const backup = lifeboat(['backup', '--db', 'app.db', '--json'], temp.dir);
    snapshot = (JSON.parse(backup.stdout) as { snapshot: { file: string } }).snapshot.file;
  });
  after(() => temp.cleanup());

  it("writes CSV to standard output, quoting what needs it; NULL as an empty field, blobs as x'hex'", () => {
    const run = lifeboat(['export', snapshot, '--table', 'notes', '--db', 'app.db'], temp.dir);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      run.stdout,
      'id,body,data,score,n\r\n1,plain,,1.5,1\r\n2,"with, comma and ""quotes""",x\'00ff\',,\r\n3,"two\nlines",,3,9007199254740993\r\n4,O\'Brien,,-0.25,x\r\n',
    );
  });

  it('writes SQL INSERTs that load back into the same rows, only those the filter keeps, to a new file only', () => {
    const out = path.join(temp.dir, 'notes.sql');
    const run = lifeboat(
      [
        'export',
        snapshot,
        '--table',
        'notes',
        '--format',
        'sql',
        '--filter',
        "O'B",
        '--out',
        out,
        '--db',
        'app.db',
        '--json',
      ],
      temp.dir,
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.json<{ rows: number }>().rows, 1);
    const check = new Database(':memory:');
    check.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, data BLOB, score REAL, n);');
    check.exec(fs.readFileSync(out, 'utf8'));
    assert.deepEqual(check.prepare('SELECT * FROM notes').all(), [
      { id: 4, body: "O'Brien", data: null, score: -0.25, n: 'x' },
    ]);
    check.close();
    const again = lifeboat(
      ['export', snapshot, '--table', 'notes', '--format', 'sql', '--out', out, '--db', 'app.db'],
      temp.dir,
    );
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists/);
    assert.deepEqual(
      fs.readdirSync(temp.dir).filter((f) => f.startsWith('.lifeboat-tmp')),
      [],
      'no partial file is left',
    );
  });

  it('exports the live database too, read only', () => {
    const run = lifeboat(
      ['export', 'live', '--table', 'notes', '--filter', 'plain', '--db', 'app.db'],
      temp.dir,
    );
    assert.equal(run.stdout, 'id,body,data,score,n\r\n1,plain,,1.5,1\r\n');
    assert.match(
      lifeboat(['export', 'live', '--table', 'nope', '--db', 'app.db'], temp.dir).stderr,
      /No table "nope" here\. Tables: notes/,
    );
  });

  it('restore --to writes a checked copy of the snapshot and touches nothing live', () => {
    const live = sha256(path.join(temp.dir, 'app.db'));
    const copy = path.join(temp.dir, 'inspect.db');
    const run = lifeboat(['restore', snapshot, '--to', copy, '--db', 'app.db'], temp.dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /a checked copy of .*The live database was not touched/);
    assert.equal(sha256(copy), sha256(path.join(temp.dir, 'backups', snapshot)));
    assert.equal(sha256(path.join(temp.dir, 'app.db')), live);
    assert.equal(lifeboat(['restore', snapshot, '--to', copy, '--db', 'app.db'], temp.dir).code, 2);
  });

  it('through lifeboat serve, a new file goes only in an allowed folder, and never over another', async () => {
    const service = new LifeboatService({
      dataDir: path.join(temp.dir, 'data'),
      origin: 'web',
      allow: [temp.dir],
    });
    const code = (r: Result<unknown>): string => (r.ok ? 'ok' : r.error.code);
    const added = await service.handlers['apps:add']({ database: path.join(temp.dir, 'app.db') });
    assert.equal(
      code(
        await dispatch(service, 'snapshots:copy', {
          appId: added.id,
          file: snapshot,
          path: '/tmp/elsewhere.db',
        }),
      ),
      'PERMISSION_DENIED',
    );
    assert.equal(
      code(
        await dispatch(service, 'snapshots:copy', {
          appId: added.id,
          file: snapshot,
          path: path.join(temp.dir, 'app.db'),
        }),
      ),
      'INVALID_ARGUMENT',
    );
    assert.equal(
      code(
        await dispatch(service, 'snapshots:export', {
          appId: added.id,
          source: 'live',
          table: 'notes',
          format: 'csv',
          path: 'relative.csv',
        }),
      ),
      'INVALID_ARGUMENT',
    );
    const page = await service.handlers['snapshots:rows']({
      appId: added.id,
      source: snapshot,
      filter: '',
      descending: true,
      orderBy: 'id',
      offset: 1,
      limit: 2,
    });
    assert.deepEqual(
      page.rows.map((r) => r[0]),
      [3, 2],
    );
    assert.equal(page.total, 4);
    assert.deepEqual(page.rows[0]?.[4], { integer: '9007199254740993' });
    await service.shutdown();
  });
});
