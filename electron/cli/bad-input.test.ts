import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { lifeboat, lifeboatAsync, type CliRun } from '../testing/cli-run';
import { makeTempDir } from '../testing/fixtures';
import { holdExclusiveLock } from '../testing/holding-process';
import { appUser, hostileUserSkip } from '../testing/hostile-user';

/**
 * One code per cause, from every command: each command run with the same bad input through the real
 * CLI says the same code with the same exit status, and changes nothing (the live database and every
 * file of the backups folder byte for byte as they were).
 */

/** Every file under `dir` with the SHA-256 of its bytes: what "nothing changed" means. */
function filesOf(dir: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const name of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const file = path.join(dir, name);
    if (fs.statSync(file).isFile()) {
      found[name] = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    }
  }
  return found;
}

describe('a snapshot name that is not in the backups folder', () => {
  const { dir, cleanup } = makeTempDir();
  after(cleanup);
  const nas = path.join(dir, 'nas');
  let taken = '';
  before(() => {
    fs.mkdirSync(nas);
    const db = new Database(path.join(dir, 'app.db'));
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES (1)');
    db.close();
    const made = lifeboat(['backup', 'nightly', '--db', 'app.db', '--json'], dir);
    assert.equal(made.code, 0, made.stderr);
    taken = made.json<{ snapshot: { file: string } }>().snapshot.file;
  });

  const commands: readonly (readonly string[])[] = [
    ['verify', 'NAME'],
    ['restore', 'NAME', '--yes'],
    ['restore', 'NAME', '--to', 'copy.db'],
    ['restore', 'NAME', '--rehearse'],
    ['pin', 'NAME'],
    ['unpin', 'NAME'],
    ['delete', 'NAME', '--yes'],
    ['diff', 'NAME', 'live'],
    ['export', 'NAME', '--table', 'notes'],
    ['push', 'NAME', '--target', `file://${nas}`],
  ];
  for (const args of commands) {
    it(`${args.join(' ')}: SNAPSHOT_NOT_FOUND, exit 1, the closest names suggested, nothing changed`, () => {
      const before = filesOf(dir);
      // The snapshot's label alone, as people remember it, and a name no snapshot is like.
      for (const [name, says] of [
        ['nightly', `Did you mean "${taken}"?`],
        ['zzz.db', 'See the snapshots with "lifeboat list".'],
      ] as const) {
        const run = lifeboat(
          [...args.map((a) => (a === 'NAME' ? name : a)), '--db', 'app.db', '--json'],
          dir,
        );
        assert.equal(run.code, 1, run.stdout + run.stderr);
        const { error } = run.json<{ error: { code: string; message: string } }>();
        assert.equal(error.code, 'SNAPSHOT_NOT_FOUND');
        assert.ok(error.message.endsWith(says), error.message);
      }
      assert.deepEqual(filesOf(dir), before);
    });
  }
});

/**
 * Every command with every bad input about the live database or its backups folder: the expected
 * outcome of each cell is the table in docs/cli.md ("One cause, one code"). A command that does not
 * need what is wrong does its job (exit 0); one that does says the cause's code with its exit status,
 * and then nothing changed: every file and folder byte for byte (a failure's line in the activity log
 * is a record, not a change).
 */
const everyCommand = {
  backup: ['backup', 'nightly'],
  'backup --require-db': ['backup', 'nightly', '--require-db'],
  list: ['list'],
  verify: ['verify'],
  'verify NAME': ['verify', 'NAME'],
  info: ['info'],
  check: ['check'],
  status: ['status'],
  migrate: ['migrate', '--migrations', 'migrations'],
  upgrade: ['upgrade', '--migrations', 'migrations', '--tool', 'user-version'],
  restore: ['restore', 'NAME', '--yes'],
  pin: ['pin', 'NAME'],
  unpin: ['unpin', 'NAME'],
  delete: ['delete', 'NAME', '--yes'],
  prune: ['prune', '--keep-last', '1', '--yes'],
  'run-due': ['run-due'],
  diff: ['diff', 'NAME', 'live'],
  'export NAME': ['export', 'NAME', '--table', 'notes'],
  'export live': ['export', 'live', '--table', 'notes'],
  push: ['push', 'NAME', '--target', 'file://NAS'],
} as const;
type CommandName = keyof typeof everyCommand;

/** `ok`: the command does its job (exit 0); a number: that exit status without an error (check's 5); else the error code. */
type Outcome = 'ok' | 5 | 'DB_NOT_FOUND' | 'NOT_A_DATABASE' | 'DB_LOCKED' | 'PERMISSION_DENIED';

/** What a run of an outcome prints: its exit status, and its code when it fails. */
function wantedOf(outcome: Exclude<Outcome, 5>): string {
  return outcome === 'ok' ? 'exit 0' : `exit 1 ${outcome}`;
}

/** Every file and folder under `dir` (a folder as "folder", a file as its SHA-256), without the activity log's folder. */
function treeOf(dir: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const name of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!name.startsWith(path.join('backups', '.lifeboat', path.sep))) {
      const file = path.join(dir, name);
      found[name] = fs.statSync(file).isDirectory()
        ? 'folder'
        : crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    }
  }
  return found;
}

const rows: readonly {
  readonly input: string;
  readonly skip?: string | false;
  /** Makes the input bad in the app folder `dir` (a copy of the template); returns what to undo. */
  readonly spoil: (dir: string) => Promise<() => void> | (() => void);
  /** Lifeboat's user for this row: the app's user for the unreadable folder (root reads any folder). */
  readonly asAppUser?: boolean;
  readonly expected: Record<CommandName, Outcome>;
}[] = [
  {
    input: 'a database that does not exist',
    spoil: (dir) => {
      fs.rmSync(path.join(dir, 'app.db'));
      return () => undefined;
    },
    // Snapshots stay reachable without their database (the day it is lost); backup is "nothing to
    // back up" for entrypoints; migrate, upgrade and restore make the file, as the app's first start would.
    expected: {
      backup: 'ok',
      'backup --require-db': 'DB_NOT_FOUND',
      list: 'ok',
      verify: 'ok',
      'verify NAME': 'ok',
      info: 'ok',
      check: 5,
      status: 'ok',
      migrate: 'ok',
      upgrade: 'ok',
      restore: 'ok',
      pin: 'ok',
      unpin: 'ok',
      delete: 'ok',
      prune: 'ok',
      'run-due': 'ok',
      diff: 'DB_NOT_FOUND',
      'export NAME': 'ok',
      'export live': 'DB_NOT_FOUND',
      push: 'ok',
    },
  },
  {
    input: 'a database file that is not a database',
    spoil: (dir) => {
      fs.writeFileSync(path.join(dir, 'app.db'), 'not a database, '.repeat(20));
      return () => undefined;
    },
    expected: {
      backup: 'NOT_A_DATABASE',
      'backup --require-db': 'NOT_A_DATABASE',
      list: 'ok',
      verify: 'ok',
      'verify NAME': 'ok',
      info: 'NOT_A_DATABASE',
      check: 5,
      status: 'NOT_A_DATABASE',
      migrate: 'NOT_A_DATABASE',
      upgrade: 'NOT_A_DATABASE',
      restore: 'NOT_A_DATABASE',
      pin: 'ok',
      unpin: 'ok',
      delete: 'ok',
      prune: 'ok',
      'run-due': 'NOT_A_DATABASE',
      diff: 'NOT_A_DATABASE',
      'export NAME': 'ok',
      'export live': 'NOT_A_DATABASE',
      push: 'ok',
    },
  },
  {
    input: 'a database another process holds an exclusive lock on',
    spoil: async (dir) => {
      const holder = await holdExclusiveLock(path.join(dir, 'app.db'));
      return () => holder.release();
    },
    // A lock is a moment of the app's, not a problem of it: check does not open the database.
    expected: {
      backup: 'DB_LOCKED',
      'backup --require-db': 'DB_LOCKED',
      list: 'ok',
      verify: 'ok',
      'verify NAME': 'ok',
      info: 'DB_LOCKED',
      check: 'ok',
      status: 'DB_LOCKED',
      migrate: 'DB_LOCKED',
      upgrade: 'DB_LOCKED',
      restore: 'DB_LOCKED',
      pin: 'ok',
      unpin: 'ok',
      delete: 'ok',
      prune: 'ok',
      'run-due': 'DB_LOCKED',
      diff: 'DB_LOCKED',
      'export NAME': 'ok',
      'export live': 'DB_LOCKED',
      push: 'ok',
    },
  },
  {
    input: 'a backups folder Lifeboat may not read',
    skip: hostileUserSkip,
    asAppUser: true,
    spoil: (dir) => {
      for (const name of ['', ...fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })]) {
        fs.lchownSync(path.join(dir, name), appUser.uid, appUser.gid);
      }
      // Root's, mode 000: the app's user, as which Lifeboat runs here, may neither list nor enter it.
      fs.chownSync(path.join(dir, 'backups'), 0, 0);
      fs.chmodSync(path.join(dir, 'backups'), 0o000);
      return () => fs.chmodSync(path.join(dir, 'backups'), 0o755);
    },
    // status, migrate and reading the live database need no backups folder.
    expected: {
      backup: 'PERMISSION_DENIED',
      'backup --require-db': 'PERMISSION_DENIED',
      list: 'PERMISSION_DENIED',
      verify: 'PERMISSION_DENIED',
      'verify NAME': 'PERMISSION_DENIED',
      info: 'PERMISSION_DENIED',
      check: 'PERMISSION_DENIED',
      status: 'ok',
      migrate: 'ok',
      upgrade: 'PERMISSION_DENIED',
      restore: 'PERMISSION_DENIED',
      pin: 'PERMISSION_DENIED',
      unpin: 'PERMISSION_DENIED',
      delete: 'PERMISSION_DENIED',
      prune: 'PERMISSION_DENIED',
      'run-due': 'PERMISSION_DENIED',
      diff: 'PERMISSION_DENIED',
      'export NAME': 'PERMISSION_DENIED',
      'export live': 'ok',
      push: 'PERMISSION_DENIED',
    },
  },
];

describe('every command with every bad input: one code per cause, nothing changed', () => {
  const { dir, cleanup } = makeTempDir();
  after(cleanup);
  const template = path.join(dir, 'template');
  let snapshot = '';
  before(() => {
    // Open to the app's user (the unreadable-folder row runs Lifeboat as that user in a copy of it).
    fs.chmodSync(dir, 0o755);
    fs.mkdirSync(path.join(template, 'migrations'), { recursive: true });
    const db = new Database(path.join(template, 'app.db'));
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES (1)');
    db.pragma('user_version = 1');
    db.close();
    fs.writeFileSync(
      path.join(template, 'migrations', '001_notes.sql'),
      'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);',
    );
    fs.writeFileSync(path.join(template, 'migrations', '002_tags.sql'), 'CREATE TABLE tags (name TEXT);');
    // run-due has a schedule to run.
    fs.writeFileSync(path.join(template, 'lifeboat.json'), JSON.stringify({ schedule: { every: '6h' } }));
    fs.mkdirSync(path.join(template, 'nas'));
    const made = lifeboat(['backup', 'nightly', '--db', 'app.db', '--json'], template);
    assert.equal(made.code, 0, made.stderr);
    snapshot = made.json<{ snapshot: { file: string } }>().snapshot.file;
  });

  for (const row of rows) {
    // Each command in its own copy of the app folder, all at once: a snapshot waits a minute for a lock.
    it(row.input, { skip: row.skip ?? false }, async () => {
      const runs = (Object.keys(everyCommand) as CommandName[]).map(async (name, n) => {
        const app = path.join(dir, `${row.input.replaceAll(' ', '-')}-${n}`);
        fs.cpSync(template, app, { recursive: true });
        const undo = await row.spoil(app);
        try {
          const before = treeOf(app);
          const args = everyCommand[name].map((a) =>
            a === 'NAME' ? snapshot : a.replace('NAS', path.join(app, 'nas')),
          );
          const run: CliRun = await lifeboatAsync(
            [...args, '--db', 'app.db', '--json'],
            app,
            {},
            row.asAppUser === true ? appUser : undefined,
          );
          return { name, run, changed: !isDeepStrictEqual(treeOf(app), before) };
        } finally {
          undo();
        }
      });
      const seen: Record<string, string> = {};
      const wanted: Record<string, string> = {};
      for (const { name, run, changed } of await Promise.all(runs)) {
        const expected = row.expected[name];
        const error =
          run.code === 0 || run.code === 5 ? null : run.json<{ error: { code: string } }>().error.code;
        seen[name] =
          `exit ${String(run.code)}${error === null ? '' : ` ${error}`}${error !== null && changed ? ' (changed files)' : ''}`;
        wanted[name] = typeof expected === 'number' ? `exit ${expected}` : wantedOf(expected);
      }
      assert.deepEqual(seen, wanted);
    });
  }
});
