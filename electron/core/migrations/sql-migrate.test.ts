import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { contentDigest, makeTempDir } from '../../testing/fixtures';
import { unwatchedControl } from '../job-control';
import { runSqlMigrations } from './sql-migrate';
import { transactionControlStatements } from './sql-transaction-control';

describe('lifeboat migrate: numbered SQL files, each in one transaction', () => {
  let temp: { dir: string; cleanup: () => void };
  before(() => {
    temp = makeTempDir();
  });
  after(() => temp.cleanup());

  function project(name: string, files: Record<string, string>): { dir: string; db: string } {
    const dir = path.join(temp.dir, name, 'migrations');
    fs.mkdirSync(dir, { recursive: true });
    for (const [file, sql] of Object.entries(files)) {
      fs.writeFileSync(path.join(dir, file), sql);
    }
    return { dir, db: path.join(temp.dir, name, 'app.db') };
  }

  it('applies pending migrations in order, tracked by user_version, and does nothing the second time', () => {
    const { dir, db } = project('ok', {
      '001_users.sql':
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('ada');",
      '002_posts.sql':
        'CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER);\nCREATE TRIGGER posts_count AFTER INSERT ON posts BEGIN UPDATE users SET name = CASE WHEN name IS NULL THEN name ELSE name END; END;',
      '010_index.sql': 'CREATE INDEX posts_user ON posts(user_id);',
    });
    const first = runSqlMigrations({ databasePath: db, migrationsDir: dir }, unwatchedControl);
    assert.deepEqual(
      first.applied.map((a) => a.version),
      ['1', '2', '10'],
    );
    assert.equal(first.failed, null);
    assert.equal(first.current, '10');
    const handle = new Database(db, { readonly: true });
    assert.equal(handle.pragma('user_version', { simple: true }), 10);
    handle.close();
    const again = runSqlMigrations({ databasePath: db, migrationsDir: dir }, unwatchedControl);
    assert.deepEqual(again.applied, []);
    assert.equal(again.alreadyApplied, 3);
  });

  it('rolls back a migration that fails half-way: nothing of it stays, the earlier ones do', () => {
    const { dir, db } = project('broken', {
      '001_users.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY);',
      '002_half.sql':
        'ALTER TABLE users ADD COLUMN email TEXT;\nCREATE TABLE audit (id INTEGER);\nINSERT INTO no_such_table VALUES (1);',
      '003_later.sql': 'CREATE TABLE later (id INTEGER);',
    });
    runSqlMigrations({ databasePath: db, migrationsDir: dir }, { ...unwatchedControl });
    const handle = new Database(db, { readonly: true });
    const columns = handle.prepare("SELECT name FROM pragma_table_info('users')").pluck().all();
    const tables = handle
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    const version = handle.pragma('user_version', { simple: true });
    handle.close();
    assert.deepEqual(columns, ['id'], 'the ALTER of the failed migration was rolled back');
    assert.deepEqual(tables, ['users'], 'neither its CREATE nor a later migration ran');
    assert.equal(version, 1);
    const result = runSqlMigrations({ databasePath: db, migrationsDir: dir }, unwatchedControl);
    assert.equal(result.failed?.file, '002_half.sql');
    assert.equal(result.failed?.error.code, 'MIGRATION_FAILED');
    assert.match(result.failed?.error.message ?? '', /rolled back: no such table: no_such_table/);
  });

  it('refuses a script that manages its own transaction, before running any of it', () => {
    const { dir, db } = project('selfcommit', {
      '001_users.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY);',
      '002_commits.sql': 'BEGIN;\nCREATE TABLE a (id INTEGER);\nCOMMIT;\nCREATE TABLE b (x);',
    });
    const before = runSqlMigrations({ databasePath: db, migrationsDir: path.join(dir) }, unwatchedControl);
    assert.equal(before.failed?.file, '002_commits.sql');
    assert.match(before.failed?.error.message ?? '', /BEGIN, COMMIT/);
    const digest = contentDigest(db);
    runSqlMigrations({ databasePath: db, migrationsDir: dir }, unwatchedControl);
    assert.equal(contentDigest(db), digest);
  });

  it('tracks in a table when asked, for timestamped names user_version cannot hold', () => {
    const { dir, db } = project('table', {
      '20240101120000_users.sql': 'CREATE TABLE users (id INTEGER);',
      '20240102120000_posts.sql': 'CREATE TABLE posts (id INTEGER);',
    });
    assert.match(
      runSqlMigrations({ databasePath: db, migrationsDir: dir }, unwatchedControl).failed?.error.message ??
        '',
      /does not fit in PRAGMA user_version/,
    );
    const result = runSqlMigrations(
      { databasePath: db, migrationsDir: dir, versionTable: 'schema_version' },
      unwatchedControl,
    );
    assert.deepEqual(
      result.applied.map((a) => a.version),
      ['20240101120000', '20240102120000'],
    );
    const handle = new Database(db, { readonly: true });
    assert.deepEqual(
      handle.prepare('SELECT version FROM schema_version ORDER BY version').pluck().all(),
      [20240101120000, 20240102120000],
    );
    handle.close();
  });

  it('tells transaction statements from trigger bodies, CASE expressions, comments and strings', () => {
    assert.deepEqual(
      transactionControlStatements(
        'CREATE TRIGGER t AFTER INSERT ON x BEGIN UPDATE y SET a = CASE WHEN 1 THEN 2 END; END; SELECT 1;',
      ),
      [],
    );
    assert.deepEqual(
      transactionControlStatements("-- BEGIN;\n/* COMMIT; */ INSERT INTO t VALUES ('BEGIN; COMMIT;');"),
      [],
    );
    assert.deepEqual(transactionControlStatements('BEGIN IMMEDIATE; CREATE TABLE x (a); COMMIT;'), [
      'BEGIN',
      'COMMIT',
    ]);
    assert.deepEqual(
      transactionControlStatements('create table a(x); end transaction; savepoint s; release s;'),
      ['END', 'SAVEPOINT', 'RELEASE'],
    );
  });
});
