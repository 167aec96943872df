import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLiveDatabase, makeTempDir } from '../../testing/fixtures';
import { mountTmpfs, remountReadOnly } from '../../testing/mounts';
import { createdSnapshotPath } from '../../testing/run-job';
import { startJob } from '../jobs/job-runner';

describe('snapshot revisions in a listing', () => {
  let temp: { dir: string; cleanup: () => void };
  before(() => {
    temp = makeTempDir();
  });
  after(() => temp.cleanup());

  it('lists a backups folder on a read-only disk, with revisions, without writing its cache', async (t) => {
    const appDir = path.join(temp.dir, 'app');
    fs.mkdirSync(path.join(appDir, 'migrations'), { recursive: true });
    fs.writeFileSync(path.join(appDir, 'migrations', '001_users.sql'), 'CREATE TABLE users (id INTEGER);');
    const databasePath = path.join(appDir, 'app.db');
    createLiveDatabase(databasePath, 'delete', 64 * 1024);
    const backupsDir = path.join(appDir, 'backups');
    const mount = mountTmpfs(backupsDir, 'size=4m');
    if (!mount.ok) {
      t.skip(mount.reason);
      return;
    }
    try {
      await createdSnapshotPath({ databasePath, backupsDir });
      remountReadOnly(backupsDir);
      const result = await startJob({
        kind: 'list',
        input: { location: { databasePath, backupsDir }, setup: { appDirs: [appDir] } },
      }).result;
      assert.ok(result.ok, result.ok ? '' : result.error.message);
      assert.equal(result.value.snapshots[0]?.status, 'verified');
      assert.equal(result.value.snapshots[0]?.migration?.status, 'unstamped');
      assert.equal(fs.existsSync(path.join(backupsDir, '.lifeboat', 'revisions-cache.json')), false);
    } finally {
      mount.unmount();
    }
  });
});
