import * as fs from 'node:fs';
import * as path from 'node:path';
import { closestNames } from '../closest-names';
import { LifeboatFailure } from '../lifeboat-failure';

/** The snapshots a mistyped or half-remembered name may mean: the closest, else those that contain it (a label). */
function likelyNames(backupsDir: string, typed: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(backupsDir).filter((n) => !n.startsWith('.'));
  } catch {
    return [];
  }
  const closest = closestNames(typed, names);
  const containing =
    typed.length >= 3
      ? names
          .filter((n) => n.includes(typed))
          .sort()
          .reverse()
      : [];
  return [...new Set([...closest, ...containing])].slice(0, 3);
}

/**
 * Resolves a snapshot named by a person or the UI to a file directly inside the backups folder.
 * A name or path that leads anywhere else is refused, so no argument can reach outside the folder.
 */
export function resolveSnapshotPath(backupsDir: string, nameOrPath: string, cwd: string): string {
  const candidate =
    path.isAbsolute(nameOrPath) || nameOrPath.includes(path.sep)
      ? path.resolve(cwd, nameOrPath)
      : path.join(backupsDir, nameOrPath);
  if (
    path.dirname(candidate) !== path.resolve(backupsDir) ||
    path.basename(candidate) === '' ||
    nameOrPath === '.' ||
    nameOrPath === '..'
  ) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `"${nameOrPath}" is not a file in the backups folder ${backupsDir}. Pass a name from "lifeboat list".`,
    );
  }
  // One code for one cause, whatever the command: a name that is not there (a link is there, and is refused later).
  if (fs.lstatSync(candidate, { throwIfNoEntry: false }) === undefined) {
    const likely = likelyNames(backupsDir, path.basename(candidate));
    throw new LifeboatFailure(
      'SNAPSHOT_NOT_FOUND',
      `${path.basename(candidate)} is not in the backups folder ${backupsDir}.${likely.length === 0 ? ' See the snapshots with "lifeboat list".' : ` Did you mean ${likely.map((n) => `"${n}"`).join(' or ')}?`}`,
      candidate,
    );
  }
  return candidate;
}
