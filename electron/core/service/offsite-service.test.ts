import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JobFinished } from '../../contract/events';
import type { Result } from '../../contract/errors';
import { createLiveDatabase, makeTempDir } from '../../testing/fixtures';
import { fileSecrets, sealedSecrets, secretsFileName, type Sealer } from '../offsite/offsite-secrets';
import type { OperationInput, OperationName, OperationOutput } from '../../contract/operations';
import { dispatch } from './dispatch';
import { startS3 } from '../../testing/offsite-servers';
import { giveToAppUser, hostileUserSkip } from '../../testing/hostile-user';
import { LifeboatService } from './lifeboat-service';

function errorCode(result: Result<unknown>): string {
  return result.ok ? 'ok' : result.error.code;
}

/** A stand-in for safeStorage that really transforms the text, so that the file never holds it plainly. */
const sealer: Sealer = {
  isAvailable: () => true,
  seal: (text) => Buffer.from(Buffer.from(text, 'utf8').map((b) => b ^ 0x5a)),
  unseal: (sealed) => Buffer.from(sealed.map((b) => b ^ 0x5a)).toString('utf8'),
};

/** An operation through the same validation as the UI's, its result typed. */
async function call<K extends OperationName>(
  service: LifeboatService,
  name: K,
  input: OperationInput<K>,
): Promise<Result<OperationOutput<K>>> {
  return (await dispatch(service, name, input)) as Result<OperationOutput<K>>;
}

function finished(service: LifeboatService, jobId: string): Promise<JobFinished> {
  return new Promise((resolve) => {
    const stop = service.on('job:finished', (event) => {
      if (event.jobId === jobId) {
        stop();
        resolve(event);
      }
    });
  });
}

describe('offsite copies through the service (desktop and web host)', () => {
  let temp: { dir: string; cleanup: () => void };
  let nas: string;
  let desktop: LifeboatService;
  let web: LifeboatService;
  let appId = '';
  before(async () => {
    temp = makeTempDir();
    nas = path.join(temp.dir, 'nas');
    fs.mkdirSync(nas);
    const appDir = path.join(temp.dir, 'app');
    fs.mkdirSync(appDir);
    createLiveDatabase(path.join(appDir, 'app.db'), 'wal', 64 * 1024);
    const dataDir = path.join(temp.dir, 'data');
    desktop = new LifeboatService({ dataDir, origin: 'desktop', secrets: sealedSecrets(dataDir, sealer) });
    web = new LifeboatService({ dataDir, origin: 'web', allow: [temp.dir] });
    const added = await call(desktop, 'apps:add', { database: path.join(appDir, 'app.db') });
    assert.ok(added.ok);
    appId = added.value.id;
  });
  after(() => temp.cleanup());

  it('lets the desktop app set targets and keep S3 keys sealed; the web host may do neither', async () => {
    const target = { name: 'nas', url: `file://${nas}`, gzip: true };
    const refused = await call(web, 'apps:setOffsite', { appId, targets: [target] });
    assert.equal(errorCode(refused), 'INVALID_ARGUMENT');
    assert.equal(
      errorCode(
        await call(desktop, 'apps:setOffsite', { appId, targets: [{ name: 'x', url: 'ftp://h/x' }] }),
      ),
      'INVALID_ARGUMENT',
    );
    const saved = await call(desktop, 'apps:setOffsite', {
      appId,
      targets: [target],
      keys: { r2: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'very-secret-key' } },
    });
    assert.ok(saved.ok);
    assert.deepEqual(
      saved.value.automation.offsite.map((t) => [t.name, t.from, t.gzip]),
      [['nas', 'settings', true]],
    );
    const sealed = fs.readFileSync(path.join(temp.dir, 'data', 'offsite-secrets.bin'), 'utf8');
    assert.doesNotMatch(Buffer.from(sealed, 'base64').toString('latin1'), /very-secret-key/);
    assert.equal(
      sealedSecrets(path.join(temp.dir, 'data'), sealer).get('r2')?.secretAccessKey,
      'very-secret-key',
    );
    const hosts = [await desktop.handlers['apps:list']({}), await web.handlers['apps:list']({})].map(
      (o) => o.host,
    );
    assert.deepEqual(hosts, [
      { admin: false, editOffsite: true, keepsKeys: true, editHosts: false, editCommands: true },
      { admin: false, editOffsite: false, keepsKeys: false, editHosts: false, editCommands: false },
    ]);
  });

  it('marks each snapshot pending, then held once a push has sent it; a pull brings one back for a restore', async () => {
    const snapshot = await call(desktop, 'snapshots:create', { appId });
    assert.ok(snapshot.ok);
    const made = await finished(desktop, snapshot.value.jobId);
    assert.ok(made.kind === 'snapshot' && made.result.ok && made.result.value.kind === 'created');
    const file = made.result.value.snapshot.file;
    const before = await call(desktop, 'snapshots:list', { appId });
    assert.ok(before.ok);
    assert.deepEqual(
      before.value.offsite[file]?.map((m) => m.state),
      ['pending'],
    );

    // The web host may send to the targets that are set.
    const push = await call(web, 'offsite:push', { appId });
    assert.ok(push.ok);
    const pushed = await finished(web, push.value.jobId);
    assert.ok(pushed.kind === 'push' && pushed.result.ok);
    assert.equal(pushed.result.value.targets[0]?.pushed.length, 1);
    const after = await call(desktop, 'snapshots:list', { appId });
    assert.ok(after.ok);
    assert.deepEqual(
      after.value.offsite[file]?.map((m) => m.state),
      ['held'],
    );

    const remote = await call(desktop, 'offsite:list', { appId, target: 'nas' });
    assert.ok(remote.ok);
    const [held] = remote.value.snapshots;
    assert.ok(held !== undefined);
    fs.rmSync(path.join(path.dirname(after.value.backupsDir), 'backups', file));
    const pull = await call(desktop, 'offsite:pull', { appId, target: 'nas', id: held.id });
    assert.ok(pull.ok);
    const pulled = await finished(desktop, pull.value.jobId);
    assert.ok(pulled.kind === 'pull' && pulled.result.ok);
    assert.equal(pulled.result.value.file, file);
    assert.ok(fs.existsSync(path.join(after.value.backupsDir, file)));
    assert.equal(
      errorCode(await call(desktop, 'offsite:list', { appId, target: 'usb' })),
      'INVALID_ARGUMENT',
    );
  });

  it('sends to S3 with the keys the desktop app keeps, none in the environment', async () => {
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE']) {
      delete process.env[name];
    }
    const s3 = await startS3(path.join(temp.dir, 's3'), 'lifeboat');
    try {
      const url = `s3://lifeboat/shop?endpoint=${s3.endpoint}&forcePathStyle=true`;
      const saved = await call(desktop, 'apps:setOffsite', {
        appId,
        targets: [{ name: 'r2', url }],
        keys: { r2: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } },
      });
      assert.ok(saved.ok);
      const push = await call(desktop, 'offsite:push', { appId });
      assert.ok(push.ok);
      const pushed = await finished(desktop, push.value.jobId);
      assert.ok(pushed.kind === 'push' && pushed.result.ok);
      assert.equal(pushed.result.value.targets[0]?.error, null);
      assert.ok((pushed.result.value.targets[0]?.pushed.length ?? 0) >= 1);
    } finally {
      await s3.stop();
    }
  });

  it(
    "never sends offsite where a lifeboat.json of the app's user says",
    { skip: hostileUserSkip },
    async () => {
      const appDir = path.join(temp.dir, 'app');
      const file = path.join(appDir, 'lifeboat.json');
      const drop = path.join(temp.dir, 'drop');
      fs.mkdirSync(drop);
      fs.writeFileSync(file, JSON.stringify({ offsite: [{ name: 'drop', url: `file://${drop}` }] }));
      const settingsTargets = [{ name: 'nas', url: `file://${nas}` }];
      assert.ok((await call(desktop, 'apps:setOffsite', { appId, targets: settingsTargets })).ok);
      const own = (await desktop.handlers['apps:list']({})).apps[0]?.automation;
      assert.deepEqual(
        own?.offsite.map((t) => t.name),
        ['drop', 'nas'],
      );
      giveToAppUser(file);
      const theirs = (await desktop.handlers['apps:list']({})).apps[0]?.automation;
      assert.deepEqual(
        theirs?.offsite.map((t) => t.name),
        ['nas'],
      );
      const ignored = (await desktop.handlers['apps:list']({})).apps[0]?.settingsIgnored;
      assert.equal(ignored?.path, file);
      assert.equal(ignored?.reason, 'it is owned by uid 65534');
      const push = await call(desktop, 'offsite:push', { appId });
      assert.ok(push.ok);
      const pushed = await finished(desktop, push.value.jobId);
      assert.ok(pushed.kind === 'push' && pushed.result.ok);
      assert.deepEqual(
        pushed.result.value.targets.map((t) => t.target),
        ['nas'],
      );
      assert.deepEqual(fs.readdirSync(drop), []);
      fs.rmSync(file);
    },
  );

  it("reads serve's keys only from a file no one else may read", () => {
    const dir = path.join(temp.dir, 'serve-data');
    fs.mkdirSync(dir);
    const file = path.join(dir, secretsFileName);
    fs.writeFileSync(file, JSON.stringify({ targets: { r2: { accessKeyId: 'A', secretAccessKey: 'B' } } }), {
      mode: 0o644,
    });
    fs.chmodSync(file, 0o644);
    assert.throws(() => fileSecrets(dir).get('r2'), /chmod 600/);
    fs.chmodSync(file, 0o600);
    assert.deepEqual(fileSecrets(dir).get('r2'), { accessKeyId: 'A', secretAccessKey: 'B' });
    assert.equal(fileSecrets(dir).get('other'), null);
    assert.throws(() => fileSecrets(dir).set('r2', null), /cannot be set through lifeboat serve/);
  });
});
