import * as path from 'node:path';
import { z } from 'zod';
import { freshnessStateSchema } from '../../contract/schedule';
import { writeFileAtomically } from '../fs/durable-file';
import { ensureOwnFolder, readUntrustedText } from '../fs/untrusted-file';
import { recordsDirName } from '../snapshot/snapshot-records';

/**
 * What the keeper remembers of an app, in `backups/.lifeboat/keeper.json` (beside the records, so it
 * travels with the backups and every keeper of the app sees the same): the last scheduled run, and
 * the freshness it last told people about (alerts go out on a change, never on every success).
 */

const keeperStateSchema = z.object({
  version: z.literal(1),
  lastRun: z
    .object({ at: z.string(), ok: z.boolean(), message: z.string(), snapshot: z.string().nullable() })
    .nullable(),
  /** The freshness people were last told of; null before any alert. */
  alerted: freshnessStateSchema.nullable(),
});
export type KeeperState = z.infer<typeof keeperStateSchema>;

const emptyState: KeeperState = { version: 1, lastRun: null, alerted: null };

export function keeperPaths(backupsDir: string): { state: string; lock: string } {
  const dir = path.join(backupsDir, recordsDirName);
  return { state: path.join(dir, 'keeper.json'), lock: path.join(dir, 'keeper.lock') };
}

// A clock set a little differently on another keeper of the same folder is not a forgery.
const clockSkewMs = 5 * 60 * 1000;

/**
 * The keeper's state; a missing, unreadable or damaged one is a fresh start (the next run is then due).
 * The file is in a folder the app's user may write, so it is evidence only when Lifeboat's user wrote
 * it, and a last run in the future (which would keep the schedule from ever firing) counts as none:
 * either way the run is due, so a forgery can cause one snapshot more, never one less.
 */
export function readKeeperState(backupsDir: string, nowMs = Date.now()): KeeperState {
  const read = readUntrustedText(keeperPaths(backupsDir).state, 64 * 1024);
  const uid = process.getuid?.();
  if (read.kind !== 'text' || (uid !== undefined && read.stat.uid !== uid)) {
    return emptyState;
  }
  let state: KeeperState;
  try {
    state = keeperStateSchema.parse(JSON.parse(read.text));
  } catch {
    return emptyState;
  }
  const lastRunMs = state.lastRun === null ? Number.NaN : Date.parse(state.lastRun.at);
  return state.lastRun !== null && !(lastRunMs <= nowMs + clockSkewMs) ? { ...state, lastRun: null } : state;
}

export function writeKeeperState(backupsDir: string, state: KeeperState): void {
  const file = keeperPaths(backupsDir).state;
  ensureOwnFolder(path.dirname(file));
  writeFileAtomically(file, `${JSON.stringify(state, null, 2)}\n`);
}
