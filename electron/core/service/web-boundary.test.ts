import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
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

  it('deletes through the token only a snapshot of an app it was shown: never a live database, a link out, a file that is no database or one another process holds', async () => {
    const a = path.join(allowed, 'a');
    const b = path.join(allowed, 'b');
    fs.mkdirSync(a);
    fs.mkdirSync(b);
    createLiveDatabase(path.join(a, 'a.db'), 'delete', 16 * 1024);
    createLiveDatabase(path.join(b, 'b.db'), 'wal', 16 * 1024);
    createLiveDatabase(path.join(b, 'unmanaged.db'), 'delete', 16 * 1024);
    fs.writeFileSync(path.join(b, 'secret.key'), 'the app keeps its key here');
    fs.symlinkSync(path.join(outside, 'app.db'), path.join(b, 'a-20260101-000000-link.db'));
    fs.copyFileSync(path.join(a, 'a.db'), path.join(b, 'a-20260101-000000-manual.db'));
    // App A's backups folder is the folder of app B (and of an app Lifeboat does not know): both allowed.
    const appA = await web.handlers['apps:add']({ database: path.join(a, 'a.db'), backupsDir: b });
    await web.handlers['apps:add']({ database: path.join(b, 'b.db') });
    const holder = spawn('bash', [
      '-c',
      'exec 3<"$0"; echo held; exec sleep 60',
      path.join(b, 'unmanaged.db'),
    ]);
    await new Promise((resolve) => holder.stdout.once('data', resolve));
    const before = fs.readdirSync(b).sort();
    const refusals: readonly (readonly [string, string, string])[] = [
      [appA.id, 'b.db', 'INVALID_ARGUMENT'],
      [appA.id, 'secret.key', 'INVALID_ARGUMENT'],
      [appA.id, 'a-20260101-000000-link.db', 'INVALID_ARGUMENT'],
      [appA.id, 'unmanaged.db', 'DB_IN_USE'],
      [appA.id, '../b/b.db', 'INVALID_ARGUMENT'],
      [appA.id, path.join(outside, 'app.db'), 'INVALID_ARGUMENT'],
      [appA.id, '..', 'INVALID_ARGUMENT'],
      ['not-set-up', 'a-20260101-000000-manual.db', 'APP_NOT_FOUND'],
    ];
    try {
      for (const [appId, file, code] of refusals) {
        assert.equal(
          errorCode(await dispatch(web, 'snapshots:delete', { appId, file })),
          code,
          `${file} of ${appId}`,
        );
      }
    } finally {
      holder.kill();
    }
    assert.deepEqual(fs.readdirSync(b).sort(), before, 'nothing in the folder was deleted');
    assert.equal(fs.existsSync(path.join(outside, 'app.db')), true);
    assert.equal(
      errorCode(
        await dispatch(web, 'snapshots:delete', { appId: appA.id, file: 'a-20260101-000000-manual.db' }),
      ),
      'ok',
    );
    assert.equal(fs.existsSync(path.join(b, 'a-20260101-000000-manual.db')), false);
  });
});

/** `lifeboat serve --admin` (#31 item 13): the one who started it may do from the page what the desktop app does. */
describe('the web host with and without --admin', () => {
  let temp: { dir: string; cleanup: () => void };
  before(() => {
    temp = makeTempDir();
    createLiveDatabase(path.join(temp.dir, 'app.db'), 'delete', 16 * 1024);
  });
  after(() => temp.cleanup());
  const nas = { name: 'nas', url: 'file:///mnt/nas', gzip: true };

  it('without --admin refuses targets, commands and folders outside --allow, naming the lifeboat.json to write', async () => {
    const plain = new LifeboatService({
      dataDir: path.join(temp.dir, 'plain'),
      origin: 'web',
      allow: [temp.dir],
    });
    const added = await plain.handlers['apps:add']({ database: path.join(temp.dir, 'app.db') });
    const overview = await plain.handlers['apps:list']({});
    assert.deepEqual(overview.host, {
      editOffsite: false,
      keepsKeys: false,
      editHosts: false,
      editCommands: false,
      admin: false,
    });
    // The page is told where to write what it may not save, and that Lifeboat would take that file.
    assert.deepEqual(overview.apps[0]?.settingsHome, {
      path: path.join(temp.dir, 'lifeboat.json'),
      ignoredBecause: null,
    });
    const refused = await dispatch(plain, 'apps:setOffsite', { appId: added.id, targets: [nas], keys: {} });
    assert.ok(!refused.ok);
    assert.match(
      refused.error.message,
      new RegExp(`"offsite" in ${path.join(temp.dir, 'lifeboat.json')} on the server, start it with --admin`),
    );
    assert.equal(
      errorCode(
        await dispatch(plain, 'apps:setRun', {
          appId: added.id,
          run: { ...manual, stop: { argv: ['touch', path.join(temp.dir, 'ran')] } },
        }),
      ),
      'INVALID_ARGUMENT',
    );
    assert.equal(
      errorCode(await dispatch(plain, 'apps:add', { database: path.join(os.tmpdir(), 'elsewhere.db') })),
      'PERMISSION_DENIED',
    );
  });

  it('with --admin saves targets and commands and adds apps anywhere, and says so', async () => {
    const admin = new LifeboatService({ dataDir: path.join(temp.dir, 'admin'), origin: 'web', admin: true });
    const added = await admin.handlers['apps:add']({ database: path.join(temp.dir, 'app.db') });
    const overview = await admin.handlers['apps:list']({});
    assert.equal(overview.host.admin, true);
    assert.equal(overview.host.editOffsite, true);
    assert.equal(overview.host.editCommands, true);
    assert.equal(
      errorCode(await dispatch(admin, 'apps:setOffsite', { appId: added.id, targets: [nas], keys: {} })),
      'ok',
    );
    assert.deepEqual((await admin.handlers['apps:list']({})).apps[0]?.offsite, [nas]);
    assert.equal(
      errorCode(
        await dispatch(admin, 'apps:setRun', {
          appId: added.id,
          run: { ...manual, stop: { argv: ['true'] } },
        }),
      ),
      'ok',
    );
  });
});
