import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { lifeboat } from '../testing/cli-run';
import { createLiveDatabase, makeTempDir } from '../testing/fixtures';
import { giveToAppUser, hostileUserSkip, runAsAppUser } from '../testing/hostile-user';
import { activityLine, appendActivity, readActivity } from './activity/activity-log';

/**
 * Lifeboat run as root against folders the app's user owns (issue 10): every file there is the app
 * user's to shape, and none of them may steer what root does. The attacker is the real user `nobody`.
 */
describe('files the app user controls, with Lifeboat run as root', { skip: hostileUserSkip }, () => {
  let temp: { dir: string; cleanup: () => void };
  let app: string;
  let secret: string;
  const secretText = 'root only\n';
  before(() => {
    temp = makeTempDir();
    app = path.join(temp.dir, 'app');
    fs.mkdirSync(app);
    giveToAppUser(temp.dir, app);
    // A file only root may read or write, in a folder only root may change.
    const vault = path.join(temp.dir, 'vault');
    fs.mkdirSync(vault, { mode: 0o700 });
    secret = path.join(vault, 'secret');
    fs.writeFileSync(secret, secretText, { mode: 0o600 });
  });
  after(() => temp.cleanup());

  /** A fresh app folder with a live database, both the app user's; its backups folder beside it. */
  function appFolder(name: string): { dir: string; db: string; backups: string } {
    const dir = path.join(app, name);
    fs.mkdirSync(dir);
    const db = path.join(dir, 'app.db');
    createLiveDatabase(db, 'wal', 64 * 1024);
    const backups = path.join(dir, 'backups');
    fs.mkdirSync(path.join(backups, '.lifeboat'), { recursive: true });
    giveToAppUser(dir, db, backups, path.join(backups, '.lifeboat'));
    return { dir, db, backups };
  }

  function assertSecretUntouched(): void {
    const stat = fs.statSync(secret);
    assert.equal(fs.readFileSync(secret, 'utf8'), secretText);
    assert.deepEqual([stat.uid, stat.mode & 0o777], [0, 0o600]);
  }

  it('H2: root appends nothing through a linked activity log, and a FIFO in its place blocks nothing', () => {
    const linked = appFolder('activity-link');
    const missing = path.join(temp.dir, 'vault', 'created-by-root');
    runAsAppUser(`require('fs').symlinkSync(process.argv[1], process.argv[2])`, secret, path.join(linked.backups, '.lifeboat', 'activity.jsonl'));
    const backup = lifeboat(['backup', 'nightly', '--db', linked.db, '--json'], linked.dir);
    assert.equal(backup.code, 0, backup.stderr);
    assertSecretUntouched();
    fs.rmSync(path.join(linked.backups, '.lifeboat', 'activity.jsonl'));
    runAsAppUser(`require('fs').symlinkSync(process.argv[1], process.argv[2])`, missing, path.join(linked.backups, '.lifeboat', 'activity.jsonl'));
    assert.equal(lifeboat(['backup', '--db', linked.db, '--json'], linked.dir).code, 0);
    assert.equal(fs.existsSync(missing), false, 'root created the file the link names');

    const fifo = appFolder('activity-fifo');
    runAsAppUser(`require('child_process').execFileSync('mkfifo', [process.argv[1]])`, path.join(fifo.backups, '.lifeboat', 'activity.jsonl'));
    const blocked = lifeboat(['backup', '--db', fifo.db, '--json'], fifo.dir);
    assert.equal(blocked.signal, null, 'the backup hung on the FIFO');
    assert.equal(blocked.code, 0, blocked.stderr);
    assert.deepEqual(readActivity(fifo.backups), []);
  });

  it('H2: names the app user chose are written as one line of printable ASCII', () => {
    const name = 'x$(id>proof)\n{"forged":1}\u2028\u001b[31m.db';
    const line = activityLine({ at: new Date(0).toISOString(), action: 'snapshot', database: '/srv/app.db', target: name, outcome: 'ok', detail: 'd', origin: 'cli' });
    assert.match(line, /^[\x20-\x7e]*\n$/);
    const dir = path.join(temp.dir, 'escaped');
    appendActivity(dir, JSON.parse(line) as Parameters<typeof appendActivity>[1]);
    assert.equal(readActivity(dir)[0]?.target, name);
  });

  it('M4: records that are links to /dev/zero or FIFOs are treated as missing, not read', () => {
    const folder = appFolder('records');
    assert.equal(lifeboat(['backup', '--db', folder.db, '--json'], folder.dir).code, 0);
    const [snapshot] = fs.readdirSync(folder.backups).filter((n) => n.endsWith('.db'));
    assert.ok(snapshot !== undefined);
    const recordsDir = path.join(folder.backups, '.lifeboat');
    fs.rmSync(path.join(recordsDir, `${snapshot}.json`));
    runAsAppUser(`require('fs').symlinkSync('/dev/zero', process.argv[1])`, path.join(recordsDir, `${snapshot}.json`));
    fs.copyFileSync(path.join(folder.backups, snapshot), path.join(folder.backups, 'other.db'));
    runAsAppUser(`require('child_process').execFileSync('mkfifo', [process.argv[1]])`, path.join(recordsDir, 'other.db.json'));
    for (const verb of ['list', 'info']) {
      const run = lifeboat([verb, '--db', folder.db, '--json'], folder.dir);
      assert.equal(run.signal, null, `${verb} hung`);
      assert.equal(run.code, 0, run.stderr);
    }
    const listed = lifeboat(['list', '--db', folder.db, '--json'], folder.dir).json<{ snapshots: { file: string; status: string }[] }>();
    assert.deepEqual(listed.snapshots.map((s) => s.status).sort(), ['unverified', 'unverified']);
  });
});
