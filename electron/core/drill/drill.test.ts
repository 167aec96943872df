import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DrillResult, DrillStatus } from '../../contract/drill';
import type { Attention } from '../schedule/attention';
import type { KeeperPass } from '../schedule/keeper';
import { lifeboatAsync, lifeboatBin, type CliRun } from '../../testing/cli-run';
import { flipBit, makeTempDir } from '../../testing/fixtures';
import {
  s3Credentials,
  startS3,
  startSshd,
  type S3Server,
  type SshServer,
} from '../../testing/offsite-servers';
import { until } from '../../testing/wait-for';

/**
 * Drills through the real CLI against real targets on 127.0.0.1 (Debian's sshd, s3rver), with copies
 * encrypted by age and alerts caught by a webhook receiver: a copy that does not come back fails at
 * its step, with its code, and someone is told; a drill leaves nothing behind, also when killed.
 */

interface Caught {
  readonly url: string;
  readonly reason: string;
}

/** Every file under `dir` with its size and content hash, for before/after comparisons. */
function tree(dir: string, skip: (relative: string) => boolean = () => false): Record<string, string> {
  const found: Record<string, string> = {};
  for (const relative of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    const full = path.join(dir, relative);
    if (skip(relative) || !fs.lstatSync(full).isFile()) {
      continue;
    }
    found[relative] = crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex');
  }
  return found;
}

function ageKey(file: string): string {
  const made = spawnSync('age-keygen', ['-o', file]);
  assert.equal(made.status, 0, made.stderr.toString());
  return /age1[0-9a-z]+/.exec(made.stderr.toString())?.[0] ?? '';
}

describe('drills of offsite copies (sshd and s3rver on 127.0.0.1)', () => {
  const { dir, cleanup } = makeTempDir();
  const dataDir = path.join(dir, 'data');
  const scratchRoot = path.join(dataDir, 'drill-scratch');
  const caught: Caught[] = [];
  let sshd: SshServer;
  let s3: S3Server;
  let hook: http.Server;
  let hookUrl = '';
  let env: Record<string, string> = {};
  const keyA = path.join(dir, 'key-a.txt');
  const keyB = path.join(dir, 'key-b.txt');
  let recipientA = '';

  before(async () => {
    sshd = await startSshd(path.join(dir, 'sshd'));
    fs.writeFileSync(path.join(sshd.home, '.ssh', 'known_hosts'), `${sshd.knownHostsLine}\n`);
    s3 = await startS3(path.join(dir, 's3'), 'lifeboat');
    hook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        caught.push({ url: req.url ?? '', reason: (JSON.parse(body) as { reason: string }).reason });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;
    env = { HOME: sshd.home, SSH_AUTH_SOCK: '', LIFEBOAT_HOST: 'homeserver', ...s3Credentials };
    recipientA = ageKey(keyA);
    ageKey(keyB);
  });
  after(async () => {
    await sshd.stop();
    await s3.stop();
    await new Promise<void>((resolve) => hook.close(() => resolve()));
    cleanup();
  });

  const run = (args: string[], appDir: string, extra: Record<string, string> = {}): Promise<CliRun> =>
    lifeboatAsync([...args, '--app', appDir], appDir, { ...env, ...extra });

  /**
   * An app whose database is at user_version 1 of two numbered migrations (so the rehearsal has an
   * upgrade to run), with smoke queries, two targets (SFTP plain; S3 gzip and age to key A), alerts
   * to the webhook, and a weekly drill that decrypts with key A. Snapshotted, verified and pushed.
   */
  async function pushedApp(
    name: string,
    options: { rows?: number; smoke?: string[]; migration2?: string; drill?: object } = {},
  ): Promise<string> {
    const appDir = path.join(dir, name);
    fs.mkdirSync(path.join(appDir, 'migrations'), { recursive: true });
    fs.writeFileSync(
      path.join(appDir, 'migrations', '1_notes.sql'),
      'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);',
    );
    fs.writeFileSync(
      path.join(appDir, 'migrations', '2_tags.sql'),
      options.migration2 ?? 'ALTER TABLE notes ADD COLUMN tag TEXT;',
    );
    const db = new Database(path.join(appDir, 'app.db'));
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL); PRAGMA user_version = 1;');
    const insert = db.prepare('INSERT INTO notes (body) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < (options.rows ?? 50); i += 1) {
        insert.run(crypto.randomBytes(400).toString('hex'));
      }
    })();
    db.close();
    fs.writeFileSync(
      path.join(appDir, 'lifeboat.json'),
      JSON.stringify({
        database: 'app.db',
        name,
        migrations: { dir: 'migrations', tool: 'user-version' },
        run: { smokeQueries: options.smoke ?? ['SELECT count(*) FROM notes'] },
        offsite: [
          { name: 'box', url: `sftp://${sshd.user}@127.0.0.1:${sshd.port}${sshd.storeDir}` },
          {
            name: 'r2',
            url: `s3://lifeboat/offsite?endpoint=${s3.endpoint}&forcePathStyle=true`,
            gzip: true,
            encryptTo: [recipientA],
          },
        ],
        notify: [{ kind: 'webhook', url: `${hookUrl}/${name}` }],
        drill: options.drill ?? { every: '7d', identity: keyA },
      }),
    );
    const made = await run(['backup', 'nightly', '--json'], appDir);
    assert.equal(made.code, 0, made.stderr);
    assert.equal((await run(['verify'], appDir)).code, 0);
    const pushed = await run(['push', '--json'], appDir);
    assert.equal(pushed.code, 0, pushed.stdout + pushed.stderr);
    return appDir;
  }

  /** The folder on the SFTP server holding the app's copies, and its stored object (the newest). */
  function storedOnBox(name: string): { folder: string; object: string; manifest: string } {
    const folder = path.join(sshd.storeDir, 'homeserver', name);
    const [object] = fs.readdirSync(folder).filter((f) => f.endsWith('.db'));
    const [manifest] = fs.readdirSync(folder).filter((f) => f.endsWith('.json'));
    return { folder, object: path.join(folder, object ?? ''), manifest: path.join(folder, manifest ?? '') };
  }

  async function drill(appDir: string, args: string[] = []): Promise<{ run: CliRun; result: DrillResult }> {
    const done = await run(['drill', '--data-dir', dataDir, '--json', ...args], appDir);
    assert.ok(done.stdout.startsWith('{'), done.stderr);
    return { run: done, result: done.json<DrillResult>() };
  }

  const scratchLeft = (): string[] => (fs.existsSync(scratchRoot) ? fs.readdirSync(scratchRoot) : []);

  it("proves each target's newest copy restorable (decrypted, integrity, revision, smoke queries, upgrade rehearsed) and writes nothing but its record and the log line", async () => {
    const appDir = await pushedApp('proven');
    const activity = path.join('backups', '.lifeboat', 'activity.jsonl');
    const appBefore = tree(appDir, (f) => f === activity);
    const logBefore = fs.readFileSync(path.join(appDir, activity), 'utf8');
    const targetsBefore = [tree(sshd.storeDir), tree(s3.dataDir)];
    const { run: done, result } = await drill(appDir);
    assert.equal(done.code, 0, done.stdout);
    assert.equal(result.ok, true);
    for (const target of result.targets) {
      assert.equal(target.result, 'ok', JSON.stringify(target));
      assert.match(target.id ?? '', /^homeserver\/proven\/\d{8}T\d{6}Z-nightly$/);
      assert.equal(target.restored, true);
      assert.equal(target.revision, '1');
      assert.deepEqual(target.notTried, []);
      assert.ok(target.bytes > 0);
    }
    assert.deepEqual(
      result.targets.map((t) => t.target),
      ['box', 'r2'],
    );
    // Nothing written in the app's folder but one line in its activity log, nothing on the targets.
    assert.deepEqual(
      tree(appDir, (f) => f === activity),
      appBefore,
    );
    const added = fs.readFileSync(path.join(appDir, activity), 'utf8').slice(logBefore.length).trim();
    assert.equal(added.split('\n').length, 1);
    assert.equal((JSON.parse(added) as { action: string; outcome: string }).action, 'drill');
    assert.deepEqual([tree(sshd.storeDir), tree(s3.dataDir)], targetsBefore);
    // In Lifeboat's data folder: its record, and an empty scratch folder.
    assert.deepEqual(scratchLeft(), []);
    assert.deepEqual(
      Object.keys(tree(dataDir)).map((f) => path.dirname(f)),
      ['drills'],
    );
    assert.equal(caught.filter((c) => c.url === '/proven').length, 0, 'a drill that passed alerted');

    const info = (await run(['info', '--data-dir', dataDir, '--json'], appDir)).json<{
      drill: DrillStatus;
    }>();
    assert.equal(info.drill.result, 'ok');
    assert.equal(info.drill.target, 'box');
    assert.equal(info.drill.step, null);
    assert.equal(info.drill.last, result.at);
    assert.match(
      info.drill.text,
      /^proven: restored from box \d+ s ago, integrity ok, revision 1, [\d.]+ s$/,
    );
    const check = await run(['check', '--data-dir', dataDir], appDir);
    assert.equal(check.code, 0, check.stdout);
  });

  /** Drills `appDir` and checks the failure: its step, its code, exit 6, an alert naming both, nothing left. */
  async function failsAt(
    appDir: string,
    args: string[],
    step: string,
    code: string,
  ): Promise<DrillResult['targets'][number]> {
    const name = path.basename(appDir);
    const { run: done, result } = await drill(appDir, args);
    assert.equal(done.code, 6, done.stdout);
    const [target] = result.targets;
    assert.equal(target?.result, 'failed', JSON.stringify(target));
    assert.equal(target.step, step, JSON.stringify(target.error));
    assert.equal(target.error?.code, code, target.error?.message);
    assert.deepEqual(scratchLeft(), []);
    const alerts = caught.filter((c) => c.url === `/${name}`);
    assert.equal(alerts.length, 1, JSON.stringify(caught));
    assert.match(alerts[0]?.reason ?? '', new RegExp(`failed at ${step}: .*\\[${code}\\]`));
    const check = await run(['check', '--data-dir', dataDir, '--json'], appDir);
    assert.equal(check.code, 5, check.stdout);
    const problems = check.json<{ problems: Attention[] }>().problems;
    assert.match(
      problems.find((p) => p.kind === 'drill')?.message ?? '',
      new RegExp(`drill failed .* ago: ${target.target} at step ${step} \\[${code}\\]`),
    );
    return target;
  }

  it('a tampered copy fails at download (DRILL_STORED_MISMATCH) and alerts', async () => {
    const appDir = await pushedApp('tampered');
    const { object } = storedOnBox('tampered');
    flipBit(object, Math.floor(fs.statSync(object).size / 2));
    await failsAt(appDir, ['--target', 'box'], 'download', 'DRILL_STORED_MISMATCH');
  });

  it('a truncated copy fails at download (DRILL_STORED_MISMATCH) and alerts', async () => {
    const appDir = await pushedApp('truncated');
    const { object } = storedOnBox('truncated');
    fs.truncateSync(object, Math.floor(fs.statSync(object).size / 2));
    const target = await failsAt(appDir, ['--target', 'box'], 'download', 'DRILL_STORED_MISMATCH');
    assert.match(target.error?.message ?? '', /cut short or changed there/);
  });

  it('a missing copy fails at find (DRILL_COPY_MISSING) and alerts', async () => {
    const appDir = await pushedApp('missing');
    fs.rmSync(storedOnBox('missing').object);
    await failsAt(appDir, ['--target', 'box'], 'find', 'DRILL_COPY_MISSING');
  });

  it('a copy encrypted to another age key fails at decrypt (DRILL_DECRYPT_FAILED) and alerts', async () => {
    const appDir = await pushedApp('other-key', { drill: { every: '7d', identity: keyB } });
    await failsAt(appDir, ['--target', 'r2'], 'decrypt', 'DRILL_DECRYPT_FAILED');
  });

  it('a copy whose manifest names another revision fails at revision (DRILL_REVISION_MISMATCH)', async () => {
    const appDir = await pushedApp('revision');
    const { manifest } = storedOnBox('revision');
    const json = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { migration: { revision: string } };
    json.migration.revision = '7';
    fs.writeFileSync(manifest, JSON.stringify(json));
    await failsAt(appDir, ['--target', 'box'], 'revision', 'DRILL_REVISION_MISMATCH');
  });

  it('a copy damaged before it was sent (its manifest agreeing) fails at integrity (DRILL_INTEGRITY_FAILED)', async () => {
    const appDir = await pushedApp('integrity');
    const { object, manifest } = storedOnBox('integrity');
    // Page 2 overwritten, and the manifest made to agree: only the integrity check can tell.
    const fd = fs.openSync(object, 'r+');
    fs.writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 4096);
    fs.closeSync(fd);
    const sha = crypto.createHash('sha256').update(fs.readFileSync(object)).digest('hex');
    const json = JSON.parse(fs.readFileSync(manifest, 'utf8')) as {
      plain: { sha256: string };
      stored: { sha256: string };
    };
    json.plain.sha256 = sha;
    json.stored.sha256 = sha;
    fs.writeFileSync(manifest, JSON.stringify(json));
    await failsAt(appDir, ['--target', 'box'], 'integrity', 'DRILL_INTEGRITY_FAILED');
  });

  it("refuses a scratch folder that is not Lifeboat's own, and writes nothing through it", async () => {
    const appDir = await pushedApp('foreign-scratch');
    const foreignData = path.join(dir, 'foreign-data');
    fs.mkdirSync(path.join(foreignData, 'drill-scratch'), { recursive: true, mode: 0o755 });
    fs.chownSync(path.join(foreignData, 'drill-scratch'), 65534, 65534);
    const done = await run(['drill', '--data-dir', foreignData, '--target', 'box', '--json'], appDir);
    assert.equal(done.code, 1, done.stdout);
    assert.equal(done.json<{ error: { code: string } }>().error.code, 'PERMISSION_DENIED');
    assert.deepEqual(fs.readdirSync(path.join(foreignData, 'drill-scratch')), []);
    assert.equal(
      fs.statSync(path.join(foreignData, 'drill-scratch')).mode & 0o777,
      0o755,
      'its mode was changed',
    );
  });

  it('a smoke query that fails on the copy fails at smoke (DRILL_SMOKE_FAILED)', async () => {
    const appDir = await pushedApp('smoke', { smoke: ['SELECT count(*) FROM notes', 'SELECT * FROM gone'] });
    await failsAt(appDir, ['--target', 'box'], 'smoke', 'DRILL_SMOKE_FAILED');
  });

  it('an upgrade that fails on the copy fails at rehearsal (DRILL_REHEARSAL_FAILED)', async () => {
    const appDir = await pushedApp('rehearsal', { migration2: 'ALTER TABLE missing ADD COLUMN tag TEXT;' });
    await failsAt(appDir, ['--target', 'box'], 'rehearsal', 'DRILL_REHEARSAL_FAILED');
  });

  it('without an identity file an encrypted copy is checked against its manifest, and decryption is said not to be tried', async () => {
    const appDir = await pushedApp('no-identity', { drill: { every: '7d' } });
    const { run: done, result } = await drill(appDir, ['--target', 'r2']);
    assert.equal(done.code, 0, done.stdout);
    const [target] = result.targets;
    assert.equal(target?.result, 'ok');
    assert.equal(target.restored, false);
    assert.equal(target.notTried[0]?.step, 'decrypt');
    const human = await run(['drill', '--data-dir', dataDir, '--target', 'r2'], appDir);
    assert.match(
      human.stdout,
      /^r2: homeserver\/no-identity\/\S+ matches its manifest, not proven: decryption was not tried/,
    );
    const info = (await run(['info', '--data-dir', dataDir, '--json'], appDir)).json<{
      drill: DrillStatus;
    }>();
    assert.match(
      info.drill.text,
      /^not proven: the copy on r2 matches its manifest .* but decryption was not tried$/,
    );
  });

  it('a drill killed mid-download leaves its scratch copy, and the next drill removes it and leaves nothing', async () => {
    const appDir = await pushedApp('killed', { rows: 15_000 });
    const child = spawn(
      process.execPath,
      [lifeboatBin, 'drill', '--app', appDir, '--target', 'box', '--data-dir', dataDir],
      { cwd: appDir, env: { ...process.env, ...env, LIFEBOAT_DB: '' }, stdio: 'ignore' },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const downloading = (): boolean =>
      scratchLeft().some((name) => {
        const stored = path.join(scratchRoot, name, 'stored');
        return fs.existsSync(stored) && fs.statSync(stored).size > 0;
      });
    await until(downloading);
    child.kill('SIGKILL');
    await exited;
    const left = scratchLeft();
    assert.equal(left.length, 1, 'the killed drill left no scratch copy: the test proves nothing');
    assert.match(left[0] ?? '', new RegExp(`^${child.pid ?? ''}-`));
    const { run: again, result } = await drill(appDir, ['--target', 'box']);
    assert.equal(again.code, 0, again.stdout);
    assert.equal(result.ok, true);
    assert.deepEqual(scratchLeft(), []);
  });

  it('the keeper drills when the drill is due, not on every pass', async () => {
    const appDir = await pushedApp('kept');
    const settings = path.join(appDir, 'lifeboat.json');
    const json = JSON.parse(fs.readFileSync(settings, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(settings, JSON.stringify({ ...json, schedule: { every: '1d' } }));
    const first = await run(['run-due', '--data-dir', dataDir, '--json'], appDir);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const pass = first.json<KeeperPass>();
    assert.equal(pass.drill?.ok, true);
    assert.equal(pass.drill.ok && pass.drill.value.ok, true, JSON.stringify(pass.drill));
    const second = (await run(['run-due', '--data-dir', dataDir, '--json'], appDir)).json<KeeperPass>();
    assert.equal(second.drill, null);
    assert.deepEqual(scratchLeft(), []);
  });
});
