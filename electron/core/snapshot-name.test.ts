import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import {
  databaseStem,
  formatNameTime,
  parseSnapshotName,
  sanitizeSlug,
  snapshotFileName,
} from './snapshot-name';

describe('snapshot names', () => {
  it('produces <stem>-YYYYMMDD-HHMMSS-<slug>.db in local time', () => {
    const date = new Date(2026, 0, 2, 3, 4, 5);
    assert.equal(snapshotFileName('app.db', date, 'before-upgrade'), 'app-20260102-030405-before-upgrade.db');
    assert.equal(snapshotFileName('data.sqlite3', date, 'manual', 2), 'data-20260102-030405-manual-2.db');
  });

  it('parses what it produces back to the same time and label', () => {
    const date = new Date(2026, 10, 21, 23, 59, 58);
    const parsed = parseSnapshotName(snapshotFileName('my-app.db', date, 'nightly'));
    assert.equal(parsed.convention, 'lifeboat');
    assert.equal(parsed.stem, 'my-app');
    assert.equal(parsed.label, 'nightly');
    assert.equal(parsed.time?.getTime(), date.getTime());
  });

  it('parses a name made by a shell backup script with date(1)', () => {
    const name = execFileSync('bash', ['-c', 'echo "app-$(date +%Y%m%d-%H%M%S)-pre-deploy.db"'], {
      encoding: 'utf8',
    }).trim();
    const before = Date.now();
    const parsed = parseSnapshotName(name);
    assert.equal(parsed.convention, 'lifeboat');
    assert.equal(parsed.label, 'pre-deploy');
    assert.ok(
      parsed.time !== null && Math.abs(parsed.time.getTime() - before) < 5000,
      `time ${String(parsed.time)} is now`,
    );
    assert.equal(formatNameTime(parsed.time), name.slice(4, 19));
  });

  it('reads other conventions: time from the name, label from the rest', () => {
    const parsed = parseSnapshotName('app.db.pre-deploy-20260101-120000', 'app');
    assert.equal(parsed.convention, 'other');
    assert.equal(parsed.label, 'pre-deploy');
    assert.equal(parsed.time?.getTime(), new Date(2026, 0, 1, 12, 0, 0).getTime());
    const iso = parseSnapshotName('backup_2025-12-31T23:15:00.sqlite', 'app');
    assert.equal(iso.time?.getTime(), new Date(2025, 11, 31, 23, 15, 0).getTime());
    const byHand = parseSnapshotName('copy of app.db', 'app');
    assert.equal(byHand.time, null);
    assert.equal(byHand.label, 'copy of');
  });

  it('rejects impossible dates in names', () => {
    assert.equal(parseSnapshotName('app-20261340-250000-x.db').convention, 'other');
    assert.equal(parseSnapshotName('app-20261340-250000-x.db').time, null);
  });

  it('keeps stems with dashes and digits whole', () => {
    const parsed = parseSnapshotName('my-app-2-20260102-030405-manual.db');
    assert.equal(parsed.stem, 'my-app-2');
    assert.equal(parsed.label, 'manual');
  });

  it('sanitises any reason to [A-Za-z0-9-] so it cannot leave the folder', () => {
    assert.equal(sanitizeSlug('../../etc/passwd'), 'etc-passwd');
    assert.equal(sanitizeSlug('before upgrade!'), 'before-upgrade');
    assert.equal(sanitizeSlug('Übernahme café'), 'Ubernahme-cafe');
    assert.equal(sanitizeSlug('///'), 'manual');
    assert.equal(sanitizeSlug(undefined), 'manual');
    assert.equal(sanitizeSlug(''), 'manual');
    assert.equal(sanitizeSlug('日本'), 'manual');
    assert.equal(sanitizeSlug('a'.repeat(200)).length, 64);
    for (const hostile of ['..', '/', '\\', 'a/../../b', 'x\0y', 'new\nline']) {
      assert.match(sanitizeSlug(hostile), /^[A-Za-z0-9-]+$/);
    }
  });

  it('takes the stem from the live file name', () => {
    assert.equal(databaseStem('app.db'), 'app');
    assert.equal(databaseStem('app.prod.sqlite3'), 'app.prod');
    assert.equal(databaseStem('app'), 'app');
    assert.equal(databaseStem('.hidden'), '.hidden');
  });
});
