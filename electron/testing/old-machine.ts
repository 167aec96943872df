import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PushResult } from '../contract/offsite';
import { lifeboatAsync, type CliRun } from './cli-run';

/**
 * Machine A of the day the server dies (#29): an app protected with offsite targets, whose copies
 * another machine restores. Shared by the CLI test and the first-run spec in Chromium.
 */

/** The host name machine A pushes under, and the app (its folder's name). */
export const oldHost = 'old-server';
export const oldApp = 'notes';
/** The Alembic revision machine A's database records. */
export const oldRevision = '4f2a9c1d0b7e';
export const oldLabel = 'before-the-crash';

/** A key made by Debian's age-keygen: its file, identity line and recipient. */
export function ageKey(dir: string): { file: string; identity: string; recipient: string } {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'key.txt');
  const made = spawnSync('age-keygen', ['-o', file], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  const identity = /AGE-SECRET-KEY-[0-9A-Z]+/.exec(fs.readFileSync(file, 'utf8'))?.[0] ?? '';
  const recipient = /age1[0-9a-z]+/.exec(made.stderr)?.[0] ?? '';
  return { file, identity, recipient };
}

/**
 * Machine A in `dir`: an Alembic app writing in WAL mode in `srv/notes`, its lifeboat.json naming
 * `offsite`; one snapshot taken, verified and pushed to every target (each must take it) by the real
 * CLI as host `old-server`, with `env` (HOME for SSH, AWS keys). Returns the snapshot's path there.
 */
export async function pushFromOldMachine(
  dir: string,
  offsite: readonly object[],
  env: Record<string, string>,
): Promise<string> {
  const appDir = path.join(dir, 'srv', oldApp);
  fs.mkdirSync(appDir, { recursive: true });
  const db = new Database(path.join(appDir, 'app.db'));
  db.pragma('journal_mode = wal');
  db.exec(`CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);
    INSERT INTO alembic_version VALUES ('${oldRevision}');
    CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);`);
  const insert = db.prepare('INSERT INTO notes (body) VALUES (?)');
  for (let i = 0; i < 500; i += 1) {
    insert.run(crypto.randomBytes(100).toString('hex'));
  }
  db.close();
  fs.writeFileSync(path.join(appDir, 'lifeboat.json'), JSON.stringify({ database: 'app.db', offsite }));
  const run = (args: string[]): Promise<CliRun> =>
    lifeboatAsync(args, appDir, { ...env, LIFEBOAT_HOST: oldHost, SSH_AUTH_SOCK: '' });
  const made = await run(['backup', oldLabel, '--app', appDir, '--json']);
  assert.equal(made.code, 0, made.stderr);
  const file = made.json<{ snapshot: { file: string } }>().snapshot.file;
  const verified = await run(['verify', file, '--app', appDir]);
  assert.equal(verified.code, 0, verified.stderr);
  const pushed = await run(['push', '--app', appDir, '--json']);
  assert.equal(pushed.code, 0, pushed.stderr);
  assert.deepEqual(
    pushed.json<PushResult>().targets.map((t) => [t.pushed.length, t.error]),
    offsite.map(() => [1, null]),
  );
  return path.join(appDir, 'backups', file);
}

/** A HOME for machine B: nothing of Lifeboat's, only the SSH key and known host a person brings. */
export function newMachineHome(dir: string, sshHome: string): string {
  const home = path.join(dir, 'home');
  fs.mkdirSync(path.join(home, '.ssh'), { recursive: true, mode: 0o700 });
  for (const file of ['id_ed25519', 'known_hosts']) {
    fs.copyFileSync(path.join(sshHome, '.ssh', file), path.join(home, '.ssh', file));
  }
  return home;
}
