import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Result } from '../../contract/errors';
import type { OperationInput, OperationName, OperationOutput } from '../../contract/operations';
import { createLiveDatabase, makeTempDir } from '../../testing/fixtures';
import { giveToAppUser, hostileUserSkip, runAsAppUser } from '../../testing/hostile-user';
import { dispatch } from './dispatch';
import { LifeboatService } from './lifeboat-service';

async function call<K extends OperationName>(
  service: LifeboatService,
  name: K,
  input: OperationInput<K>,
): Promise<OperationOutput<K>> {
  const result = (await dispatch(service, name, input)) as Result<OperationOutput<K>>;
  if (!result.ok) {
    throw Object.assign(new Error(result.error.message), { code: result.error.code });
  }
  return result.value;
}

/**
 * A lifeboat.json the app's user (nobody) can change is shown, never acted on; a person reads it and
 * adopts what it says into Lifeboat's own settings, exactly the text they read.
 */
describe("adopting an app user's lifeboat.json, run as root", { skip: hostileUserSkip }, () => {
  let temp: { dir: string; cleanup: () => void };
  let desktop: LifeboatService;
  let web: LifeboatService;
  let appDir = '';
  let file = '';
  let appId = '';
  const theirs = {
    database: 'app.db',
    schedule: { every: '6h' },
    retention: { keepLast: 5 },
    run: { preset: 'commands', stop: { shell: 'touch stopped' } },
  };
  before(async () => {
    temp = makeTempDir();
    fs.chmodSync(temp.dir, 0o755);
    appDir = path.join(temp.dir, 'app');
    fs.mkdirSync(appDir);
    createLiveDatabase(path.join(appDir, 'app.db'), 'wal', 64 * 1024);
    file = path.join(appDir, 'lifeboat.json');
    fs.writeFileSync(file, JSON.stringify(theirs));
    giveToAppUser(appDir, file);
    const dataDir = path.join(temp.dir, 'data');
    desktop = new LifeboatService({ dataDir, origin: 'desktop' });
    web = new LifeboatService({ dataDir, origin: 'web', allow: [temp.dir] });
    appId = (await call(desktop, 'apps:add', { database: path.join(appDir, 'app.db') })).id;
  });
  after(() => temp.cleanup());

  async function summary(service = desktop): Promise<OperationOutput<'apps:list'>['apps'][number]> {
    const found = (await call(service, 'apps:list', {})).apps.find((a) => a.id === appId);
    assert.ok(found);
    return found;
  }

  it('shows the file as ignored and takes nothing from it', async () => {
    const app = await summary();
    assert.deepEqual(
      {
        path: app.settingsIgnored?.path,
        reason: app.settingsIgnored?.reason,
        adopted: app.settingsIgnored?.adopted,
      },
      { path: file, reason: 'it is owned by uid 65534', adopted: false },
    );
    assert.equal(app.automation.schedule, null);
    assert.equal(app.automation.retention, null);
    assert.equal(app.runFromFile, null);
    assert.deepEqual(app.runSource, { kind: 'none' });
  });

  it('shows the text with what adopting takes; the web host may not adopt commands', async () => {
    const review = await call(desktop, 'apps:reviewSettings', { appId });
    assert.equal(review.text, JSON.stringify(theirs));
    assert.equal(review.ignoredBecause, 'it is owned by uid 65534');
    assert.deepEqual(review.adopts, [
      'how to run the app: commands (stop commands)',
      'schedule: every 6h',
      'retention: {"keepLast":5}, which deletes 0 of the 0 snapshots at its next run',
    ]);
    assert.deepEqual(review.leftOut, [
      `database "app.db": the app's database stays ${path.join(appDir, 'app.db')}`,
    ]);
    assert.equal(review.refused, null);
    const fromWeb = await call(web, 'apps:reviewSettings', { appId });
    assert.match(fromWeb.refused ?? '', /sets commands to run/);
    await assert.rejects(call(web, 'apps:adoptSettings', { appId, sha256: review.sha256 }), {
      code: 'INVALID_ARGUMENT',
    });
    assert.equal((await summary()).automation.schedule, null, 'nothing adopted');
  });

  it('adopts only the text that was read: a file changed since is refused', async () => {
    const review = await call(desktop, 'apps:reviewSettings', { appId });
    runAsAppUser(
      `require('fs').writeFileSync(process.argv[1], JSON.stringify({ schedule: { every: '1m' }, retention: { keepLast: 1 } }))`,
      file,
    );
    await assert.rejects(call(desktop, 'apps:adoptSettings', { appId, sha256: review.sha256 }), {
      code: 'INVALID_ARGUMENT',
      message: /changed after it was shown/,
    });
    assert.equal((await summary()).automation.retention, null);
  });

  it("adopts what the person read into Lifeboat's settings, and says when the file changes after", async () => {
    fs.writeFileSync(file, JSON.stringify(theirs));
    const review = await call(desktop, 'apps:reviewSettings', { appId });
    const adopted = await call(desktop, 'apps:adoptSettings', { appId, sha256: review.sha256 });
    assert.deepEqual(adopted.automation.schedule, { every: '6h' });
    assert.deepEqual(adopted.automation.retention, { keepLast: 5 });
    assert.deepEqual(adopted.automation.fromFile, [], "the settings are Lifeboat's now");
    assert.deepEqual(adopted.run?.stop, { shell: 'touch stopped' });
    assert.equal(adopted.settingsIgnored?.adopted, true);
    runAsAppUser(`require('fs').appendFileSync(process.argv[1], ' ')`, file);
    const changed = await summary();
    assert.equal(changed.settingsIgnored?.adopted, false, 'the notice comes back');
    assert.deepEqual(changed.automation.retention, { keepLast: 5 }, 'what was adopted stays');
  });
});
