import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AppRun } from '../../contract/app-run';
import { AlembicProject } from '../../testing/alembic-project';
import { DjangoProject } from '../../testing/django-project';
import { lifeboat, lifeboatBin } from '../../testing/cli-run';
import { contentDigest, makeTempDir } from '../../testing/fixtures';
import { holdFileOpen } from '../../testing/holding-process';

interface RestoreJson {
  outcome: string;
  steps: { step: string; note: string | null }[];
  rollbackSteps: { step: string; skipped: boolean }[];
  notTried: { step: string; reason: string }[];
  error: { code: string; message: string } | null;
}

/** Two Alembic revisions (users, then posts), a snapshot taken at the first, the live database at head. */
function usersThenPosts(project: AlembicProject): { second: string; snapshot: string } {
  const first = project.revision('create users', { table: 'users' });
  const second = project.revision('create posts', { table: 'posts' });
  project.alembic('upgrade', first);
  const made = lifeboat(['backup', 'at-users', '--db', 'app.db', '--json'], project.dir);
  const snapshot = (JSON.parse(made.stdout) as { snapshot: { file: string } }).snapshot.file;
  project.alembic('upgrade', 'head');
  return { second, snapshot };
}

/** An app with numbered SQL migrations, a snapshot at revision 1, and a live database at revision 2. */
function sqlApp(
  root: string,
  name: string,
  run: Partial<AppRun> | null,
  secondMigration = 'ALTER TABLE notes ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;',
): { dir: string; snapshot: string; original: string } {
  const dir = path.join(root, name);
  fs.mkdirSync(path.join(dir, 'migrations'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'migrations', '001_notes.sql'),
    'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);',
  );
  fs.writeFileSync(
    path.join(dir, 'lifeboat.json'),
    JSON.stringify({ database: 'sqlite:///app.db', ...(run === null ? {} : { run }) }),
  );
  assert.equal(
    lifeboat(['migrate', '--app', dir, '--db', 'app.db', '--migrations', 'migrations'], dir).code,
    0,
  );
  const db = new Database(path.join(dir, 'app.db'));
  db.exec("INSERT INTO notes (body) VALUES ('first'), ('second')");
  db.close();
  const made = lifeboat(['backup', 'at-one', '--db', 'app.db', '--json'], dir);
  const snapshot = (JSON.parse(made.stdout) as { snapshot: { file: string } }).snapshot.file;
  fs.writeFileSync(path.join(dir, 'migrations', '002_more.sql'), secondMigration);
  if (!secondMigration.includes('no_such_table')) {
    assert.equal(lifeboat(['migrate', '--db', 'app.db', '--migrations', 'migrations'], dir).code, 0);
  }
  const later = new Database(path.join(dir, 'app.db'));
  later.exec("INSERT INTO notes (body) VALUES ('third')");
  later.close();
  return { dir, snapshot, original: contentDigest(path.join(dir, 'app.db')) };
}

function restore(
  dir: string,
  snapshot: string,
): { code: number | null; result: RestoreJson; stderr: string } {
  const run = lifeboat(['restore', snapshot, '--app', dir, '--yes', '--json'], dir);
  return { code: run.code, result: JSON.parse(run.stdout) as RestoreJson, stderr: run.stderr };
}

describe('the restore around the app: stop, upgrade, check, start, health', () => {
  let temp: { dir: string; cleanup: () => void };
  before(() => {
    temp = makeTempDir();
  });
  after(() => temp.cleanup());

  it('upgrades a snapshot that is behind with the built-in runner, to head', () => {
    const app = sqlApp(temp.dir, 'builtin', null);
    const { code, result } = restore(app.dir, app.snapshot);
    assert.equal(code, 0, JSON.stringify(result.error));
    assert.equal(result.outcome, 'restored');
    assert.match(result.steps.find((s) => s.step === 'upgrade')?.note ?? '', /applied 002_more\.sql/);
    const db = new Database(path.join(app.dir, 'app.db'), { readonly: true });
    assert.equal(db.pragma('user_version', { simple: true }), 2);
    assert.deepEqual(db.prepare('SELECT body, pinned FROM notes ORDER BY id').all(), [
      { body: 'first', pinned: 0 },
      { body: 'second', pinned: 0 },
    ]);
    db.close();
    const status = lifeboat(['status', '--db', 'app.db', '--check'], app.dir);
    assert.equal(status.code, 0, status.stdout);
  });

  it('rolls back automatically when the upgrade fails half-way: the live database is the original again', () => {
    const app = sqlApp(
      temp.dir,
      'half',
      null,
      'ALTER TABLE notes ADD COLUMN pinned INTEGER;\nINSERT INTO no_such_table VALUES (1);',
    );
    const { code, result, stderr } = restore(app.dir, app.snapshot);
    assert.equal(code, 1);
    assert.equal(result.outcome, 'rolled-back');
    assert.equal(result.error?.code, 'MIGRATION_FAILED');
    assert.deepEqual(
      result.rollbackSteps.filter((s) => !s.skipped).map((s) => s.step),
      ['put-back'],
    );
    assert.match(stderr, /rolled back/);
    assert.equal(contentDigest(path.join(app.dir, 'app.db')), app.original, 'byte for byte in content');
    assert.deepEqual(
      fs.readdirSync(app.dir).filter((n) => n.includes('lifeboat-restore')),
      [],
    );
  });

  it('rehearses on a scratch copy: reports what the upgrade would do and leaves the live database alone', () => {
    const app = sqlApp(temp.dir, 'rehearse', null);
    const run = lifeboat(['restore', app.snapshot, '--rehearse', '--app', app.dir, '--json'], app.dir);
    assert.equal(run.code, 0, run.stderr);
    const result = run.json<RestoreJson>();
    assert.equal(result.outcome, 'rehearsed');
    assert.match(result.steps.find((s) => s.step === 'upgrade')?.note ?? '', /applied 002_more\.sql/);
    assert.equal(contentDigest(path.join(app.dir, 'app.db')), app.original);
    fs.writeFileSync(
      path.join(app.dir, 'migrations', '003_half.sql'),
      'CREATE TABLE tags (id INTEGER);\nINSERT INTO no_such_table VALUES (1);',
    );
    const failing = lifeboat(['restore', app.snapshot, '--rehearse', '--app', app.dir], app.dir);
    assert.equal(failing.code, 1);
    assert.match(
      failing.stdout,
      /Rehearsal found a problem: .*003_half\.sql.*\[MIGRATION_FAILED\] Nothing was changed/,
    );
    assert.equal(contentDigest(path.join(app.dir, 'app.db')), app.original);
    assert.equal(
      fs.readdirSync(path.join(app.dir, 'backups')).filter((n) => n.includes('pre-restore')).length,
      0,
    );
  });

  it('lifeboat restore --undo puts the last restore’s pre-restore snapshot back as it was, not upgraded', () => {
    const app = sqlApp(temp.dir, 'undo', null);
    assert.equal(
      lifeboat(['restore', '--undo', '--app', app.dir, '--yes'], app.dir).code,
      1,
      'nothing to undo yet',
    );
    assert.equal(restore(app.dir, app.snapshot).result.outcome, 'restored');
    fs.writeFileSync(
      path.join(app.dir, 'migrations', '003_tags.sql'),
      'CREATE TABLE tags (id INTEGER PRIMARY KEY);',
    );
    const undone = lifeboat(['restore', '--undo', '--app', app.dir, '--yes', '--json'], app.dir);
    assert.equal(undone.code, 0, undone.stderr);
    assert.equal(
      undone.json<RestoreJson>().steps.find((s) => s.step === 'upgrade')?.note,
      'undo: put back as it was, not upgraded',
    );
    assert.equal(
      contentDigest(path.join(app.dir, 'app.db')),
      app.original,
      'as it was, though the code has moved on',
    );
  });

  it('on a terminal, shows what the restore changes before it asks, and changes nothing on no', () => {
    const app = sqlApp(temp.dir, 'ask', null);
    // util-linux's script gives the command a terminal; the answer comes on its standard input.
    const command = [process.execPath, lifeboatBin, 'restore', app.snapshot, '--app', app.dir]
      .map((a) => `'${a}'`)
      .join(' ');
    const run = spawnSync('script', ['-qec', command, '/dev/null'], {
      cwd: app.dir,
      input: 'n\n',
      encoding: 'utf8',
      env: { ...process.env, LIFEBOAT_DB: '' },
    });
    assert.equal(run.status, 1, run.stdout);
    assert.match(run.stdout, /What the restore changes:/);
    assert.match(run.stdout, /notes\s+3\s+2\s+1/, 'one row of notes is lost');
    assert.match(run.stdout, /The table notes differs: columns pinned only in the live database\./);
    assert.match(run.stdout, /Migrations the upgrade applies, in order: 2 more/);
    assert.match(
      run.stdout,
      /Replace .*app\.db with .*\? A pinned pre-restore snapshot is taken first\. Stop the app before you go on\. \[y\/N\]/,
    );
    assert.match(run.stdout, /Nothing was changed\./);
    assert.equal(contentDigest(path.join(app.dir, 'app.db')), app.original);
  });

  it('runs the app’s stop and start commands around the swap, verbatim, in its folder, with their output', () => {
    const app = sqlApp(temp.dir, 'commands', {
      preset: 'commands',
      stop: { shell: 'echo stop >> events.log; echo the app has stopped' },
      start: { argv: ['sh', '-c', 'echo start >> events.log'] },
    });
    const run = lifeboat(['restore', app.snapshot, '--app', app.dir, '--yes'], app.dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /stop: echo stop >> events\.log/, 'shown before it runs');
    assert.match(
      run.stderr,
      /^\$ echo stop >> events\.log; echo the app has stopped\nthe app has stopped$/m,
      'streamed as it runs',
    );
    assert.equal(fs.readFileSync(path.join(app.dir, 'events.log'), 'utf8'), 'stop\nstart\n');
  });

  it('touches nothing when the stop command fails', () => {
    const app = sqlApp(temp.dir, 'stopfails', {
      preset: 'commands',
      stop: { argv: ['sh', '-c', 'echo cannot stop; exit 3'] },
      start: { shell: 'echo start >> events.log' },
    });
    const { code, stderr } = { ...restore(app.dir, app.snapshot) };
    assert.equal(code, 1);
    assert.match(stderr, /exit code 3/);
    assert.match(stderr, /cannot stop/);
    assert.equal(contentDigest(path.join(app.dir, 'app.db')), app.original);
    assert.equal(
      fs.readdirSync(path.join(app.dir, 'backups')).filter((n) => n.includes('pre-restore')).length,
      0,
    );
    assert.equal(
      fs.existsSync(path.join(app.dir, 'events.log')),
      false,
      'nothing was stopped, so nothing is started',
    );
  });

  it('starts the app again when its stop command ran but a process still holds the database', async () => {
    const app = sqlApp(temp.dir, 'still-held', {
      preset: 'commands',
      stop: { shell: 'echo stop >> events.log' },
      start: { shell: 'echo start >> events.log' },
    });
    const holder = await holdFileOpen(path.join(app.dir, 'app.db'));
    try {
      const run = lifeboat(['restore', app.snapshot, '--app', app.dir, '--yes'], app.dir);
      assert.equal(run.code, 1);
      assert.match(
        run.stderr,
        new RegExp(
          `held open by pid ${holder.pid}.*Nothing was changed\\. The app was started again\\.`,
          's',
        ),
      );
    } finally {
      holder.release();
    }
    assert.equal(fs.readFileSync(path.join(app.dir, 'events.log'), 'utf8'), 'stop\nstart\n');
    assert.equal(contentDigest(path.join(app.dir, 'app.db')), app.original);
  });

  it('rolls back when the app never turns healthy, and starts it again on the original', () => {
    const app = sqlApp(temp.dir, 'unhealthy', {
      preset: 'commands',
      stop: { shell: 'echo stop >> events.log' },
      start: { shell: 'echo start >> events.log' },
      healthUrl: 'http://127.0.0.1:9/health',
      timeouts: { healthSeconds: 1 },
    });
    const { code, result } = restore(app.dir, app.snapshot);
    assert.equal(code, 1);
    assert.equal(result.error?.code, 'HEALTH_CHECK_FAILED');
    assert.deepEqual(
      result.rollbackSteps.map((s) => s.step),
      ['stop-app', 'put-back', 'start-app'],
    );
    assert.equal(contentDigest(path.join(app.dir, 'app.db')), app.original);
    assert.equal(fs.readFileSync(path.join(app.dir, 'events.log'), 'utf8'), 'stop\nstart\nstop\nstart\n');
  });

  it('checks the upgrade by what the database holds with its -wal: an upgrade tool that exits without a checkpoint is not taken for a failure', () => {
    // The app's tool commits the migration and exits before closing (as one killed right after its
    // commit): the migration is committed, but only in the -wal. Read without it, the database would
    // look unchanged and a good restore would be rolled back.
    const script = [
      'import os, sqlite3',
      "db = sqlite3.connect('app.db', isolation_level=None)",
      "db.execute('PRAGMA wal_autocheckpoint = 0')",
      "db.execute('BEGIN')",
      "db.execute('ALTER TABLE notes ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0')",
      "db.execute('PRAGMA user_version = 2')",
      "db.execute('COMMIT')",
      "print('migrated', flush=True)",
      'os._exit(0)',
    ].join('\n');
    const app = sqlApp(temp.dir, 'upgrade-left-in-wal', {
      upgrade: { argv: ['/usr/bin/python3', '-c', script] },
    });
    const live = new Database(path.join(app.dir, 'app.db'));
    live.pragma('journal_mode = wal');
    live.close();
    const { code, result } = restore(app.dir, app.snapshot);
    assert.equal(code, 0, JSON.stringify(result.error));
    assert.equal(result.outcome, 'restored');
    assert.ok(
      fs.statSync(path.join(app.dir, 'app.db-wal')).size > 0,
      'the migration is still only in the -wal',
    );
    const restored = new Database(path.join(app.dir, 'app.db'), { readonly: true });
    try {
      assert.equal(restored.pragma('user_version', { simple: true }), 2);
      assert.deepEqual(restored.prepare('SELECT body, pinned FROM notes ORDER BY id').all(), [
        { body: 'first', pinned: 0 },
        { body: 'second', pinned: 0 },
      ]);
    } finally {
      restored.close();
    }
  });

  it('upgrades with the real Alembic: the restored database is at head, as alembic current says', () => {
    const project = new AlembicProject(path.join(temp.dir, 'alembic-app'));
    const { second, snapshot } = usersThenPosts(project);
    fs.writeFileSync(
      path.join(project.dir, 'lifeboat.json'),
      JSON.stringify({
        database: 'sqlite:///app.db',
        run: { upgrade: { argv: ['/usr/bin/python3', '-m', 'alembic', 'upgrade', 'head'] } },
      }),
    );
    const { code, result } = restore(project.dir, snapshot);
    assert.equal(code, 0, JSON.stringify(result.error));
    assert.match(result.steps.find((s) => s.step === 'upgrade')?.note ?? '', /alembic upgrade head/);
    assert.deepEqual(project.ids('current'), [second]);
  });

  it("upgrades a Django project with its virtualenv's python, the command the restore names before it runs", () => {
    const project = new DjangoProject(path.join(temp.dir, 'django-venv'));
    const venv = project.makeVirtualenv();
    project.addApp('notes');
    project.writeModels('notes', 'class Note(models.Model):\n    body = models.TextField()\n');
    project.manage('makemigrations', 'notes');
    project.manage('migrate');
    fs.writeFileSync(
      path.join(project.dir, 'lifeboat.json'),
      JSON.stringify({ database: 'sqlite:///db.sqlite3' }),
    );
    const made = lifeboat(['backup', 'at-initial', '--db', 'db.sqlite3', '--json'], project.dir);
    const snapshot = (JSON.parse(made.stdout) as { snapshot: { file: string } }).snapshot.file;
    // The second migration writes down the interpreter that ran it.
    fs.writeFileSync(
      path.join(project.dir, 'notes', 'migrations', '0002_interpreter.py'),
      [
        'import sys',
        'from django.db import migrations',
        '',
        'def record(apps, schema_editor):',
        "    apps.get_model('notes', 'Note').objects.create(body=sys.prefix)",
        '',
        'class Migration(migrations.Migration):',
        "    dependencies = [('notes', '0001_initial')]",
        '    operations = [migrations.RunPython(record)]',
        '',
      ].join('\n'),
    );
    project.manage('migrate');
    const python = path.join(venv, 'bin', 'python');
    const run = lifeboat(['restore', snapshot, '--app', project.dir, '--yes'], project.dir);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(
      run.stderr.includes(
        `These commands of the app will run, exactly as shown:\n  upgrade: ${python} manage.py migrate\n    (the default for django,`,
      ),
      run.stderr,
    );
    const db = new Database(project.databasePath, { readonly: true });
    const bodies = db.prepare('SELECT body FROM notes_note').all() as { body: string }[];
    db.close();
    assert.deepEqual(bodies, [{ body: venv }], 'the venv python ran the migration, not /usr/bin/python3');
  });

  it('a rehearsal that could not try the upgrade never says it passed without saying so', () => {
    const project = new AlembicProject(path.join(temp.dir, 'alembic-untried'));
    const { snapshot } = usersThenPosts(project);
    // env.py does not read LIFEBOAT_DATABASE_URL: the command would upgrade the live file, so it is not run.
    fs.writeFileSync(
      path.join(project.dir, 'lifeboat.json'),
      JSON.stringify({
        database: 'sqlite:///app.db',
        run: { upgrade: { argv: ['/usr/bin/python3', '-m', 'alembic', 'upgrade', 'head'] } },
      }),
    );
    const json = lifeboat(['restore', snapshot, '--rehearse', '--app', project.dir, '--json'], project.dir);
    assert.equal(json.code, 0, json.stderr);
    const result = json.json<RestoreJson>();
    assert.equal(result.error, null);
    assert.deepEqual(
      result.notTried.map((n) => n.step),
      ['upgrade'],
    );
    assert.match(result.notTried[0]?.reason ?? '', /LIFEBOAT_DATABASE_URL.*it would apply/);
    const human = lifeboat(['restore', snapshot, '--rehearse', '--app', project.dir], project.dir);
    assert.match(
      human.stdout,
      /^Rehearsal passed, but the upgrade was not tried: the app's command works on/,
    );
    assert.doesNotMatch(human.stdout, /would restore over/);
  });

  it('rehearses a real Alembic upgrade on a scratch copy when env.py reads LIFEBOAT_DATABASE_URL, and catches one that fails', () => {
    const project = new AlembicProject(path.join(temp.dir, 'alembic-rehearse'));
    // The three lines the README shows: env.py works on the database Lifeboat names.
    const envPy = path.join(project.dir, 'alembic', 'env.py');
    const readsLifeboatDatabase =
      'config = context.config\nimport os\nif os.environ.get("LIFEBOAT_DATABASE_URL"):\n    config.set_main_option("sqlalchemy.url", os.environ["LIFEBOAT_DATABASE_URL"])\n';
    fs.writeFileSync(
      envPy,
      fs.readFileSync(envPy, 'utf8').replace('config = context.config\n', readsLifeboatDatabase),
    );
    const { snapshot } = usersThenPosts(project);
    fs.writeFileSync(
      path.join(project.dir, 'lifeboat.json'),
      JSON.stringify({
        database: 'sqlite:///app.db',
        run: {
          upgrade: { argv: ['/usr/bin/python3', '-m', 'alembic', 'upgrade', 'head'] },
          upgradeUsesLifeboatDatabase: true,
        },
      }),
    );
    const original = contentDigest(path.join(project.dir, 'app.db'));
    const passed = lifeboat(['restore', snapshot, '--rehearse', '--app', project.dir, '--json'], project.dir);
    assert.equal(passed.code, 0, passed.stderr);
    const result = passed.json<RestoreJson>();
    assert.match(result.steps.find((s) => s.step === 'upgrade')?.note ?? '', /alembic upgrade head/);
    assert.equal(result.steps.find((s) => s.step === 'check')?.note, 'at head');

    // The code's next migration fails half-way: the rehearsal finds out, and nothing live moved.
    const failing = project.revision('add tags');
    const file =
      fs.readdirSync(path.join(project.dir, 'alembic', 'versions')).find((n) => n.startsWith(failing)) ?? '';
    const migration = path.join(project.dir, 'alembic', 'versions', file);
    fs.writeFileSync(
      migration,
      fs
        .readFileSync(migration, 'utf8')
        .replace(
          /def upgrade\(\) -> None:\n {4}pass/,
          "def upgrade() -> None:\n    op.create_table('tags', sa.Column('id', sa.Integer, primary_key=True))\n    raise RuntimeError('tags cannot be added')",
        ),
    );
    const caught = lifeboat(['restore', snapshot, '--rehearse', '--app', project.dir, '--json'], project.dir);
    assert.equal(caught.code, 1);
    const failed = caught.json<RestoreJson>();
    assert.equal(failed.error?.code, 'APP_COMMAND_FAILED');
    assert.match(failed.error?.message ?? '', /tags cannot be added/);
    assert.equal(contentDigest(path.join(project.dir, 'app.db')), original);
    assert.deepEqual(
      fs.readdirSync(path.join(project.dir, 'backups')).filter((n) => n.includes('pre-restore')),
      [],
    );

    // Said to read LIFEBOAT_DATABASE_URL when it does not: the command migrates the live database, and the rehearsal says so.
    fs.writeFileSync(
      envPy,
      fs.readFileSync(envPy, 'utf8').replace(readsLifeboatDatabase, 'config = context.config\n'),
    );
    fs.writeFileSync(
      migration,
      fs.readFileSync(migration, 'utf8').replace("\n    raise RuntimeError('tags cannot be added')", ''),
    );
    const misled = lifeboat(['restore', snapshot, '--rehearse', '--app', project.dir, '--json'], project.dir);
    assert.equal(misled.code, 1);
    assert.match(
      misled.json<RestoreJson>().error?.message ?? '',
      /upgraded the live database, not the rehearsal's copy: it does not read \$LIFEBOAT_DATABASE_URL/,
    );
  });

  it('lifeboat upgrade: nothing at head, a pinned pre-upgrade snapshot and the upgrade when behind', () => {
    const app = sqlApp(temp.dir, 'upgrade-ok', null);
    const atHead = lifeboat(['upgrade', '--app', app.dir, '--json'], app.dir);
    assert.equal(atHead.code, 0, atHead.stderr);
    assert.equal((JSON.parse(atHead.stdout) as { outcome: string }).outcome, 'at-head');
    fs.writeFileSync(
      path.join(app.dir, 'migrations', '003_tags.sql'),
      'CREATE TABLE tags (id INTEGER PRIMARY KEY);',
    );
    const run = lifeboat(['upgrade', '--app', app.dir, '--json'], app.dir);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as { outcome: string; preUpgradeSnapshot: string };
    assert.equal(result.outcome, 'upgraded');
    assert.equal(contentDigest(result.preUpgradeSnapshot), app.original);
    assert.equal(lifeboat(['status', '--db', 'app.db', '--check'], app.dir).code, 0);
  });

  it('lifeboat upgrade: a migration failing half-way exits 1 and leaves the pre-upgrade content live', () => {
    const app = sqlApp(temp.dir, 'upgrade-fails', null);
    fs.writeFileSync(
      path.join(app.dir, 'migrations', '003_half.sql'),
      'CREATE TABLE tags (id INTEGER);\nINSERT INTO no_such_table VALUES (1);',
    );
    const run = lifeboat(['upgrade', '--app', app.dir], app.dir);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /upgrade failed and was undone: .*003_half\.sql failed/);
    assert.equal(contentDigest(path.join(app.dir, 'app.db')), app.original);
    assert.deepEqual(
      fs.readdirSync(app.dir).filter((n) => n.includes('lifeboat-restore')),
      [],
    );
  });

  it('lifeboat upgrade: an upgrade command that changes the database and then fails is undone by restoring the pre-upgrade snapshot', () => {
    const app = sqlApp(temp.dir, 'upgrade-command-fails', {
      upgrade: {
        shell: "sqlite3 app.db 'CREATE TABLE junk (x); PRAGMA user_version = 3;' && echo half-done && exit 4",
      },
    });
    fs.writeFileSync(
      path.join(app.dir, 'migrations', '003_tags.sql'),
      'CREATE TABLE tags (id INTEGER PRIMARY KEY);',
    );
    const run = lifeboat(['upgrade', '--app', app.dir, '--json'], app.dir);
    assert.equal(run.code, 1);
    const result = JSON.parse(run.stdout) as {
      outcome: string;
      error: { code: string; message: string };
      rollback: { outcome: string };
    };
    assert.equal(result.outcome, 'rolled-back');
    assert.equal(result.error.code, 'APP_COMMAND_FAILED');
    assert.match(result.error.message, /exit code 4.*half-done/s);
    assert.equal(result.rollback.outcome, 'restored');
    assert.equal(
      contentDigest(path.join(app.dir, 'app.db')),
      app.original,
      'the junk table is gone, the pre-upgrade content is live',
    );
  });

  it('lifeboat upgrade: Ctrl-C while the upgrade command runs undoes what it changed, never cancelling its own rollback', async () => {
    const app = sqlApp(temp.dir, 'upgrade-interrupted', {
      upgrade: {
        shell: "sqlite3 app.db 'CREATE TABLE junk (x); DELETE FROM notes;' && echo half-done && sleep 60",
      },
    });
    fs.writeFileSync(
      path.join(app.dir, 'migrations', '003_tags.sql'),
      'CREATE TABLE tags (id INTEGER PRIMARY KEY);',
    );
    const dump = (): string =>
      spawnSync('sqlite3', [path.join(app.dir, 'app.db'), '.dump'], { encoding: 'utf8' }).stdout;
    const before = dump();
    const child = spawn(process.execPath, [lifeboatBin, 'upgrade', '--app', app.dir, '--json'], {
      cwd: app.dir,
      env: { ...process.env, LIFEBOAT_DB: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Interrupted once the command has changed the database and sleeps, as a person pressing Ctrl-C would.
    const halfDone = new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        const seen = stderr.includes('half-done');
        stderr += chunk.toString();
        if (!seen && stderr.includes('half-done')) {
          child.kill('SIGINT');
          resolve();
        }
      });
    });
    await Promise.race([halfDone, exited]);
    assert.match(stderr, /half-done/, 'the command ran and its output was passed on');
    const code = await exited;
    assert.equal(code, 130, stderr);
    const result = JSON.parse(stdout) as {
      outcome: string;
      preUpgradeSnapshot: string;
      error: { code: string; message: string };
      rollback: { outcome: string };
    };
    assert.equal(result.outcome, 'rolled-back');
    assert.equal(result.error.code, 'CANCELLED');
    assert.match(result.error.message, /cancelled\. The database was restored from app-.*-pre-upgrade\.db/);
    assert.equal(result.rollback.outcome, 'restored');
    assert.equal(dump(), before, 'the database holds exactly what it held before the upgrade');
    assert.ok(fs.existsSync(result.preUpgradeSnapshot), 'the pre-upgrade snapshot is kept');
    assert.deepEqual(
      fs.readdirSync(app.dir).filter((n) => n.includes('lifeboat-restore')),
      [],
    );
  });
});
