import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { checkHostKey, fingerprintOf } from './known-hosts';
import { chooseTargets, describeLocation, parseTargetUrl } from './target-url';

describe('offsite target URLs', () => {
  it('reads S3, SFTP and folder targets', () => {
    assert.deepEqual(
      parseTargetUrl(
        's3://my-bucket/lifeboat/prod?endpoint=https://acc.r2.cloudflarestorage.com&region=auto&forcePathStyle=true&partConcurrency=2',
      ),
      {
        kind: 's3',
        bucket: 'my-bucket',
        prefix: 'lifeboat/prod',
        endpoint: 'https://acc.r2.cloudflarestorage.com',
        region: 'auto',
        forcePathStyle: true,
        partConcurrency: 2,
      },
    );
    assert.deepEqual(parseTargetUrl('sftp://backup@nas.local:2222/volume1/lifeboat'), {
      kind: 'sftp',
      user: 'backup',
      host: 'nas.local',
      port: 2222,
      dir: '/volume1/lifeboat',
      identityFile: null,
    });
    assert.equal((parseTargetUrl('sftp://u@box/~/lifeboat') as { dir: string }).dir, 'lifeboat');
    assert.deepEqual(parseTargetUrl('file:///mnt/usb/lifeboat'), {
      kind: 'folder',
      dir: '/mnt/usb/lifeboat',
    });
  });

  it('refuses credentials in the URL, unknown options and what it cannot store to', () => {
    const refused = (url: string, why: RegExp): void =>
      assert.throws(
        () => parseTargetUrl(url),
        (e: Error) => why.test(e.message) && !e.message.includes('s3cr3t'),
      );
    refused('s3://AKIA:s3cr3t@bucket/x', /AWS_ACCESS_KEY_ID/);
    refused('sftp://me:s3cr3t@host/x', /password/);
    refused('s3://bucket/x?secret=1', /unknown option "secret"/);
    refused('s3://bucket/x?partConcurrency=99', /partConcurrency/);
    refused('sftp://me@host/', /folder/);
    refused('file://nas/share', /mount it/);
    refused('ftp://host/x', /cannot store to/);
    refused('not a url', /not a URL/);
  });

  it('shows a target without its query, and picks targets by name or URL', () => {
    assert.equal(
      describeLocation(parseTargetUrl('s3://lb1/p?endpoint=http://127.0.0.1:9000&forcePathStyle=true')),
      's3://lb1/p at 127.0.0.1:9000',
    );
    const configured = [{ name: 'nas', url: 'file:///mnt/nas', gzip: true }];
    assert.equal(chooseTargets(configured, undefined)[0]?.gzip, true);
    assert.equal(chooseTargets(configured, 'file:///mnt/other')[0]?.display, 'file:///mnt/other');
    assert.throws(
      () => chooseTargets(configured, 'usb'),
      /No offsite target is named "usb" \(there are: nas\)/,
    );
    assert.throws(() => chooseTargets([], undefined), /No offsite target/);
  });
});

describe('known_hosts', () => {
  const blob = (type: string, seed: string): Buffer => {
    const name = Buffer.from(type);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(name.length);
    return Buffer.concat([length, name, crypto.createHash('sha256').update(seed).digest()]);
  };
  const key = blob('ssh-ed25519', 'server');
  const line = (hosts: string, k: Buffer = key): string => `${hosts} ssh-ed25519 ${k.toString('base64')}`;

  it('knows plain, bracketed, patterned and hashed names', () => {
    assert.equal(checkHostKey('nas.local', 22, key, line('nas.local')).kind, 'known');
    assert.equal(checkHostKey('nas.local', 2222, key, line('nas.local')).kind, 'unknown');
    assert.equal(checkHostKey('nas.local', 2222, key, line('[nas.local]:2222')).kind, 'known');
    assert.equal(
      checkHostKey('box.example.org', 22, key, line('*.example.org,!evil.example.org')).kind,
      'known',
    );
    assert.equal(
      checkHostKey('evil.example.org', 22, key, line('*.example.org,!evil.example.org')).kind,
      'unknown',
    );
    const salt = crypto.randomBytes(20);
    const hashed = `|1|${salt.toString('base64')}|${crypto.createHmac('sha1', salt).update('[10.0.0.5]:2200').digest('base64')}`;
    assert.equal(checkHostKey('10.0.0.5', 2200, key, `# comment\n\n${line(hashed)}`).kind, 'known');
  });

  it('tells a changed key from an unknown host, and honours @revoked', () => {
    const other = blob('ssh-ed25519', 'impostor');
    const changed = checkHostKey('nas.local', 22, other, `${line('other')}\n${line('nas.local')}`);
    assert.deepEqual(changed, {
      kind: 'changed',
      fingerprint: fingerprintOf(other),
      keyType: 'ssh-ed25519',
      line: 2,
    });
    // Another key type only: OpenSSH asks, so Lifeboat says unknown (and the user decides).
    assert.equal(
      checkHostKey('nas.local', 22, blob('ecdsa-sha2-nistp256', 'x'), line('nas.local')).kind,
      'unknown',
    );
    assert.equal(
      checkHostKey('nas.local', 22, key, `@revoked ${line('*')}\n${line('nas.local')}`).kind,
      'revoked',
    );
    assert.equal(checkHostKey('nas.local', 22, key, null).kind, 'unknown');
  });
});
