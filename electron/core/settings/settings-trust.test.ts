import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { lifeboat } from '../../testing/cli-run';
import { createLiveDatabase, makeTempDir } from '../../testing/fixtures';
import { appUser, giveToAppUser, hostileUserSkip, runAsAppUser } from '../../testing/hostile-user';
import { readAppSettings } from './app-settings-file';

/**
 * A lifeboat.json makes Lifeboat act (run commands, delete snapshots, send data away), so it is taken
 * only when no one but Lifeboat's user or root can change it or a folder above it: as root, with the
 * app's user played by the real user nobody.
 */
describe('which lifeboat.json Lifeboat acts on, run as root', { skip: hostileUserSkip }, () => {
  let temp: { dir: string; cleanup: () => void };
  const settings = JSON.stringify({ database: 'app.db', schedule: { every: '6h' } });
  before(() => {
    temp = makeTempDir();
    // The app user must be able to reach its folders, as on a server: /tmp → temp (root's, 0755) → ….
    fs.chmodSync(temp.dir, 0o755);
  });
  after(() => temp.cleanup());

  function folder(name: string, owner: 'root' | 'app' = 'root'): string {
    const dir = path.join(temp.dir, name);
    fs.mkdirSync(dir, { mode: 0o755 });
    if (owner === 'app') {
      giveToAppUser(dir);
    }
    return dir;
  }

  it("takes root's own file in root's folders, below /tmp (root's, sticky)", () => {
    const dir = folder('own');
    fs.writeFileSync(path.join(dir, 'lifeboat.json'), settings, { mode: 0o644 });
    const read = readAppSettings(dir);
    assert.equal(read.ignored, null);
    assert.deepEqual(read.file?.schedule, { every: '6h' });
  });

  it("ignores a file the app's user owns, and says whose it is", () => {
    const dir = folder('theirs');
    const file = path.join(dir, 'lifeboat.json');
    fs.writeFileSync(file, settings);
    giveToAppUser(file);
    const read = readAppSettings(dir);
    assert.equal(read.file, null);
    assert.equal(read.ignored?.path, file);
    assert.equal(read.ignored?.reason, `it is owned by uid ${appUser.uid}`);
  });

  it("ignores root's file in the app user's folder: that user replaces it at will", () => {
    const dir = folder('their-folder', 'app');
    const file = path.join(dir, 'lifeboat.json');
    fs.writeFileSync(file, settings, { mode: 0o644 });
    assert.equal(readAppSettings(dir).ignored?.reason, `its folder ${dir} is owned by uid ${appUser.uid}`);
    // What the rule is for: the app's user, not root, swaps in a file that would run a command as root.
    runAsAppUser(
      `const fs = require('fs'); fs.renameSync(process.argv[1], process.argv[1] + '.old');
       fs.writeFileSync(process.argv[1], JSON.stringify({ database: 'app.db', run: { preset: 'commands', stop: { shell: 'touch /tmp/pwned' } } }));`,
      file,
    );
    const read = readAppSettings(dir);
    assert.equal(read.file, null, 'nothing of the swapped file is taken');
    assert.match(read.ignored?.reason ?? '', /owned by uid 65534/);
  });

  it('ignores a file under a folder above the app folder that the app user owns', () => {
    const outer = folder('outer', 'app');
    const dir = path.join(outer, 'app');
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'lifeboat.json'), settings, { mode: 0o644 });
    // The app user could rename `app` away and put a folder of its own in its place.
    assert.equal(readAppSettings(dir).ignored?.reason, `its folder ${outer} is owned by uid ${appUser.uid}`);
  });

  it('ignores a file or folder that others may write, but not one only root’s group may', () => {
    const dir = folder('modes');
    const file = path.join(dir, 'lifeboat.json');
    fs.writeFileSync(file, settings);
    fs.chmodSync(file, 0o666);
    assert.equal(readAppSettings(dir).ignored?.reason, 'it is writable by every user');
    fs.chmodSync(file, 0o664);
    fs.chownSync(file, 0, appUser.gid);
    assert.equal(readAppSettings(dir).ignored?.reason, `it is writable by group ${appUser.gid}`);
    fs.chownSync(file, 0, 0);
    assert.equal(readAppSettings(dir).ignored, null, "group root's write is root's");
    fs.chmodSync(file, 0o644);
    fs.chmodSync(dir, 0o777);
    assert.equal(readAppSettings(dir).ignored?.reason, `its folder ${dir} is writable by every user`);
    fs.chmodSync(dir, 0o1777);
    assert.equal(
      readAppSettings(dir).ignored,
      null,
      "a sticky folder of root's keeps others from replacing it",
    );
  });

  it('judges a linked app folder by the folder it leads to', () => {
    const real = folder('real', 'app');
    fs.writeFileSync(path.join(real, 'lifeboat.json'), settings, { mode: 0o644 });
    const link = path.join(folder('links'), 'app');
    fs.symlinkSync(real, link);
    assert.equal(readAppSettings(link).ignored?.reason, `its folder ${real} is owned by uid ${appUser.uid}`);
  });

  it('takes a file kept outside the app folder, with the app folder’s paths (--settings)', () => {
    const appDir = folder('kept-apart', 'app');
    const etc = folder('etc');
    const file = path.join(etc, 'shop.json');
    fs.writeFileSync(file, JSON.stringify({ backupsDir: 'backups' }), { mode: 0o644 });
    const read = readAppSettings(appDir, file);
    assert.equal(read.ignored, null);
    assert.equal(read.file?.backupsDir, path.join(appDir, 'backups'));
  });

  it("never runs, as root, a command that the app user's lifeboat.json names, even with --app", () => {
    const dir = folder('restore-app', 'app');
    const db = path.join(dir, 'app.db');
    createLiveDatabase(db, 'wal', 64 * 1024);
    giveToAppUser(db);
    const marker = path.join(temp.dir, 'ran-as-root');
    runAsAppUser(
      `require('fs').writeFileSync(process.argv[1], JSON.stringify({ database: 'app.db', run: { preset: 'commands', stop: { shell: 'id -u > ' + process.argv[2] } } }))`,
      path.join(dir, 'lifeboat.json'),
      marker,
    );
    const backup = lifeboat(['backup', 'before', '--app', dir, '--json'], dir);
    assert.equal(backup.json<{ error: { code: string } }>().error.code, 'INVALID_ARGUMENT');
    assert.match(backup.stderr, /No database given: pass --db .* is ignored: it is owned by uid 65534/);
    assert.equal(lifeboat(['backup', 'before', '--db', db], dir).code, 0);
    const snapshot = fs.readdirSync(path.join(dir, 'backups')).find((f) => f.endsWith('-before.db'));
    assert.ok(snapshot !== undefined);
    const restore = lifeboat(['restore', snapshot, '--app', dir, '--db', db, '--yes'], dir);
    assert.equal(restore.code, 0, restore.stderr);
    assert.equal(fs.existsSync(marker), false, 'the stop command never ran');
    assert.match(restore.stderr, /lifeboat\.json is ignored/);
  });
});
