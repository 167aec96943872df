import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Result } from '../../contract/errors';
import { createLiveDatabase, makeTempDir } from '../../testing/fixtures';
import { dispatch } from './dispatch';
import { SettingsStore } from '../settings/settings-store';
import { LifeboatService } from './lifeboat-service';

function errorCode(result: Result<unknown>): string {
  return result.ok ? 'ok' : result.error.code;
}

describe('the service behind the UI', () => {
  let temp: { dir: string; cleanup: () => void };
  let service: LifeboatService;
  before(() => {
    temp = makeTempDir();
    service = new LifeboatService({ dataDir: path.join(temp.dir, 'data'), origin: 'web', allow: [temp.dir] });
  });
  after(() => temp.cleanup());

  it('adds an app by absolute path or four-slash URL, named after its folder, and refuses relative paths', async () => {
    const appDir = path.join(temp.dir, 'recipes');
    fs.mkdirSync(appDir);
    createLiveDatabase(path.join(appDir, 'app.db'), 'delete', 64 * 1024);
    const added = await dispatch(service, 'apps:add', {
      database: `sqlite:///${path.join(appDir, 'app.db')}`,
    });
    assert.ok(added.ok);
    assert.deepEqual(added.value, {
      ...(added.value as object),
      name: 'recipes',
      backupsDir: path.join(appDir, 'backups'),
    });
    assert.equal(errorCode(await dispatch(service, 'apps:add', { database: 'app.db' })), 'INVALID_ARGUMENT');
    assert.equal(
      errorCode(await dispatch(service, 'apps:add', { database: 'sqlite:///app.db' })),
      'INVALID_ARGUMENT',
    );
    assert.equal(
      errorCode(await dispatch(service, 'apps:add', { database: 'postgres://x/y' })),
      'NOT_SQLITE_URL',
    );
    const again = await dispatch(service, 'apps:add', { database: path.join(appDir, 'app.db') });
    assert.ok(again.ok);
    assert.equal(
      (await service.handlers['apps:list']({})).apps.length,
      1,
      'adding the same database twice keeps one app',
    );
  });

  it('refuses a file that is not a database', async () => {
    const text = path.join(temp.dir, 'notes.db');
    fs.writeFileSync(text, 'hello');
    assert.equal(errorCode(await dispatch(service, 'apps:add', { database: text })), 'NOT_A_DATABASE');
  });

  it('names snapshots by file name only: paths and unknown apps are refused', async () => {
    const appId = (await service.handlers['apps:list']({})).apps[0]?.id ?? '';
    for (const file of ['../app.db', '/etc/passwd', 'sub/x.db', '..']) {
      assert.equal(
        errorCode(await dispatch(service, 'snapshots:delete', { appId, file })),
        'INVALID_ARGUMENT',
        file,
      );
      assert.equal(
        errorCode(await dispatch(service, 'snapshots:inspect', { appId, file })),
        'INVALID_ARGUMENT',
        file,
      );
    }
    assert.equal(
      errorCode(await dispatch(service, 'snapshots:list', { appId: 'no-such-app' })),
      'APP_NOT_FOUND',
    );
  });

  it('creates the demo: a dozen labelled snapshots over several weeks and a script-made copy', async () => {
    const demo = await dispatch(service, 'demo:open', {});
    assert.ok(demo.ok);
    const list = await service.handlers['snapshots:list']({ appId: (demo.value as { id: string }).id });
    assert.equal(list.snapshots.length, 13);
    assert.equal(list.snapshots.filter((s) => s.status === 'verified').length, 12);
    const days = list.snapshots.map((s) => (Date.now() - Date.parse(s.time)) / 86400000);
    assert.ok(Math.max(...days) > 35, 'spread over several weeks');
    const info = await service.handlers['database:info']({ appId: (demo.value as { id: string }).id });
    assert.ok(info.tables.reduce((sum, t) => sum + t.rows, 0) > 2000, 'a few thousand rows');
    const reopened = await dispatch(service, 'demo:open', {});
    assert.ok(reopened.ok);
    assert.equal(
      (await service.handlers['apps:list']({})).apps.filter((a) => a.name.includes('demo')).length,
      1,
    );
  });

  it('detects an app’s migrations, lets the user choose another folder and tool, and refuses one without any', async () => {
    const app = (await service.handlers['apps:list']({})).apps.find((a) => a.name.includes('demo'));
    assert.ok(app !== undefined);
    assert.deepEqual(app.migrationsFound, {
      tool: 'user-version',
      locations: [path.join(path.dirname(app.databasePath), 'migrations')],
      detected: true,
    });
    const elsewhere = path.join(temp.dir, 'sql');
    fs.mkdirSync(elsewhere);
    fs.writeFileSync(path.join(elsewhere, '1_users.sql'), 'CREATE TABLE users (id INTEGER);');
    const chosen = await dispatch(service, 'apps:setMigrations', {
      appId: app.id,
      dir: elsewhere,
      tool: 'table',
    });
    assert.ok(chosen.ok);
    assert.deepEqual((chosen.value as { migrationsFound: unknown }).migrationsFound, {
      tool: 'table',
      locations: [elsewhere],
      detected: false,
    });
    const status = await service.handlers['migrations:status']({ appId: app.id });
    assert.equal(status?.graph.tool, 'table');
    assert.equal(
      errorCode(
        await dispatch(service, 'apps:setMigrations', {
          appId: app.id,
          dir: path.join(temp.dir, 'nothing-here'),
        }),
      ),
      'INVALID_ARGUMENT',
    );
    assert.equal(
      errorCode(await dispatch(service, 'apps:setMigrations', { appId: app.id, dir: 'relative/dir' })),
      'INVALID_ARGUMENT',
    );
    const reset = await dispatch(service, 'apps:setMigrations', { appId: app.id });
    assert.ok(reset.ok);
    assert.equal((reset.value as { migrationsFound: { detected: boolean } }).migrationsFound.detected, true);
    assert.equal(
      new SettingsStore(path.join(temp.dir, 'data')).apps.find((a) => a.id === app.id)?.migrations,
      undefined,
      'saved without a choice',
    );
  });

  it('through the web host, never takes commands or environment variables for an app (no shell for a token holder)', async () => {
    const app = (await service.handlers['apps:list']({})).apps[0];
    const appId = app?.id ?? '';
    // The app runs under Docker Compose: its compose file declares the service a token holder may pick.
    fs.writeFileSync(
      path.join(path.dirname(app?.databasePath ?? ''), 'compose.yaml'),
      'services:\n  web:\n    image: recipes:1\n',
    );
    const refused = [
      { preset: 'commands' as const, stop: { shell: 'touch /tmp/pwned' } },
      { preset: 'manual' as const, upgrade: { argv: ['sh', '-c', 'id'] } },
      { preset: 'manual' as const, env: { LD_PRELOAD: '/tmp/evil.so' } },
      // The app's own code (its default upgrade) as root, where it runs as the database's owner.
      { preset: 'manual' as const, runAs: 'root' as const },
    ];
    for (const run of refused) {
      const result = await dispatch(service, 'apps:setRun', { appId, run });
      assert.ok(
        !result.ok &&
          result.error.code === 'INVALID_ARGUMENT' &&
          result.error.message.includes('lifeboat.json'),
        JSON.stringify(result),
      );
    }
    const allowed = await dispatch(service, 'apps:setRun', {
      appId,
      run: { preset: 'docker-compose', service: 'web', healthUrl: 'http://127.0.0.1:8000/health' },
    });
    assert.ok(allowed.ok);
    assert.deepEqual((allowed.value as { runSource: unknown }).runSource, { kind: 'settings' });
    const bad = await dispatch(service, 'apps:setRun', {
      appId,
      run: { preset: 'docker-compose', service: 'web; rm -rf /' },
    });
    assert.equal(errorCode(bad), 'INVALID_ARGUMENT', 'a service name is a name, never a shell fragment');
  });

  it('deletes a snapshot with its record', async () => {
    const app = (await service.handlers['apps:list']({})).apps.find((a) => a.name.includes('demo'));
    assert.ok(app !== undefined);
    const before = await service.handlers['snapshots:list']({ appId: app.id });
    const victim = before.snapshots[0]?.file ?? '';
    assert.ok((await dispatch(service, 'snapshots:delete', { appId: app.id, file: victim })).ok);
    assert.equal(fs.existsSync(path.join(app.backupsDir, victim)), false);
    assert.equal(fs.existsSync(path.join(app.backupsDir, '.lifeboat', `${victim}.json`)), false);
    assert.equal(
      errorCode(await dispatch(service, 'snapshots:delete', { appId: app.id, file: victim })),
      'SNAPSHOT_NOT_FOUND',
    );
  });

  it('the desktop app and lifeboat serve on one data folder: an app added or changed in one is kept and seen by the other', async () => {
    const dataDir = path.join(temp.dir, 'shared-data');
    const desktop = new LifeboatService({ dataDir, origin: 'desktop' });
    const web = new LifeboatService({ dataDir, origin: 'web', allow: [temp.dir] });
    const dbs = ['shop', 'blog'].map((name) => {
      fs.mkdirSync(path.join(temp.dir, name));
      createLiveDatabase(path.join(temp.dir, name, 'app.db'), 'delete', 16 * 1024);
      return path.join(temp.dir, name, 'app.db');
    });
    const shop = await desktop.handlers['apps:add']({ database: dbs[0] ?? '' });
    const blog = await web.handlers['apps:add']({ database: dbs[1] ?? '' });
    await desktop.handlers['apps:setRun']({
      appId: shop.id,
      run: {
        preset: 'manual',
        env: {},
        smokeQueries: [],
        timeouts: {},
        upgradeUsesLifeboatDatabase: false,
        runAs: 'app',
      },
    });
    await web.handlers['apps:setMigrations']({ appId: shop.id });
    for (const service of [desktop, web]) {
      const apps = (await service.handlers['apps:list']({})).apps;
      assert.deepEqual(apps.map((a) => a.name).sort(), ['blog', 'shop']);
      assert.equal(
        apps.find((a) => a.id === shop.id)?.run?.preset,
        'manual',
        "a change made in one survives the other's later change",
      );
    }
    await web.handlers['apps:remove']({ appId: blog.id });
    assert.deepEqual(
      (await desktop.handlers['apps:list']({})).apps.map((a) => a.name),
      ['shop'],
    );
  });
});
