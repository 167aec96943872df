import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeTempDir } from '../../testing/fixtures';
import { migrationReport } from './migration-reader';

/** Naming the app from its tables' shape (never its path), with and without its bookkeeping. */
describe('known apps, recognised by their tables', () => {
  let temp: { dir: string; cleanup: () => void };
  before(() => {
    temp = makeTempDir();
  });
  after(() => temp.cleanup());

  function report(name: string, schema: string): ReturnType<typeof migrationReport> {
    // A folder named after nothing, and an empty app folder: only the tables can tell.
    const dir = path.join(temp.dir, name);
    fs.mkdirSync(path.join(dir, 'app'), { recursive: true });
    const db = path.join(dir, 'db.sqlite3');
    const handle = new Database(db);
    handle.exec(schema);
    handle.close();
    return migrationReport(db, { appDirs: [path.join(dir, 'app')] });
  }

  const recorder =
    'CREATE TABLE states (state_id INTEGER PRIMARY KEY, state VARCHAR(255), metadata_id INTEGER); CREATE TABLE events (event_id INTEGER PRIMARY KEY, event_type_id INTEGER); CREATE TABLE recorder_runs (run_id INTEGER PRIMARY KEY, start DATETIME NOT NULL, "end" DATETIME, closed_incorrect BOOLEAN NOT NULL, created DATETIME NOT NULL);';

  it('a known app without its bookkeeping is named and unstamped (was "no migrations found")', () => {
    const found = report('no-record', recorder);
    assert.equal(found?.app, 'Home Assistant');
    assert.equal(found?.status.status, 'unstamped');
    assert.equal(found?.status.tool, 'home-assistant');
    assert.match(found?.status.summary ?? '', /Home Assistant's \(states, events, recorder_runs\)/);
  });

  it('a known app with its bookkeeping is named beside what it records', () => {
    const found = report(
      'recorded',
      `${recorder} CREATE TABLE schema_changes (change_id INTEGER PRIMARY KEY, schema_version INTEGER, changed DATETIME NOT NULL); INSERT INTO schema_changes VALUES (1, 41, '2026-01-01'), (2, 42, '2026-02-01');`,
    );
    assert.equal(found?.app, 'Home Assistant');
    assert.equal(found?.status.revision, '42');
  });

  it('tables of the same names in another shape are no known app', () => {
    assert.equal(
      report(
        'look-alike',
        'CREATE TABLE states (id INTEGER); CREATE TABLE events (id INTEGER); CREATE TABLE recorder_runs (id INTEGER);',
      ),
      null,
    );
  });
});
