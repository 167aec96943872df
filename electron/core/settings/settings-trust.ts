import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Whether Lifeboat may act on a settings file: the rule sshd's StrictModes applies to
 * `authorized_keys`. The file and every folder above it must belong to Lifeboat's user or root, and
 * nobody else may write them; otherwise whoever can (the app's user, when Lifeboat runs as root over
 * the app's folders) could replace the file and make Lifeboat run commands, delete files or send the
 * data elsewhere.
 */

interface Identity {
  readonly uid: number;
  readonly gid: number;
}

function ownIdentity(): Identity | null {
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  // Windows: no owners to compare; an app there cannot write what its administrator runs from.
  return uid === undefined || gid === undefined ? null : { uid, gid };
}

const stickyBit = 0o1000;

/** What is wrong with one file or folder of the chain, or null when only Lifeboat's user or root can change it. */
function entryProblem(what: string, stat: fs.Stats, self: Identity): string | null {
  if (stat.uid !== self.uid && stat.uid !== 0) {
    return `${what} is owned by uid ${stat.uid}`;
  }
  // A folder like /tmp (root's, sticky) lets others add names but not replace or remove ours.
  if (stat.isDirectory() && (stat.mode & stickyBit) !== 0 && (stat.uid === 0 || stat.uid === self.uid)) {
    return null;
  }
  if ((stat.mode & 0o002) !== 0) {
    return `${what} is writable by every user`;
  }
  // Writable by its group only matters when that group is not root's or Lifeboat's own.
  if ((stat.mode & 0o020) !== 0 && stat.gid !== 0 && stat.gid !== self.gid) {
    return `${what} is writable by group ${stat.gid}`;
  }
  return null;
}

/**
 * Why Lifeboat must not act on the settings file at `filePath` (whose descriptor's stat is `stat`),
 * e.g. "it is owned by uid 65534" or "its folder /srv/app is writable by every user"; null when it may.
 */
export function settingsTrustProblem(filePath: string, stat: fs.Stats): string | null {
  const self = ownIdentity();
  if (self === null) {
    return null;
  }
  const fileProblem = entryProblem('it', stat, self);
  if (fileProblem !== null) {
    return fileProblem;
  }
  // The real folders, as the kernel walks them: a link on the way is judged by where it leads.
  let dir = fs.realpathSync(path.dirname(filePath));
  for (;;) {
    const problem = entryProblem(`its folder ${dir}`, fs.statSync(dir), self);
    if (problem !== null) {
      return problem;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      return null;
    }
    dir = parent;
  }
}
