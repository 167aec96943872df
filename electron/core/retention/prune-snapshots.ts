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
import type { SnapshotEntry } from '../../contract/snapshots';
import { sanitizeSlug, snapshotFileName } from '../snapshot-name';
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
  /**
   * A dry run's snapshot still to come: the one a scheduled run takes before it applies the rules, so
   * that the preview shows what that run will delete (its decision is marked `planned`).
   */
  readonly planned?: PlannedSnapshot;
}

/** The snapshot a scheduled run will take: when, and its label. */
export interface PlannedSnapshot {
  readonly time: string;
  readonly label: string;
}

/** The planned snapshot as a listing entry: verified, Lifeboat's, named as it will be. */
function plannedEntry(location: DatabaseLocation, planned: PlannedSnapshot): SnapshotEntry {
  const label = sanitizeSlug(planned.label);
  return {
    file: snapshotFileName(path.basename(location.databasePath), new Date(planned.time), label),
    path: '',
    time: planned.time,
    timeSource: 'recorded',
    label,
    note: null,
    size: 0,
    status: 'verified',
    statusReason: null,
    sha256: null,
    madeBy: 'lifeboat',
    sidecars: [],
    migration: null,
    pinned: false,
    lastVerified: null,
  };
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
  // What the rules decide for the folder (and a snapshot still to come, marked planned).
  const plan = (planned: SnapshotEntry | null): PruneResult['snapshots'] => {
    const listed = listSnapshots(location).snapshots;
    return planRetention(planned === null ? listed : [planned, ...listed], rules, {
      restoreInProgress: restoreInterrupted(location),
    }).map((d) => (d.file === planned?.file ? { ...d, planned: true as const } : d));
  };
  const result = (snapshots: PruneResult['snapshots'], deleted: string[]): PruneResult => ({
    database: location.databasePath,
    backupsDir: location.backupsDir,
    rules,
    dryRun,
    snapshots,
    deleted,
  });
  if (dryRun) {
    const snapshots = plan(request.planned === undefined ? null : plannedEntry(location, request.planned));
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
    const snapshots = plan(null);
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
