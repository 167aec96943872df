import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { applyDieselMigrations, openDieselDatabase } from '../../testing/diesel-database';
import { makeTempDir } from '../../testing/fixtures';
import { createdSnapshotPath } from '../../testing/run-job';
import { startJob } from '../jobs/job-runner';
import { statusAgainstLive } from './live-reference';
import { migrationReport } from './migration-reader';
import type { Recorded } from './recorded-migrations';

const recorded = (ids: string[], extra: Partial<Recorded> = {}): Recorded => ({
  tool: 'diesel',
  applied: ids.map((id) => ({ id, name: null, appliedAt: null })),
  positionOnly: false,
  failed: [],
  dirty: [],
  locked: false,
  ...extra,
});

describe('a snapshot against the live database, when the code is not at hand', () => {
  it('same as live, N behind (naming them), ahead, unknown to live', () => {
    const live = recorded(['1', '2', '3']);
    assert.deepEqual(
      [
        statusAgainstLive(recorded(['1', '2', '3']), live)?.badge,
        statusAgainstLive(recorded(['1', '2', '3']), live)?.status,
      ],
      ['same as live', 'at-head'],
    );
    const behind = statusAgainstLive(recorded(['1']), live);
    assert.equal(behind?.status, 'behind');
    assert.equal(behind?.badge, '2 behind live');
    assert.deepEqual(behind?.pending, ['2', '3']);
    assert.match(behind?.summary ?? '', /2 migrations the snapshot lacks: 2, 3/);
    assert.equal(behind?.revision, '1');
    assert.equal(behind?.reference, 'live');
    assert.equal(statusAgainstLive(recorded(['1', '2', '3', '4']), live)?.badge, 'ahead of live');
    assert.equal(statusAgainstLive(recorded(['1', '9']), live)?.badge, 'unknown to live');
  });

  it('apps that record one schema number compare the numbers', () => {
    const at = (n: string): Recorded => ({ ...recorded([n]), tool: 'home-assistant', positionOnly: true });
    assert.equal(statusAgainstLive(at('48'), at('48'))?.badge, 'same as live');
    assert.equal(statusAgainstLive(at('43'), at('48'))?.badge, 'behind live');
    assert.equal(statusAgainstLive(at('50'), at('48'))?.status, 'ahead');
    const memos = (v: string): Recorded => ({ ...recorded([v]), tool: 'memos', positionOnly: true });
    assert.equal(
      statusAgainstLive(memos('0.9.1'), memos('0.18.0'))?.status,
      'behind',
      '0.9 is older than 0.18',
    );
  });

  it('says what the tool flagged, and when the two records are of different tools', () => {
    assert.equal(statusAgainstLive(recorded(['1'], { failed: ['2'] }), recorded(['1']))?.status, 'failed');
    assert.equal(
      statusAgainstLive({ ...recorded(['1']), tool: 'goose' }, recorded(['1']))?.status,
      'unknown-revision',
    );
    assert.equal(statusAgainstLive(null, recorded(['1']))?.status, 'unstamped');
    assert.equal(statusAgainstLive(recorded(['1']), null)?.status, 'recorded');
    assert.equal(statusAgainstLive(null, null), null);
  });
});

/** An app in a container (Vaultwarden-like: Diesel, migrations compiled in): only its database is on the host. */
describe('listing the snapshots of an app whose migrations are not at hand', () => {
  let temp: { dir: string; cleanup: () => void };
  before(() => {
    temp = makeTempDir();
  });
  after(() => temp.cleanup());

  it('compares each snapshot with the live database and says so', async () => {
    const appDir = path.join(temp.dir, 'vw-data');
    fs.mkdirSync(appDir);
    const databasePath = path.join(appDir, 'db.sqlite3');
    const backupsDir = path.join(appDir, 'backups');
    const db = openDieselDatabase(databasePath, ['20180114171611', '20180217205753']);
    const older = await createdSnapshotPath({ databasePath, backupsDir }, 'before-upgrade');
    // The app upgrades itself on start: two more migrations.
    applyDieselMigrations(
      db,
      ['20210315163412', '20240313101500'],
      'CREATE TABLE sends (uuid TEXT PRIMARY KEY)',
    );
    const newer = await createdSnapshotPath({ databasePath, backupsDir }, 'after-upgrade');
    db.close();
    const list = await startJob({
      kind: 'list',
      input: { location: { databasePath, backupsDir }, setup: { appDirs: [appDir] } },
    }).result;
    assert.ok(list.ok, list.ok ? '' : list.error.message);
    const cell = (file: string) => list.value.snapshots.find((s) => s.path === file)?.migration;
    assert.deepEqual(
      [cell(newer)?.reference, cell(newer)?.tool, cell(newer)?.revision, cell(newer)?.badge],
      ['live', 'diesel', '20240313101500', 'same as live'],
    );
    assert.deepEqual(
      [cell(older)?.revision, cell(older)?.badge, cell(older)?.pending],
      ['20180217205753', '2 behind live', ['20210315163412', '20240313101500']],
    );
    const report = migrationReport(databasePath, { appDirs: [appDir] });
    assert.equal(report?.status.reference, 'live');
    assert.equal(report?.status.status, 'recorded');
    assert.match(report?.status.summary ?? '', /Diesel records 4 migrations, the newest 20240313101500/);
    assert.deepEqual(
      report?.graph.revisions.map((r) => r.id),
      ['20180114171611', '20180217205753', '20210315163412', '20240313101500'],
    );
  });
});
