import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RemoteList } from '../contract/offsite';
import { lifeboatAsync } from '../testing/cli-run';
import { contentDigest, makeTempDir, sha256 } from '../testing/fixtures';
import { s3Credentials, startS3, startSshd, type S3Server, type SshServer } from '../testing/offsite-servers';
import {
  ageKey,
  newMachineHome,
  oldApp,
  oldHost,
  oldLabel,
  oldRevision,
  pushFromOldMachine,
} from '../testing/old-machine';

/**
 * The day the server dies (#29), from the command line: machine A (its own host name, HOME and app
 * folder) pushes to a real S3 server and a real sshd, plain and gzip+age; machine B (another host
 * name, another folder, a HOME with no Lifeboat data folder, no settings at all) restores each copy
 * with `restore ID --from URL --db PATH` and gets exactly A's snapshot.
 */
describe('the day the server dies: a snapshot pushed by machine A restored on machine B by the CLI', () => {
  const { dir, cleanup } = makeTempDir();
  let s3: S3Server;
  let sshd: SshServer;
  let key: ReturnType<typeof ageKey>;
  let aSnapshot = '';
  const targetUrls: Record<string, string> = {};

  before(async () => {
    s3 = await startS3(path.join(dir, 's3'), 'lifeboat');
    sshd = await startSshd(path.join(dir, 'sshd'));
    fs.writeFileSync(path.join(sshd.home, '.ssh', 'known_hosts'), `${sshd.knownHostsLine}\n`);
    key = ageKey(path.join(dir, 'kept-elsewhere'));
    for (const folder of ['plain', 'sealed']) {
      fs.mkdirSync(path.join(sshd.storeDir, folder));
    }
    const sftp = `sftp://${sshd.user}@127.0.0.1:${sshd.port}${sshd.storeDir}`;
    Object.assign(targetUrls, {
      s3: `s3://lifeboat/plain?endpoint=${s3.endpoint}&forcePathStyle=true`,
      's3-age': `s3://lifeboat/sealed?endpoint=${s3.endpoint}&forcePathStyle=true`,
      sftp: `${sftp}/plain`,
      'sftp-age': `${sftp}/sealed`,
    });
    const sealed = { gzip: true, encryptTo: [key.recipient] };
    const offsite = Object.entries(targetUrls).map(([name, url]) => ({
      name,
      url,
      ...(name.endsWith('-age') ? sealed : {}),
    }));
    const aHome = path.join(dir, 'machine-a', 'home');
    fs.cpSync(sshd.home, aHome, { recursive: true });
    aSnapshot = await pushFromOldMachine(path.join(dir, 'machine-a'), offsite, {
      ...s3Credentials,
      HOME: aHome,
      XDG_CONFIG_HOME: path.join(aHome, '.config'),
    });
  });
  after(async () => {
    await sshd.stop();
    await s3.stop();
    cleanup();
  });

  for (const name of ['s3', 's3-age', 'sftp', 'sftp-age']) {
    it(`restores A's snapshot from ${name} on machine B, from the target alone`, async () => {
      const b = path.join(dir, `machine-b-${name}`);
      const bHome = newMachineHome(b, sshd.home);
      const bEnv = {
        ...s3Credentials,
        LIFEBOAT_HOST: 'new-box',
        HOME: bHome,
        XDG_CONFIG_HOME: path.join(bHome, '.config'),
        SSH_AUTH_SOCK: '',
        LIFEBOAT_AGE_IDENTITY: '',
      };
      const bDb = path.join(b, 'opt', 'notes-app', 'data', 'notes.db');
      fs.mkdirSync(path.dirname(bDb), { recursive: true });
      const url = targetUrls[name] ?? '';

      const listed = await lifeboatAsync(
        ['remote', 'list', '--target', url, '--all-hosts', '--db', bDb, '--json'],
        b,
        bEnv,
      );
      assert.equal(listed.code, 0, listed.stderr);
      const [held, ...more] = listed.json<{ targets: RemoteList[] }>().targets[0]?.snapshots ?? [];
      assert.ok(held !== undefined, listed.stdout);
      assert.deepEqual(more, []);
      assert.match(held.id, new RegExp(`^${oldHost}/${oldApp}/\\d{8}T\\d{6}Z-${oldLabel}$`));
      assert.equal(held.manifest.migration?.revision, oldRevision);
      assert.equal(held.manifest.stored.encrypted, name.endsWith('-age'));

      const restore = ['restore', held.id, '--from', url, '--db', bDb, '--yes', '--json'];
      if (name.endsWith('-age')) {
        const refused = await lifeboatAsync(restore, b, bEnv);
        assert.equal(refused.code, 1, refused.stderr);
        assert.match(refused.stderr, /encrypted with age: give the identity file .*\[DECRYPT_FAILED\]/);
        assert.equal(fs.existsSync(bDb), false, 'nothing restored without the identity');
        assert.deepEqual(
          fs.readdirSync(path.join(path.dirname(bDb), 'backups')).filter((f) => f !== '.lifeboat'),
          [],
          'nothing left behind but its activity log',
        );
        restore.push('--identity', key.file);
      }
      const restored = await lifeboatAsync(restore, b, bEnv);
      assert.equal(restored.code, 0, restored.stderr);

      const backups = path.join(path.dirname(bDb), 'backups');
      const brought = fs.readdirSync(backups).filter((f) => f.endsWith('.db'));
      assert.equal(brought.length, 1, brought.join(', '));
      assert.equal(sha256(path.join(backups, brought[0] ?? '')), sha256(aSnapshot));
      assert.equal(contentDigest(bDb), contentDigest(aSnapshot));
      assert.equal(fs.existsSync(path.join(bHome, '.config', 'Lifeboat')), false, 'no settings were needed');
    });
  }
});
