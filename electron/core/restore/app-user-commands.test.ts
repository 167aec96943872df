import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { describeCommandSource, type AppRun } from '../../contract/app-run';
import { lifeboat, lifeboatBin } from '../../testing/cli-run';
import { makeTempDir } from '../../testing/fixtures';
import { appUser, giveToAppUser, hostileUserSkip, runAsAppUser } from '../../testing/hostile-user';
import { LifeboatFailure } from '../lifeboat-failure';
import { appCommandsOf, planFor } from './restore-preflight';

/**
 * Issue #33, "the app's commands run as the app": with Lifeboat run as root over the folder of an app
 * whose user is `nobody`, the app's stop, start and upgrade commands run as that user, with no
 * supplementary group and none of Lifeboat's own environment; "runAs": "root" runs them as root.
 */

/** A shell line that writes who runs it and its environment into files named after `what`, in its folder. */
const recordWho = (what: string): string => `id -u > ${what}.uid; id -G > ${what}.groups; env > ${what}.env`;

/** Run settings with nothing set. */
const noCommands: AppRun = {
  preset: 'manual',
  upgradeUsesLifeboatDatabase: false,
  runAs: 'app',
  env: {},
  smokeQueries: [],
  timeouts: {},
};

/** Lifeboat's own secrets, which no command of the app may see. */
const lifeboatSecrets = {
  AWS_SECRET_ACCESS_KEY: 'lifeboat-aws-secret',
  SMTP_PASSWORD: 'lifeboat-smtp-secret',
  SSH_AUTH_SOCK: '/tmp/lifeboat-agent.sock',
};

/** `lifeboat ARGS` as root with supplementary groups (disk 6, adm 4), and Lifeboat's secrets in its environment. */
function lifeboatAsRootWithGroups(
  args: string[],
  cwd: string,
): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync('/usr/bin/setpriv', ['--groups=4,6', process.execPath, lifeboatBin, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, LIFEBOAT_DB: '', ...lifeboatSecrets },
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("the app's commands run as the app, with Lifeboat run as root", { skip: hostileUserSkip }, () => {
  let temp: { dir: string; cleanup: () => void };
  before(() => {
    temp = makeTempDir();
    // Root's, open to the app user: each app folder below is that user's, its settings kept in root's etc/.
    fs.chmodSync(temp.dir, 0o755);
    fs.mkdirSync(path.join(temp.dir, 'etc'));
  });
  after(() => temp.cleanup());

  /**
   * An app folder of the app's user with numbered SQL migrations, its database at revision 1 (a
   * snapshot taken there) and a second migration waiting; its settings, with `run`, are in root's etc/
   * (the app user could rewrite a lifeboat.json in its own folder, so Lifeboat would ignore it).
   */
  function appAtOne(
    name: string,
    run: Partial<AppRun>,
  ): { dir: string; db: string; snapshot: string; settings: string } {
    const dir = path.join(temp.dir, name);
    const migrations = path.join(dir, 'migrations');
    fs.mkdirSync(migrations, { recursive: true });
    fs.writeFileSync(path.join(migrations, '001_notes.sql'), 'CREATE TABLE notes (id INTEGER PRIMARY KEY);');
    const settings = path.join(temp.dir, 'etc', `${name}.json`);
    fs.writeFileSync(settings, JSON.stringify({ database: 'sqlite:///app.db', run }));
    assert.equal(lifeboat(['migrate', '--db', 'app.db', '--migrations', 'migrations'], dir).code, 0);
    const made = lifeboat(['backup', 'at-one', '--db', 'app.db', '--json'], dir);
    const snapshot = (JSON.parse(made.stdout) as { snapshot: { file: string } }).snapshot.file;
    fs.writeFileSync(path.join(migrations, '002_pinned.sql'), 'ALTER TABLE notes ADD COLUMN pinned INTEGER;');
    const db = path.join(dir, 'app.db');
    giveToAppUser(dir, db);
    return { dir, db, snapshot, settings };
  }

  /** What a command recorded with `recordWho`: its uid, its groups, its environment. */
  function recorded(dir: string, what: string): { uid: string; groups: string; env: Map<string, string> } {
    const read = (ext: string): string => fs.readFileSync(path.join(dir, `${what}.${ext}`), 'utf8').trim();
    const env = new Map(
      read('env')
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const),
    );
    return { uid: read('uid'), groups: read('groups'), env };
  }

  /** The upgrade the app's settings name: records who runs it, then applies 002 to $LIFEBOAT_DATABASE. */
  const upgradeLine = `${recordWho('upgrade')}; sqlite3 "$LIFEBOAT_DATABASE" "ALTER TABLE notes ADD COLUMN pinned INTEGER; PRAGMA user_version = 2"`;

  it('lifeboat upgrade runs the upgrade command as the database’s owner: its uid and gid, no other group, an environment of its own', () => {
    const app = appAtOne('upgrade', { upgrade: { shell: upgradeLine }, env: { SHOP: 'corner shop' } });
    const run = lifeboatAsRootWithGroups(
      ['upgrade', '--app', app.dir, '--settings', app.settings, '--json'],
      app.dir,
    );
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const who = recorded(app.dir, 'upgrade');
    assert.equal(who.uid, String(appUser.uid));
    assert.equal(who.groups, String(appUser.gid), 'only the app user’s own group: none of root’s (4, 6)');
    assert.equal(fs.statSync(path.join(app.dir, 'upgrade.uid')).uid, appUser.uid);
    for (const name of Object.keys(lifeboatSecrets)) {
      assert.equal(who.env.has(name), false, `${name} of Lifeboat's reached the app's command`);
    }
    assert.equal(who.env.get('SHOP'), 'corner shop', "run.env is the command's");
    assert.equal(who.env.get('HOME'), '/nonexistent', "the app user's home, from /etc/passwd");
    assert.equal(who.env.get('LIFEBOAT_DATABASE'), app.db);
    assert.equal(who.env.get('PATH'), process.env['PATH']);
    const db = new Database(app.db, { readonly: true });
    assert.equal(db.pragma('user_version', { simple: true }), 2);
    db.close();
  });

  it('"runAs": "root" in a root-owned lifeboat.json (kept apart, with --settings) runs the upgrade as root', () => {
    const app = appAtOne('as-root', { upgrade: { shell: upgradeLine }, runAs: 'root' });
    const run = lifeboatAsRootWithGroups(
      ['upgrade', '--app', app.dir, '--settings', app.settings, '--json'],
      app.dir,
    );
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.equal(recorded(app.dir, 'upgrade').uid, '0');
  });

  it('root that may not switch user (no CAP_SETUID) runs nothing as root instead: PERMISSION_DENIED, and the upgrade is undone', () => {
    const app = appAtOne('no-setuid', { upgrade: { shell: upgradeLine } });
    const run = spawnSync(
      '/usr/bin/setpriv',
      [
        '--bounding-set=-setuid,-setgid',
        process.execPath,
        lifeboatBin,
        'upgrade',
        '--app',
        app.dir,
        '--settings',
        app.settings,
        '--json',
      ],
      { cwd: app.dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, LIFEBOAT_DB: '' } },
    );
    assert.equal(run.status, 1, run.stderr);
    const result = JSON.parse(run.stdout) as { outcome: string; error: { code: string; message: string } };
    assert.equal(result.outcome, 'rolled-back');
    assert.equal(result.error.code, 'PERMISSION_DENIED');
    assert.match(result.error.message, /as uid 65534, the app's user: the system refused to switch user/);
    assert.equal(fs.existsSync(path.join(app.dir, 'upgrade.uid')), false);
  });

  it('a restore runs the stop and start commands as the app user, and says so, and from where, before they run', () => {
    const app = appAtOne('restore', {
      preset: 'commands',
      stop: { shell: recordWho('stop') },
      start: { shell: recordWho('start') },
    });
    const run = lifeboatAsRootWithGroups(
      ['restore', app.snapshot, '--app', app.dir, '--settings', app.settings, '--yes'],
      app.dir,
    );
    assert.equal(run.code, 0, run.stderr);
    for (const what of ['stop', 'start']) {
      const who = recorded(app.dir, what);
      assert.deepEqual([who.uid, who.groups], [String(appUser.uid), String(appUser.gid)], what);
      assert.equal(who.env.has('AWS_SECRET_ACCESS_KEY'), false, what);
    }
    const from = `from lifeboat.json at ${app.settings}, as uid 65534 (nobody), the database's owner`;
    assert.ok(run.stderr.includes(`  stop: ${recordWho('stop')}\n    (${from})\n`), run.stderr);
  });

  it('a rehearsal gives its scratch copy to the app user, whose upgrade command then upgrades it', () => {
    const app = appAtOne('rehearse', { upgrade: { shell: upgradeLine }, upgradeUsesLifeboatDatabase: true });
    assert.equal(lifeboat(['migrate', '--db', 'app.db', '--migrations', 'migrations'], app.dir).code, 0);
    const run = lifeboatAsRootWithGroups(
      ['restore', app.snapshot, '--app', app.dir, '--settings', app.settings, '--rehearse', '--json'],
      app.dir,
    );
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.equal(recorded(app.dir, 'upgrade').uid, String(appUser.uid));
    assert.match(recorded(app.dir, 'upgrade').env.get('LIFEBOAT_DATABASE') ?? '', /lifeboat-rehearsal-/);
  });

  it('the preview names each command’s source and user: a preset’s runs as Lifeboat, the tool’s default as the owner of the folder while there is no database', () => {
    const dir = path.join(temp.dir, 'preview');
    fs.mkdirSync(path.join(dir, 'migrations'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'migrations', '20240101000000_init.js'), 'exports.up = () => {};');
    giveToAppUser(dir);
    const db = path.join(dir, 'app.db');
    const plan = planFor({
      location: { databasePath: db, backupsDir: path.join(dir, 'backups') },
      app: {
        dir,
        run: { ...noCommands, preset: 'systemd', service: 'shop' },
        runFile: path.join(dir, 'lifeboat.json'),
        migrations: { migrationsDir: path.join(dir, 'migrations'), tool: 'knex', databasePath: db },
      },
    });
    const lifeboatRoot = { uid: 0, gid: 0, name: 'root', why: 'preset' } as const;
    const preset = { kind: 'preset', preset: 'systemd', file: path.join(dir, 'lifeboat.json') } as const;
    const commands = appCommandsOf(plan);
    assert.deepEqual(commands, [
      { which: 'stop', text: 'systemctl stop shop', origin: preset, user: lifeboatRoot },
      {
        which: 'upgrade',
        text: 'npx knex migrate:latest',
        origin: { kind: 'default', tool: 'knex' },
        user: { uid: 65534, gid: 65534, name: 'nobody', why: 'folder-owner' },
      },
      { which: 'start', text: 'systemctl start shop', origin: preset, user: lifeboatRoot },
    ]);
    assert.deepEqual(
      commands.map((c) => describeCommandSource(c.origin, c.user)),
      [
        `Lifeboat's systemd preset (set in lifeboat.json at ${path.join(dir, 'lifeboat.json')}), as uid 0 (root), Lifeboat's own user: stopping and starting a service needs it`,
        "the default for knex, as uid 65534 (nobody), the owner of the database's folder (there is no database yet)",
        `Lifeboat's systemd preset (set in lifeboat.json at ${path.join(dir, 'lifeboat.json')}), as uid 0 (root), Lifeboat's own user: stopping and starting a service needs it`,
      ],
    );
  });

  it('Lifeboat not run as root cannot switch: the commands run as its own user, and the preview says so', () => {
    const app = appAtOne('not-root', { preset: 'commands', stop: { shell: recordWho('stop') } });
    spawnSync('chown', ['-R', `${appUser.uid}:${appUser.gid}`, app.dir]);
    const run = spawnSync(
      '/usr/bin/setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        process.execPath,
        lifeboatBin,
        'restore',
        app.snapshot,
        '--app',
        app.dir,
        '--settings',
        app.settings,
        '--yes',
      ],
      { cwd: app.dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, LIFEBOAT_DB: '' } },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.equal(recorded(app.dir, 'stop').uid, String(appUser.uid));
    assert.match(
      run.stderr,
      /as uid 65534 \(nobody\), Lifeboat's own user: Lifeboat does not run as root, so it cannot switch/,
    );
  });

  it('with neither the database nor its folder there, whose app it is cannot be told: DB_NOT_FOUND, nothing runs', () => {
    const db = path.join(temp.dir, 'gone', 'app.db');
    assert.throws(
      () =>
        planFor({
          location: { databasePath: db, backupsDir: path.join(temp.dir, 'gone', 'backups') },
          app: {
            dir: temp.dir,
            run: { ...noCommands, stop: { argv: ['true'] } },
            runFile: null,
            migrations: null,
          },
        }),
      (error: unknown) => error instanceof LifeboatFailure && error.detail.code === 'DB_NOT_FOUND',
    );
  });

  it('the owner of a link the app user put in the database’s place is the app user, not the owner of what it points to', () => {
    const dir = path.join(temp.dir, 'link');
    fs.mkdirSync(dir);
    giveToAppUser(dir);
    const db = path.join(dir, 'app.db');
    runAsAppUser(`require('fs').symlinkSync('/etc/shadow', process.argv[1])`, db);
    const plan = planFor({
      location: { databasePath: db, backupsDir: path.join(dir, 'backups') },
      app: {
        dir,
        run: { ...noCommands, preset: 'commands', stop: { argv: ['true'] } },
        runFile: null,
        migrations: null,
      },
    });
    assert.deepEqual(
      appCommandsOf(plan).map((c) => [c.which, c.user.uid, c.user.why]),
      [['stop', 65534, 'database-owner']],
    );
  });
});
