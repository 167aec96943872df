import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Result } from '../../contract/errors';
import { createLiveDatabase, makeTempDir } from '../../testing/fixtures';
import { dispatch } from './dispatch';
import { LifeboatService } from './lifeboat-service';

function errorCode(result: Result<unknown>): string {
  return result.ok ? 'ok' : result.error.code;
}

const manual = {
  preset: 'manual',
  env: {},
  smokeQueries: [],
  timeouts: {},
  upgradeUsesLifeboatDatabase: false,
} as const;

/** What a holder of lifeboat serve's token may reach (issue 10, H1): the apps set up, new ones only under --allow. */
describe('the reach of the web host token', () => {
  let temp: { dir: string; cleanup: () => void };
  let allowed: string;
  let outside: string;
  let web: LifeboatService;
  before(() => {
    temp = makeTempDir();
    allowed = path.join(temp.dir, 'apps');
    outside = path.join(temp.dir, 'elsewhere');
    for (const dir of [allowed, outside]) {
      fs.mkdirSync(dir);
      createLiveDatabase(path.join(dir, 'app.db'), 'delete', 16 * 1024);
    }
    web = new LifeboatService({ dataDir: path.join(temp.dir, 'data'), origin: 'web', allow: [allowed] });
  });
  after(() => temp.cleanup());

  it('adds apps only inside the allowed folders, whatever a link or .. says', async () => {
    assert.equal(
      errorCode(await dispatch(web, 'apps:add', { database: path.join(outside, 'app.db') })),
      'PERMISSION_DENIED',
    );
    assert.equal(
      errorCode(
        await dispatch(web, 'apps:add', { database: path.join(allowed, '..', 'elsewhere', 'app.db') }),
      ),
      'PERMISSION_DENIED',
    );
    fs.symlinkSync(outside, path.join(allowed, 'door'));
    assert.equal(
      errorCode(await dispatch(web, 'apps:add', { database: path.join(allowed, 'door', 'app.db') })),
      'PERMISSION_DENIED',
    );
    assert.equal(
      errorCode(
        await dispatch(web, 'apps:add', { database: path.join(allowed, 'app.db'), backupsDir: '/root' }),
      ),
      'PERMISSION_DENIED',
    );
    assert.equal(
      errorCode(await dispatch(web, 'apps:add', { database: path.join(allowed, 'app.db') })),
      'ok',
    );
    const withoutAllow = new LifeboatService({ dataDir: path.join(temp.dir, 'data2'), origin: 'web' });
    const refused = await dispatch(withoutAllow, 'apps:add', { database: path.join(allowed, 'app.db') });
    assert.ok(!refused.ok);
    assert.match(refused.error.message, /started without --allow/);
    const desktop = new LifeboatService({ dataDir: path.join(temp.dir, 'data3'), origin: 'desktop' });
    assert.equal(
      errorCode(await dispatch(desktop, 'apps:add', { database: path.join(outside, 'app.db') })),
      'ok',
      'the desktop user chose the path',
    );
  });

  it('keeps run settings to what the operator chose: no foreign folder, Compose service or systemd unit, no working folder outside the app', async () => {
    const app = (await web.handlers['apps:list']({})).apps[0];
    assert.ok(app !== undefined);
    const appId = app.id;
    assert.equal(
      errorCode(await dispatch(web, 'apps:setRun', { appId, appDir: outside, run: manual })),
      'PERMISSION_DENIED',
    );
    assert.equal(
      errorCode(
        await dispatch(web, 'apps:setRun', { appId, run: { ...manual, preset: 'systemd', service: 'ssh' } }),
      ),
      'PERMISSION_DENIED',
    );
    assert.equal(
      errorCode(
        await dispatch(web, 'apps:setRun', {
          appId,
          run: { ...manual, preset: 'docker-compose', service: 'db' },
        }),
      ),
      'PERMISSION_DENIED',
    );
    fs.writeFileSync(
      path.join(allowed, 'compose.yaml'),
      'name: shop\nservices:\n  web:\n    image: shop\n    environment:\n      db: x\n  worker:\n    image: shop\nvolumes:\n  db:\n',
    );
    assert.equal(
      errorCode(
        await dispatch(web, 'apps:setRun', {
          appId,
          run: { ...manual, preset: 'docker-compose', service: 'db' },
        }),
      ),
      'PERMISSION_DENIED',
    );
    assert.equal(
      errorCode(
        await dispatch(web, 'apps:setRun', {
          appId,
          run: { ...manual, preset: 'docker-compose', service: 'worker' },
        }),
      ),
      'ok',
    );
    assert.equal(
      errorCode(
        await dispatch(web, 'apps:setRun', { appId, run: { ...manual, workingDir: '../elsewhere' } }),
      ),
      'INVALID_ARGUMENT',
    );
    // A timer cannot wait past 24.8 days (it would fire at once): a step may take a week at most.
    assert.equal(
      errorCode(
        await dispatch(web, 'apps:setRun', {
          appId,
          run: { ...manual, timeouts: { healthSeconds: 30 * 24 * 3600 } },
        }),
      ),
      'INVALID_ARGUMENT',
    );
    assert.equal(
      errorCode(await dispatch(web, 'apps:setMigrations', { appId, dir: outside })),
      'PERMISSION_DENIED',
    );
  });

  it('deletes snapshots only: never the live database, even with the backups folder beside it', async () => {
    const desktop = new LifeboatService({ dataDir: path.join(temp.dir, 'data4'), origin: 'desktop' });
    const app = await desktop.handlers['apps:add']({
      database: path.join(outside, 'app.db'),
      backupsDir: outside,
    });
    assert.equal(
      errorCode(await dispatch(desktop, 'snapshots:delete', { appId: app.id, file: 'app.db' })),
      'INVALID_ARGUMENT',
    );
    assert.equal(fs.existsSync(path.join(outside, 'app.db')), true);
  });
});
