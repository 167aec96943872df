import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CommandUser } from '../../contract/app-run';
import { LifeboatFailure } from '../lifeboat-failure';

/**
 * Who runs the app's own commands (stop, start, upgrade), and with what environment. Lifeboat often
 * runs as root over folders the app's user owns: the app's code runs as that user, never as root,
 * unless a setting Lifeboat trusts says `"runAs": "root"`.
 */

/** A user to run a command as, with the home its environment names. */
export interface RunUser extends CommandUser {
  readonly home: string;
}

/** A user's name and home from /etc/passwd (root's own file); null when it has no entry. */
function passwdEntry(uid: number): { name: string; home: string } | null {
  let text: string;
  try {
    text = fs.readFileSync('/etc/passwd', 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    const [name, , id, , , home] = line.split(':');
    if (name !== undefined && home !== undefined && id === String(uid)) {
      return { name, home };
    }
  }
  return null;
}

function userOf(uid: number | null, gid: number | null, why: CommandUser['why']): RunUser {
  const entry = uid === null ? null : passwdEntry(uid);
  return {
    uid,
    gid,
    name: entry?.name ?? null,
    home: entry?.home ?? (uid === null ? os.homedir() : '/'),
    why,
  };
}

/** Lifeboat's own user: what a preset's command runs as, and every command when Lifeboat is not root. */
export function lifeboatUser(why: 'preset' | 'lifeboat-not-root'): RunUser {
  return userOf(process.getuid?.() ?? null, process.getgid?.() ?? null, why);
}

/**
 * The user the app's commands run as: as root, the owner of the live database (lstat: a link's
 * target, /etc/shadow say, is not the app), or of its folder when there is no database yet; root when
 * `runAs` is "root". Not root, Lifeboat cannot switch: its own user.
 */
export function appCommandUser(databasePath: string, runAs: 'app' | 'root'): RunUser {
  if (process.getuid?.() !== 0) {
    return lifeboatUser('lifeboat-not-root');
  }
  if (runAs === 'root') {
    return userOf(0, 0, 'run-as-root');
  }
  const database = ownerOf(databasePath);
  if (database !== null) {
    return userOf(database.uid, database.gid, 'database-owner');
  }
  const folder = ownerOf(path.dirname(databasePath));
  if (folder === null) {
    throw new LifeboatFailure(
      'DB_NOT_FOUND',
      `${path.dirname(databasePath)} does not exist: Lifeboat cannot tell whose app this is, so it runs none of its commands.`,
      databasePath,
    );
  }
  return userOf(folder.uid, folder.gid, 'folder-owner');
}

/** Who owns the entry at `p` (never following a link); null when there is none. */
function ownerOf(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return null;
    }
    throw error;
  }
}

/** The uid and gid a command switches to; null when it runs as Lifeboat's own user. */
export function switchedIds(user: CommandUser): { uid: number; gid: number } | null {
  return user.uid === null || user.gid === null || user.uid === process.getuid?.()
    ? null
    : { uid: user.uid, gid: user.gid };
}

/** What the commands get of Lifeboat's environment: the search path, the language and time zone (and what Windows needs to start a program). */
const passedThrough = ['PATH', 'LANG', 'LC_ALL', 'TZ', 'SystemRoot', 'ComSpec', 'PATHEXT'];

/**
 * A command's environment, built from nothing: the allow-listed variables of Lifeboat's, HOME (the
 * user's home), the run settings' `env`, and the LIFEBOAT_* variables naming the database. Nothing
 * else of Lifeboat's (its AWS, SMTP or SSH-agent variables, tokens) reaches the app's command.
 */
export function commandEnvironment(
  user: RunUser,
  runEnv: Readonly<Record<string, string>>,
  lifeboatVariables: Readonly<Record<string, string>>,
): Record<string, string> {
  const kept = passedThrough.flatMap((name) => {
    const value = process.env[name];
    return value === undefined ? [] : [[name, value] as const];
  });
  return { ...Object.fromEntries(kept), HOME: user.home, ...runEnv, ...lifeboatVariables };
}
