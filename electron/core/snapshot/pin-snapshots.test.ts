import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ActivityEntry } from '../../contract/activity';
import type { SnapshotList } from '../../contract/snapshots';
import { lifeboat } from '../../testing/cli-run';
import { createLiveDatabase, makeTempDir } from '../../testing/fixtures';
import { LifeboatFailure } from '../lifeboat-failure';
import { LifeboatService } from '../service/lifeboat-service';

/** A live database with two snapshots: one taken by hand, and the pinned one a restore takes first. */
function scene(root: string, name: string): { dir: string; manual: string; preRestore: string } {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  createLiveDatabase(path.join(dir, 'app.db'), 'wal', 64 * 1024);
  const made = lifeboat(['backup', 'manual', '--db', 'app.db', '--json'], dir);
  const manual = made.json<{ snapshot: { file: string } }>().snapshot.file;
  const restored = lifeboat(['restore', manual, '--db', 'app.db', '--yes', '--json'], dir);
  assert.equal(restored.code, 0, restored.stderr);
  const preRestore = path.basename(restored.json<{ preRestoreSnapshot: string }>().preRestoreSnapshot);
  return { dir, manual, preRestore };
}

const isPinnedRefusal = (error: unknown): boolean =>
  error instanceof LifeboatFailure && error.detail.code === 'SNAPSHOT_PINNED';

function listed(dir: string): SnapshotList['snapshots'] {
  return lifeboat(['list', '--db', 'app.db', '--json'], dir).json<SnapshotList>().snapshots;
}

describe('pins', () => {
  let temp: { dir: string; cleanup: () => void };
  before(() => {
    temp = makeTempDir();
  });
  after(() => temp.cleanup());

  it('a pre-restore snapshot is pinned and cannot be deleted until it is unpinned', () => {
    const s = scene(temp.dir, 'cli');
    assert.equal(listed(s.dir).find((e) => e.file === s.preRestore)?.pinned, true);
    assert.equal(listed(s.dir).find((e) => e.file === s.manual)?.pinned, false);

    const refused = lifeboat(['delete', s.preRestore, s.manual, '--db', 'app.db', '--yes', '--json'], s.dir);
    assert.equal(refused.code, 1);
    const error = refused.json<{ error: { code: string; message: string } }>().error;
    assert.equal(error.code, 'SNAPSHOT_PINNED');
    assert.match(
      error.message,
      /is pinned, so nothing was deleted\. Unpin first \("lifeboat unpin .*-pre-restore\.db"/,
    );
    assert.ok(fs.existsSync(path.join(s.dir, 'backups', s.preRestore)));
    assert.ok(
      fs.existsSync(path.join(s.dir, 'backups', s.manual)),
      'nothing at all is deleted when one of them is pinned',
    );

    const unpinned = lifeboat(['unpin', s.preRestore, '--db', 'app.db', '--json'], s.dir);
    assert.equal(unpinned.code, 0, unpinned.stderr);
    assert.deepEqual(unpinned.json<{ snapshots: unknown[] }>().snapshots, [
      { file: s.preRestore, pinned: false },
    ]);
    const deleted = lifeboat(['delete', s.preRestore, '--db', 'app.db', '--yes', '--json'], s.dir);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.deepEqual(deleted.json<{ deleted: string[] }>().deleted, [s.preRestore]);
    assert.equal(fs.existsSync(path.join(s.dir, 'backups', s.preRestore)), false);
    assert.equal(
      fs.existsSync(path.join(s.dir, 'backups', '.lifeboat', `${s.preRestore}.json`)),
      false,
      'its record goes with it',
    );

    const pinned = lifeboat(['pin', s.manual, '--db', 'app.db'], s.dir);
    assert.equal(pinned.code, 0, pinned.stderr);
    assert.match(pinned.stdout, /Pinned .*-manual\.db: kept until unpinned/);
    assert.match(lifeboat(['list', '--db', 'app.db'], s.dir).stdout, /verified, pinned/);
    assert.equal(lifeboat(['delete', s.manual, '--db', 'app.db', '--yes'], s.dir).code, 1);
  });

  it('delete asks first: off a terminal without --yes it deletes nothing', () => {
    const s = scene(temp.dir, 'ask');
    const run = lifeboat(['delete', s.manual, '--db', 'app.db'], s.dir);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /confirm with --yes/);
    assert.ok(fs.existsSync(path.join(s.dir, 'backups', s.manual)));
  });

  it('a file another tool made is verified, then pinned; one that fails verification cannot be pinned', () => {
    const s = scene(temp.dir, 'foreign');
    const backups = path.join(s.dir, 'backups');
    fs.copyFileSync(path.join(backups, s.manual), path.join(backups, 'app.db.pre-deploy-20260101-120000'));
    fs.writeFileSync(
      path.join(backups, 'notes.db'),
      'not a database at all, but named like one\n'.repeat(10),
    );
    assert.equal(lifeboat(['pin', 'app.db.pre-deploy-20260101-120000', '--db', 'app.db'], s.dir).code, 0);
    const entry = listed(s.dir).find((e) => e.file === 'app.db.pre-deploy-20260101-120000');
    assert.ok(entry !== undefined);
    assert.equal(entry.pinned, true);
    assert.equal(entry.status, 'verified');
    const bad = lifeboat(['pin', 'notes.db', '--db', 'app.db', '--json'], s.dir);
    assert.equal(bad.code, 1);
    assert.equal(bad.json<{ error: { code: string } }>().error.code, 'SNAPSHOT_CORRUPT');
  });

  it('through the service (desktop app and web host): pin, unpin, and a refused delete, each in the activity log', async () => {
    const s = scene(temp.dir, 'service');
    const service = new LifeboatService({ dataDir: path.join(s.dir, 'data'), origin: 'desktop' });
    const app = await service.handlers['apps:add']({ database: path.join(s.dir, 'app.db') });
    await assert.rejects(
      service.handlers['snapshots:delete']({ appId: app.id, file: s.preRestore }),
      isPinnedRefusal,
    );
    assert.deepEqual(
      await service.handlers['snapshots:pin']({ appId: app.id, file: s.manual, pinned: true }),
      { file: s.manual, pinned: true },
    );
    await assert.rejects(
      service.handlers['snapshots:delete']({ appId: app.id, file: s.manual }),
      isPinnedRefusal,
    );
    await service.handlers['snapshots:pin']({ appId: app.id, file: s.manual, pinned: false });
    assert.deepEqual(await service.handlers['snapshots:delete']({ appId: app.id, file: s.manual }), {
      deleted: s.manual,
    });
    const list = await service.handlers['snapshots:list']({ appId: app.id });
    assert.deepEqual(
      list.snapshots.map((e) => [e.label, e.pinned]),
      [['pre-restore', true]],
    );
    const activity: readonly ActivityEntry[] = await service.handlers['activity:list']({ appId: app.id });
    assert.deepEqual(
      activity.filter((e) => e.origin === 'desktop').map((e) => [e.action, e.outcome]),
      [
        ['delete', 'ok'],
        ['unpin', 'ok'],
        ['delete', 'failed'],
        ['pin', 'ok'],
        ['delete', 'failed'],
      ],
    );
  });
});
