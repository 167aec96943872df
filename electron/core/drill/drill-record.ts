import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { DrillResult } from '../../contract/drill';
import { writeFileAtomically } from '../fs/durable-file';
import { ensureOwnFolder, readOwnText } from '../fs/untrusted-file';
import { parseDrillResult } from './drill-status';

/**
 * The last drill of each database, in Lifeboat's own data folder (`drills/<hash of the path>.json`),
 * never in the app's folders: whether a copy was proven restorable is evidence, and the app's user
 * must not be able to write it. Scratch copies go beside it, in `drill-scratch/`.
 */

export function drillScratchRoot(dataDir: string): string {
  return path.join(dataDir, 'drill-scratch');
}

function recordPath(dataDir: string, databasePath: string): string {
  const key = createHash('sha256').update(databasePath).digest('hex').slice(0, 32);
  return path.join(dataDir, 'drills', `${key}.json`);
}

export function recordDrill(dataDir: string, result: DrillResult): void {
  const file = recordPath(dataDir, result.database);
  ensureOwnFolder(path.dirname(file));
  writeFileAtomically(file, `${JSON.stringify(result, null, 2)}\n`, 0o600);
}

/** The last drill of the database as Lifeboat recorded it; null when none is (or the file is not Lifeboat's). */
export function lastDrill(dataDir: string, databasePath: string): DrillResult | null {
  const read = readOwnText(recordPath(dataDir, databasePath), 1024 * 1024);
  if (read.kind !== 'text') {
    return null;
  }
  try {
    const result = parseDrillResult(JSON.parse(read.text));
    return result?.database === databasePath ? result : null;
  } catch {
    return null;
  }
}
