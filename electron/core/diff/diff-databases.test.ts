import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import type { DiffResult } from '../../contract/diff';
import { lifeboat } from '../../testing/cli-run';
import { makeTempDir } from '../../testing/fixtures';
import { startJob, type JobHandle } from '../jobs/job-runner';
import { diffDatabases } from './diff-databases';
import { unwatchedControl as quiet } from '../job-control';
import { compareValues, sameValue, type SqliteValue } from './sqlite-values';

/**
 * The diff against SQLite's own sqldiff (Debian's sqlite3-tools) as the reference: generated pairs of
 * databases with every kind of key (rowid, INTEGER PRIMARY KEY, text and composite keys, WITHOUT
 * ROWID), values of every type (NULL, big integers, reals equal to integers, text beyond the BMP,
 * blobs), and inserts, updates and deletes between them; the per-table counts must be sqldiff's.
 */

const sqldiff = '/usr/bin/sqldiff';
const skip = fs.existsSync(sqldiff) ? false : 'needs sqldiff (Debian package sqlite3-tools) as the reference';

const schema = `
  CREATE TABLE plain (a, b);
  CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, score REAL, avatar BLOB);
  CREATE TABLE slugs (slug TEXT PRIMARY KEY, title TEXT);
  CREATE TABLE pairs (x INTEGER, y TEXT, v, PRIMARY KEY (x, y)) WITHOUT ROWID;
`;

// Values of every storage class, chosen to collide: 1 and 1.0, keys beyond the BMP and above U+E000.
const value = fc.oneof(
  fc.constant(null),
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(1.0, 2.5, -0.0, 9007199254740993n, -9223372036854775808n),
  fc.constantFrom('a', 'A', 'é', '\uE000', '😀', '', 'a\u0000b'),
  fc.uint8Array({ maxLength: 3 }).map((bytes) => Buffer.from(bytes)),
);
const textKey = fc.constantFrom('a', 'b', 'é', '\uE000x', '😀', 'z', 'ab', '\uFFFD');

const row = {
  plain: fc.tuple(value, value),
  users: fc.tuple(fc.integer({ min: 1, max: 40 }), value, value, value),
  slugs: fc.tuple(textKey, value),
  pairs: fc.tuple(fc.integer({ min: 1, max: 4 }), textKey, value),
};
type TableName = keyof typeof row;
const tableNames = Object.keys(row) as TableName[];

const inserts: Record<TableName, string> = {
  plain: 'INSERT INTO plain VALUES (?, ?)',
  users: 'INSERT OR REPLACE INTO users (id, name, score, avatar) VALUES (?, ?, ?, ?)',
  slugs: 'INSERT OR REPLACE INTO slugs VALUES (?, ?)',
  pairs: 'INSERT OR REPLACE INTO pairs VALUES (?, ?, ?)',
};

const operation = fc.oneof(
  ...tableNames.map((table) =>
    fc.record({
      kind: fc.constant('insert' as const),
      table: fc.constant(table),
      values: row[table] as fc.Arbitrary<unknown[]>,
    }),
  ),
  fc.record({
    kind: fc.constant('delete' as const),
    table: fc.constantFrom(...tableNames),
    pick: fc.integer({ min: 0, max: 30 }),
  }),
  fc.record({
    kind: fc.constant('update' as const),
    table: fc.constantFrom(...tableNames),
    pick: fc.integer({ min: 0, max: 30 }),
    values: value,
  }),
);

const updates: Record<TableName, string> = { plain: 'b', users: 'score', slugs: 'title', pairs: 'v' };

type Operation = { kind: string; table: TableName; values?: unknown; pick?: number };

function apply(db: Database.Database, ops: readonly Operation[]): void {
  for (const op of ops) {
    const nth = `(SELECT rowid FROM ${op.table} LIMIT 1 OFFSET ${op.pick ?? 0})`;
    const byKey =
      op.table === 'pairs'
        ? `(x, y) IN (SELECT x, y FROM pairs LIMIT 1 OFFSET ${op.pick ?? 0})`
        : `rowid = ${nth}`;
    if (op.kind === 'insert') db.prepare(inserts[op.table]).run(...(op.values as unknown[]));
    if (op.kind === 'delete') db.prepare(`DELETE FROM ${op.table} WHERE ${byKey}`).run();
    if (op.kind === 'update')
      db.prepare(`UPDATE ${op.table} SET ${updates[op.table]} = ? WHERE ${byKey}`).run(op.values);
  }
}

/** sqldiff's summary: per table, changes, inserts and deletes. */
function reference(a: string, b: string): Map<string, { changed: number; added: number; deleted: number }> {
  const out = execFileSync(sqldiff, ['--primarykey', '--summary', a, b], { encoding: 'utf8' });
  const counts = new Map<string, { changed: number; added: number; deleted: number }>();
  for (const line of out.split('\n')) {
    const m = /^(\w+): (\d+) changes, (\d+) inserts, (\d+) deletes/.exec(line);
    if (m !== null)
      counts.set(m[1] ?? '', { changed: Number(m[2]), added: Number(m[3]), deleted: Number(m[4]) });
  }
  return counts;
}

describe('SQLite values', () => {
  it('order as SQLite orders them, and are equal when SQLite says IS', () => {
    const values: SqliteValue[] = [
      null,
      3n,
      2.5,
      -1n,
      9007199254740993n,
      'b',
      'a',
      '\uE000',
      '😀',
      '\uFFFD',
      'é',
      '',
      Buffer.from([1]),
      Buffer.from([0, 2]),
      1n,
      1.0,
      'A',
    ];
    const db = new Database(':memory:');
    db.exec('CREATE TABLE v (i INTEGER PRIMARY KEY, x)');
    const insert = db.prepare('INSERT INTO v (i, x) VALUES (?, ?)');
    values.forEach((v, i) => insert.run(i, v));
    const bySqlite = db.prepare('SELECT i FROM v ORDER BY x, i').pluck().all() as number[];
    const byUs = values
      .map((v, i) => ({ v, i }))
      .sort((p, q) => compareValues(p.v, q.v) || p.i - q.i)
      .map((p) => p.i);
    assert.deepEqual(byUs, bySqlite);
    for (const [i, x] of values.entries()) {
      for (const [j, y] of values.entries()) {
        const same =
          db
            .prepare('SELECT (SELECT x FROM v WHERE i = ?) IS (SELECT x FROM v WHERE i = ?)')
            .pluck()
            .get(i, j) === 1;
        assert.equal(sameValue(x, y), same, `${String(x)} IS ${String(y)}`);
      }
    }
    db.close();
  });
});

describe('diff', { skip }, () => {
  const temp = makeTempDir();
  after(() => temp.cleanup());
  let n = 0;

  it('agrees with sqldiff on hundreds of generated pairs, for every kind of key and value, with and without a schema change', () => {
    fc.assert(
      fc.property(
        fc.array(operation, { maxLength: 40 }),
        fc.array(operation, { maxLength: 25 }),
        fc.boolean(),
        (before, between, alter) => {
          n += 1;
          const a = path.join(temp.dir, `a${n}.db`);
          const b = path.join(temp.dir, `b${n}.db`);
          const db = new Database(a);
          db.exec(schema);
          apply(db, before);
          db.close();
          fs.copyFileSync(a, b);
          const other = new Database(b);
          if (alter) {
            // A migration between the two: a new column (compared on the columns both have).
            other.exec('ALTER TABLE users ADD COLUMN nickname TEXT');
          }
          apply(other, between);
          other.close();
          const result = diffDatabases(
            { a: { kind: 'snapshot', path: a }, b: { kind: 'snapshot', path: b } },
            quiet,
          );
          const expected = reference(a, b);
          for (const table of result.tables) {
            const want = expected.get(table.name) ?? { changed: 0, added: 0, deleted: 0 };
            assert.deepEqual(
              { changed: table.changed, added: table.added, deleted: table.deleted },
              want,
              `${table.name} in pair ${n}`,
            );
          }
          fs.rmSync(a);
          fs.rmSync(b);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('names the changed columns and keeps the old and new values; schema changes and dropped tables are listed', () => {
    const a = path.join(temp.dir, 'shop-a.db');
    const b = path.join(temp.dir, 'shop-b.db');
    const db = new Database(a);
    db.exec(
      "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT, total REAL); CREATE TABLE old_notes (t); INSERT INTO old_notes VALUES ('x'), ('y');",
    );
    db.prepare('INSERT INTO orders (customer, total) VALUES (?, ?)').run('Ada', 12.5);
    db.prepare('INSERT INTO orders (customer, total) VALUES (?, ?)').run('Bob', 99);
    db.close();
    fs.copyFileSync(a, b);
    const other = new Database(b);
    other.exec(
      'UPDATE orders SET total = 15 WHERE id = 1; DELETE FROM orders WHERE id = 2; DROP TABLE old_notes; ALTER TABLE orders ADD COLUMN paid INTEGER; CREATE TABLE refunds (id INTEGER PRIMARY KEY); INSERT INTO refunds VALUES (1);',
    );
    other.close();
    const result = diffDatabases(
      { a: { kind: 'snapshot', path: a }, b: { kind: 'snapshot', path: b } },
      quiet,
    );
    const orders = result.tables.find((t) => t.name === 'orders');
    assert.deepEqual(orders?.samples.changed, [
      { key: [1], before: [1, 'Ada', 12.5], after: [1, 'Ada', 15], changedColumns: ['total'] },
    ]);
    assert.deepEqual(
      orders?.samples.deleted.map((r) => r.before),
      [[2, 'Bob', 99]],
    );
    assert.match(orders?.note ?? '', /only one of them are not compared: paid/);
    assert.deepEqual(result.tables.find((t) => t.name === 'old_notes')?.deleted, 2);
    assert.equal(result.tables.find((t) => t.name === 'refunds')?.presence, 'only-b');
    assert.deepEqual(result.schema.map((s) => [s.name, s.change]).sort(), [
      ['old_notes', 'only-a'],
      ['orders', 'changed'],
      ['refunds', 'only-b'],
    ]);
    assert.deepEqual(result.totals, { added: 1, changed: 1, deleted: 3 });
  });

  it('compares FTS documents by rowid and leaves its shadow tables out; lifeboat diff compares a snapshot with the live database', () => {
    const dir = path.join(temp.dir, 'notes');
    fs.mkdirSync(dir);
    const live = path.join(dir, 'notes.db');
    const db = new Database(live);
    db.exec(
      "PRAGMA journal_mode=WAL; CREATE VIRTUAL TABLE docs USING fts5(body); INSERT INTO docs VALUES ('first'), ('second');",
    );
    assert.equal(lifeboat(['backup', '--db', live], dir).code, 0);
    db.exec("DELETE FROM docs WHERE rowid = 1; INSERT INTO docs VALUES ('third');");
    const [snapshot] = fs.readdirSync(path.join(dir, 'backups')).filter((f) => f.endsWith('.db'));
    const run = lifeboat(['diff', snapshot ?? '', 'live', '--db', live, '--json'], dir);
    db.close();
    assert.equal(run.code, 0, run.stderr);
    const result = run.json<DiffResult>();
    assert.deepEqual(
      result.tables.map((t) => t.name),
      ['docs'],
    );
    assert.deepEqual([result.tables[0]?.added, result.tables[0]?.deleted], [1, 1]);
    const human = lifeboat(['diff', snapshot ?? '', 'live', '--db', live], dir);
    assert.match(
      human.stdout,
      /docs: A virtual table, matched by rowid\.\n {2}- rowid=1: body='first'\n {2}\+ rowid=3: body='third'/,
    );
  });

  it('two snapshots compared page by page first give what reading every row gives, and sqldiff: deep trees, overflow rows, freed pages', () => {
    const a = path.join(temp.dir, 'deep-a.db');
    const db = new Database(a);
    db.exec(`
      CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT, body TEXT);
      CREATE TABLE docs (slug TEXT PRIMARY KEY, body TEXT);
      CREATE TABLE log (line TEXT);
      WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 60000)
        INSERT INTO events SELECT i, 'k' || (i % 7), hex(randomblob(40 + i % 30)) FROM c;
      WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 300)
        INSERT INTO docs SELECT 'doc-' || i, hex(randomblob(3000 + i * 7)) FROM c;
      WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 20000)
        INSERT INTO log SELECT 'line ' || i FROM c;
      CREATE TABLE big (id INTEGER PRIMARY KEY, payload BLOB);
      WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 120)
        INSERT INTO big SELECT i, randomblob(9000) FROM c;
    `);
    db.close();
    const b = path.join(temp.dir, 'deep-b.db');
    fs.copyFileSync(a, b);
    const other = new Database(b);
    other.exec(`
      UPDATE events SET kind = 'changed' WHERE id % 997 = 0;
      DELETE FROM events WHERE id BETWEEN 30000 AND 30400;
      INSERT INTO events (kind, body) VALUES ('new', 'x'), ('new', 'y');
      UPDATE docs SET body = upper(body) WHERE slug IN ('doc-5', 'doc-150');
      DELETE FROM log WHERE rowid % 5000 = 1;
      UPDATE big SET payload = zeroblob(9000) WHERE id = 60;
      UPDATE big SET payload = randomblob(9000) WHERE id = 61;
      -- Only the spilled tail changes: SQLite rewrites the overflow page in place and the leaf stays the same.
      UPDATE big SET payload = CAST(substr(payload, 1, 6000) || zeroblob(3000) AS BLOB) WHERE id = 100;
    `);
    other.close();
    const sides = { a: { kind: 'snapshot' as const, path: a }, b: { kind: 'snapshot' as const, path: b } };
    const fast = diffDatabases(sides, quiet);
    const slow = diffDatabases({ ...sides, pageSkip: false }, quiet);
    assert.deepEqual(fast, slow);
    const expected = reference(a, b);
    for (const table of fast.tables) {
      assert.deepEqual(
        { changed: table.changed, added: table.added, deleted: table.deleted },
        expected.get(table.name) ?? { changed: 0, added: 0, deleted: 0 },
        table.name,
      );
    }
    assert.deepEqual(fast.tables.find((t) => t.name === 'big')?.changed, 3);
    assert.deepEqual(fast.tables.find((t) => t.name === 'events')?.deleted, 401);
  });

  it('runs as a cancellable job', async () => {
    const a = path.join(temp.dir, 'big-a.db');
    const db = new Database(a);
    db.exec(
      'CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 400000) INSERT INTO t SELECT i, hex(randomblob(16)) FROM c;',
    );
    db.close();
    const b = path.join(temp.dir, 'big-b.db');
    fs.copyFileSync(a, b);
    // Every page differs, so every row is read and compared.
    const other = new Database(b);
    other.exec("UPDATE t SET v = v || 'x'");
    other.close();
    const job: { handle?: JobHandle<DiffResult> } = {};
    job.handle = startJob(
      { kind: 'diff', input: { a: { kind: 'snapshot', path: a }, b: { kind: 'snapshot', path: b } } },
      (progress) => {
        if (progress.phase === 'Comparing rows' && progress.fraction > 0) job.handle?.cancel();
      },
    );
    const outcome = await job.handle.result;
    assert.ok(!outcome.ok && outcome.error.code === 'CANCELLED', JSON.stringify(outcome));
  });
});
