import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import type { OffsiteManifest, RemoteList } from '../../contract/offsite';
import { lifeboatAsync, type CliRun } from '../../testing/cli-run';
import { createLiveDatabase, makeTempDir } from '../../testing/fixtures';
import { mountTmpfs } from '../../testing/mounts';
import { forward, s3Credentials, startS3, type S3Server } from '../../testing/offsite-servers';
import { maxListedObjects } from './remote-snapshots';

/**
 * Issue 33, "a hostile offsite target cannot fill the disk": a target is storage others may write
 * to. A pull takes in no more than the manifest's sizes (stored and unpacked), starts only when both
 * fit, and leaves nothing behind; a listing looks at a bounded number of keys.
 */

const host = { LIFEBOAT_HOST: 'homeserver' };
const run = (args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliRun> =>
  lifeboatAsync(args, cwd, { ...host, ...env });

/** An app folder with a small live database and a lifeboat.json naming `offsite`. */
function makeApp(dir: string, offsite: { name: string; url: string; gzip?: boolean }[]): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const { url } of offsite.filter((target) => target.url.startsWith('file://'))) {
    fs.mkdirSync(url.slice('file://'.length), { recursive: true });
  }
  createLiveDatabase(path.join(dir, 'app.db'), 'delete', 32 * 1024);
  fs.writeFileSync(
    path.join(dir, 'lifeboat.json'),
    JSON.stringify({ database: 'app.db', name: 'notes', offsite }),
  );
  return dir;
}

/** Takes, verifies and pushes one snapshot; returns its manifest on the target as listed. */
async function pushOne(
  appDir: string,
  env: Record<string, string> = {},
): Promise<{ id: string; manifest: OffsiteManifest }> {
  const made = await run(['backup', 'nightly', '--app', appDir, '--json'], appDir);
  assert.equal(made.code, 0, made.stderr);
  const file = made.json<{ snapshot: { file: string } }>().snapshot.file;
  assert.equal((await run(['verify', file, '--app', appDir], appDir)).code, 0);
  const pushed = await run(['push', '--app', appDir], appDir, env);
  assert.equal(pushed.code, 0, pushed.stdout + pushed.stderr);
  const listed = (await run(['remote', 'list', '--app', appDir, '--json'], appDir, env)).json<{
    targets: RemoteList[];
  }>();
  const [snapshot] = listed.targets[0]?.snapshots ?? [];
  assert.ok(snapshot !== undefined);
  return snapshot;
}

const zeros = Buffer.alloc(1024 * 1024);

describe('a hostile offsite target', () => {
  let temp: { dir: string; cleanup: () => void };
  const unmounts: (() => void)[] = [];
  before(() => {
    temp = makeTempDir();
  });
  after(() => {
    unmounts.forEach((unmount) => unmount());
    temp.cleanup();
  });

  /** A machine to restore on whose backups folder is a 16 MiB disk; null (and why) when no tmpfs can be mounted. */
  function smallDiskBox(name: string, from: string): string | { skip: string } {
    const box = path.join(temp.dir, name);
    fs.mkdirSync(box);
    fs.copyFileSync(path.join(from, 'lifeboat.json'), path.join(box, 'lifeboat.json'));
    const mounted = mountTmpfs(path.join(box, 'backups'), 'size=16m');
    if (!mounted.ok) {
      return { skip: mounted.reason };
    }
    unmounts.push(mounted.unmount);
    return box;
  }

  /** The restore was refused with `code` saying `says`, and left no file at all in the backups folder. */
  function assertRefusedLeavingNothing(refused: CliRun, box: string, code: string, says: RegExp): void {
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, new RegExp(code));
    assert.match(refused.stderr, says);
    assert.deepEqual(
      fs.readdirSync(path.join(box, 'backups')).filter((name) => name !== '.lifeboat'),
      [],
      'a partial file was left',
    );
    assert.equal(fs.existsSync(path.join(box, 'app.db')), false);
  }

  it('a gzip bomb stops unpacking at the manifest plain size; a manifest that cannot fit is refused before any download', async (t) => {
    const nas = path.join(temp.dir, 'nas');
    const appDir = makeApp(path.join(temp.dir, 'app'), [{ name: 'nas', url: `file://${nas}`, gzip: true }]);
    const { id, manifest } = await pushOne(appDir);
    // The target's owner swaps the object for 64 MiB of zeros gzipped, and makes the manifest's stored facts match it.
    const bomb = zlib.gzipSync(Buffer.concat(Array.from({ length: 64 }, () => zeros)));
    const folder = path.join(nas, 'homeserver', 'notes');
    fs.writeFileSync(path.join(folder, manifest.stored.name), bomb);
    const forged: OffsiteManifest = {
      ...manifest,
      stored: {
        ...manifest.stored,
        size: bomb.length,
        sha256: crypto.createHash('sha256').update(bomb).digest('hex'),
      },
    };
    fs.writeFileSync(path.join(nas, `${id}.json`), JSON.stringify(forged));
    const box = smallDiskBox('bomb', appDir);
    if (typeof box !== 'string') {
      t.skip(box.skip);
      return;
    }
    const refused = await run(['restore', id, '--from', 'nas', '--app', box, '--yes'], box);
    assertRefusedLeavingNothing(
      refused,
      box,
      'CHECKSUM_MISMATCH',
      new RegExp(`unpacked file runs past the manifest's ${manifest.plain.size} bytes`),
    );

    // A manifest that says the file is larger than the disk: nothing is downloaded at all.
    fs.writeFileSync(
      path.join(nas, `${id}.json`),
      JSON.stringify({ ...forged, plain: { ...forged.plain, size: 64 * 1024 * 1024 } }),
    );
    const tooBig = await run(['restore', id, '--from', 'nas', '--app', box, '--yes'], box);
    assertRefusedLeavingNothing(tooBig, box, 'DISK_FULL', /needs \d+ bytes .* Nothing was downloaded/);
  });

  it('an S3 server that sends more than the object it listed: the download stops at the manifest stored size', async (t) => {
    const s3: S3Server = await startS3(path.join(temp.dir, 's3'), 'lifeboat');
    // In front of it, a server that lists truthfully but answers a GET of a snapshot with endless zeros.
    let endless = 0;
    const lying = http.createServer((request, response) => {
      if (request.method === 'GET' && /\.db(\.gz)?$/.test(new URL(request.url ?? '/', 'http://x').pathname)) {
        endless += 1;
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        const more = (): void => {
          while (!response.destroyed && response.write(zeros));
        };
        response.on('drain', more);
        more();
        return;
      }
      forward(request, response, s3.endpoint);
    });
    await new Promise<void>((resolve) => lying.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(lying.address() as AddressInfo).port}`;
      const appDir = makeApp(path.join(temp.dir, 's3-app'), [
        { name: 'r2', url: `s3://lifeboat/offsite?endpoint=${endpoint}&forcePathStyle=true` },
      ]);
      const { id, manifest } = await pushOne(appDir, s3Credentials);
      const box = smallDiskBox('endless', appDir);
      if (typeof box !== 'string') {
        t.skip(box.skip);
        return;
      }
      const refused = await run(['restore', id, '--from', 'r2', '--app', box, '--yes'], box, s3Credentials);
      assert.equal(endless, 1, 'the download did not go through the lying server');
      assertRefusedLeavingNothing(
        refused,
        box,
        'CHECKSUM_MISMATCH',
        new RegExp(`stored object runs past the manifest's ${manifest.stored.size} bytes`),
      );
    } finally {
      lying.closeAllConnections();
      await new Promise((resolve) => lying.close(resolve));
      await s3.stop();
    }
  });

  it(`a listing looks at ${maxListedObjects} keys at most, and says there were more`, async () => {
    const nas = path.join(temp.dir, 'crowded');
    const appDir = makeApp(path.join(temp.dir, 'crowded-app'), [{ name: 'nas', url: `file://${nas}` }]);
    const { id } = await pushOne(appDir);
    const junk = path.join(nas, 'homeserver', 'notes');
    for (let i = 0; i <= maxListedObjects; i += 1) {
      fs.writeFileSync(path.join(junk, `junk-${i}`), '');
    }
    const listed = await run(['remote', 'list', '--app', appDir, '--json'], appDir);
    assert.equal(listed.code, 0, listed.stderr);
    const [list] = listed.json<{ targets: RemoteList[] }>().targets;
    assert.deepEqual(list?.problems, [
      {
        key: 'homeserver/notes/',
        reason: `more than ${maxListedObjects} objects are there: only the first ${maxListedObjects} were looked at. Clear out what does not belong on the target.`,
      },
    ]);
    assert.ok(list.snapshots.length <= 1, `${id}: ${list.snapshots.length}`);
  });
});
