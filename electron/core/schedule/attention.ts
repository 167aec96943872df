import type { DrillStatus } from '../../contract/drill';
import type { Freshness } from '../../contract/schedule';
import type { SnapshotEntry } from '../../contract/snapshots';

/** What needs the user about one app, most urgent first: the status dot shows the first, `lifeboat check` all. */
export interface Attention {
  readonly kind:
    | 'interrupted-restore'
    | 'no-database'
    | 'not-a-database'
    | 'damaged'
    | 'failing'
    | 'never'
    | 'stale'
    | 'drill';
  readonly message: string;
}

/** Damaged files: a snapshot that fails its check, or one cut short. Not-a-database files are someone else's. */
export function damagedSnapshots(snapshots: readonly SnapshotEntry[]): SnapshotEntry[] {
  return snapshots.filter((s) => s.status === 'corrupt' || s.status === 'incomplete');
}

export function attentionOf(facts: {
  /** Why a restore is unfinished (or its journal cannot be trusted); null when none is. */
  readonly interrupted: string | null;
  /** Why the keeper cannot look after the app (its folders, lifeboat.json or schedule); null when it can. */
  readonly keeperProblem: string | null;
  readonly exists: boolean;
  /** The live file is there but is not an SQLite database (a wrong path, a file overwritten). */
  readonly notADatabase?: boolean;
  readonly damaged: readonly SnapshotEntry[];
  readonly freshness: Freshness;
  /** The drills of the offsite copies; null when none is set and none ran. */
  readonly drill: DrillStatus | null;
}): Attention[] {
  const { freshness, damaged } = facts;
  const found: Attention[] = [];
  if (facts.interrupted !== null) {
    found.push({ kind: 'interrupted-restore', message: facts.interrupted });
  }
  if (facts.keeperProblem !== null) {
    found.push({ kind: 'failing', message: facts.keeperProblem });
  }
  if (!facts.exists) {
    found.push({ kind: 'no-database', message: 'The database file does not exist yet: nothing to back up.' });
  }
  if (facts.notADatabase === true) {
    found.push({
      kind: 'not-a-database',
      message: 'The database file is not an SQLite database: no snapshot can be taken of it. Check the path.',
    });
  }
  if (damaged.length > 0) {
    found.push({
      kind: 'damaged',
      message: `${damaged.length} damaged or incomplete file(s) in the backups folder: ${damaged.map((s) => `${s.file} (${s.status})`).join(', ')}.`,
    });
  }
  if (freshness.state !== 'fresh') {
    found.push({ kind: freshness.state, message: freshness.reason });
  }
  // Not proven restorable lately: a drill failed, or is overdue by its schedule.
  if (facts.drill !== null && (facts.drill.result === 'failed' || facts.drill.overdue)) {
    found.push({ kind: 'drill', message: `Offsite copies ${facts.drill.text}.` });
  }
  return found;
}
