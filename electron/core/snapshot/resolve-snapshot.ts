import * as path from 'node:path';
import { LifeboatFailure } from '../lifeboat-failure';

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
  return candidate;
}
