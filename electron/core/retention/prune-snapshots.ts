import * as path from 'node:path';
import {
  hasNoRules,
  ruleFlag,
  retentionRuleNames,
  type PruneResult,
  type RetentionRules,
} from '../../contract/retention';
import type { DatabaseLocation } from '../database-location';
import { whileLocked } from '../fs/lock-file';
import type { JobControl } from '../job-control';
import { LifeboatFailure } from '../lifeboat-failure';
import { readJournal, restorePaths } from '../restore/restore-journal';
import { listSnapshots } from '../snapshot/list-snapshots';
import { removeSnapshots, requireDeletable } from '../snapshot/pin-snapshots';
import { readRecord } from '../snapshot/snapshot-records';
import { planRetention } from './plan-retention';

export interface PruneRequest {
  readonly location: DatabaseLocation;
  readonly rules: RetentionRules;
  readonly dryRun: boolean;
  /**
   * The files the user was shown as deletions and agreed to: only these may go, even when the folder
   * changed since (a new snapshot can push another one out of the rules; that waits for the next prune).
   */
  readonly confirmed?: readonly string[];
}

/** The rules in the words of the command line: "--keep-daily 7 --keep-weekly 4". */
export function rulesText(rules: RetentionRules): string {
  return retentionRuleNames
    .flatMap((name) => (rules[name] === undefined ? [] : [`${ruleFlag(name)} ${String(rules[name])}`]))
    .join(' ');
}

/** True when a restore was interrupted (its journal, even a damaged one, is beside the database). */
function restoreInterrupted(location: DatabaseLocation): boolean {
  try {
    return readJournal(location) !== null;
  } catch {
    return true;
  }
}

/**
 * Applies retention rules to the backups folder: plans every snapshot's fate, then (unless a dry run)
 * deletes what no rule keeps, holding the database's restore lock so that no restore starts meanwhile
 * and none is under way. Each file is checked again just before it goes (still a snapshot, still unpinned).
 */
export async function pruneSnapshots(request: PruneRequest, control: JobControl): Promise<PruneResult> {
  const { location, rules, dryRun } = request;
  if (hasNoRules(rules)) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `No retention rules for ${location.databasePath}: set "retention" in lifeboat.json (or in the app's settings), or pass --keep-last, --keep-daily, … Nothing was deleted.`,
    );
  }
  control.report('Reading the backups folder', 0);
  const plan = (): PruneResult['snapshots'] =>
    planRetention(listSnapshots(location).snapshots, rules, {
      restoreInProgress: restoreInterrupted(location),
    });
  const result = (snapshots: PruneResult['snapshots'], deleted: string[]): PruneResult => ({
    database: location.databasePath,
    backupsDir: location.backupsDir,
    rules,
    dryRun,
    snapshots,
    deleted,
  });
  if (dryRun) {
    const snapshots = plan();
    control.report('Done', 1);
    return result(snapshots, []);
  }
  const refused = (heldBy: number | null): LifeboatFailure =>
    new LifeboatFailure(
      'RESTORE_IN_PROGRESS',
      `A restore of ${location.databasePath} is under way (process ${String(heldBy)}): nothing was pruned. Prune again when it has finished.`,
      location.databasePath,
    );
  return whileLocked(restorePaths(location.databasePath).lock, refused, () => {
    const snapshots = plan();
    const confirmed = request.confirmed === undefined ? null : new Set(request.confirmed);
    const doomed = snapshots
      .filter((d) => d.decision === 'delete' && (confirmed === null || confirmed.has(d.file)))
      .map((d) => path.join(location.backupsDir, d.file))
      .filter((filePath) => readRecord(location.backupsDir, path.basename(filePath))?.pinned !== true);
    doomed.forEach((filePath) => requireDeletable(filePath, location.databasePath));
    control.throwIfCancelled();
    const deleted = removeSnapshots(location.backupsDir, doomed, control);
    control.report('Done', 1);
    return Promise.resolve(result(snapshots, deleted));
  });
}
