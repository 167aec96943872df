import * as path from 'node:path';
import type { DatabaseLocation } from '../database-location';
import { sideOf } from '../diff/diff-databases';
import type { JobRequestOf } from '../jobs/job-requests';
import { LifeboatFailure } from '../lifeboat-failure';
import type { MigrationSetup } from '../migrations/migration-reader';
import type { AppSettings } from '../restore/app-plan';
import { checkedLastRestore, type LastRestore } from '../restore/last-restore';
import { listSnapshots } from '../snapshot/list-snapshots';
import { resolveSnapshotPath } from '../snapshot/resolve-snapshot';

/**
 * The verbs Lifeboat offers on an app, in one place: what each asks of a job, and the rules that go
 * with it (which snapshot an undo puts back, what "verify" means without names). The CLI, the
 * service behind the desktop app and the web host, and `lifeboat rpc` for a hub all call these, so a
 * verb means the same thing wherever it is asked for; they differ only in how they ask and show.
 */

/** The app a verb works on: its database, its settings, and where names of snapshots are resolved from. */
export interface VerbTarget {
  readonly location: DatabaseLocation;
  /** Read when a verb needs them (a restore, an upgrade): a damaged lifeboat.json stops only those. */
  readonly settings: () => AppSettings;
  /** Where a snapshot named by a path is looked for: the CLI's working folder; the backups folder elsewhere. */
  readonly namesFrom: string;
}

function snapshotPath(target: VerbTarget, name: string): string {
  return resolveSnapshotPath(target.location.backupsDir, name, target.namesFrom);
}

/** The snapshots named (at least one), each resolved inside the app's backups folder. */
function snapshotPaths(target: VerbTarget, names: readonly string[], verb: string): string[] {
  if (names.length === 0) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `${verb} takes one or more SNAPSHOT names from "lifeboat list".`,
    );
  }
  return names.map((name) => snapshotPath(target, name));
}

export function snapshotVerb(
  target: VerbTarget,
  what: { readonly label?: string | undefined; readonly note?: string | undefined },
): JobRequestOf<'snapshot'> {
  return { kind: 'snapshot', input: { location: target.location, reason: what.label, note: what.note } };
}

/** Verifies the snapshots named, or every snapshot of the app when none is. */
export function verifyVerb(target: VerbTarget, names: readonly string[]): JobRequestOf<'verify'> {
  const { backupsDir } = target.location;
  const all = names.length === 0 ? listSnapshots(target.location).snapshots.map((s) => s.file) : names;
  return { kind: 'verify', input: { backupsDir, paths: all.map((name) => snapshotPath(target, name)) } };
}

export function listVerb(
  target: VerbTarget,
  setup: MigrationSetup | null,
  offsiteTargets: readonly string[] = [],
): JobRequestOf<'list'> {
  return { kind: 'list', input: { location: target.location, setup, offsiteTargets } };
}

export function pinVerb(target: VerbTarget, names: readonly string[], pinned: boolean): JobRequestOf<'pin'> {
  const paths = snapshotPaths(target, names, pinned ? 'pin' : 'unpin');
  return { kind: 'pin', input: { backupsDir: target.location.backupsDir, paths, pinned } };
}

export function deleteVerb(target: VerbTarget, names: readonly string[]): JobRequestOf<'delete'> {
  const { backupsDir, databasePath } = target.location;
  return {
    kind: 'delete',
    input: { backupsDir, databasePath, paths: snapshotPaths(target, names, 'delete') },
  };
}

/** Compares two snapshots (or "live"), all tables or one. */
export function diffVerb(target: VerbTarget, a: string, b: string, table?: string): JobRequestOf<'diff'> {
  const side = (name: string) => sideOf(target.location, name, target.namesFrom);
  return { kind: 'diff', input: { a: side(a), b: side(b), ...(table === undefined ? {} : { table }) } };
}

/** What a restore of the snapshot would do, changing nothing. */
export function previewVerb(
  target: VerbTarget,
  name: string,
  undo: boolean,
): JobRequestOf<'restore-preview'> {
  const input = {
    location: target.location,
    snapshotPath: snapshotPath(target, name),
    app: target.settings(),
    undo,
    ...(undo ? { expectedSha256: undoRecord(target, name).preRestoreSha256 } : {}),
  };
  return { kind: 'restore-preview', input };
}

/**
 * A guarded restore of the snapshot over the live database. `undo`: the snapshot is the last
 * restore's pre-restore snapshot (`undoSnapshot`), put back as it was, without the upgrade.
 * `allowOpen`: the user said to go ahead although a process holds the database.
 */
export function restoreVerb(
  target: VerbTarget,
  name: string,
  how: { readonly allowOpen: boolean; readonly undo: boolean },
): JobRequestOf<'restore'> {
  const input = {
    location: target.location,
    snapshotPath: snapshotPath(target, name),
    app: target.settings(),
  };
  if (!how.undo) {
    return { kind: 'restore', input: { ...input, ...how } };
  }
  // Put back only what Lifeboat's record says, proven by its checksum; undoing an undo redoes the
  // restore: named so in the log, and in the snapshot it keeps first.
  const last = undoRecord(target, name);
  const redo = last.action === 'undo';
  const expectedSha256 = last.preRestoreSha256;
  return { kind: 'restore', input: { ...input, ...how, expectedSha256, ...(redo ? { redo } : {}) } };
}

/** Lifeboat's record of the last restore, checked, whose snapshot is the one named. */
function undoRecord(target: VerbTarget, name: string): LastRestore {
  const last = lastRestoreOf(target);
  if (path.basename(snapshotPath(target, name)) !== last.preRestore) {
    throw new LifeboatFailure(
      'SNAPSHOT_NOT_FOUND',
      `${name} is not the snapshot that undoes the last restore (${last.preRestore}): look at the list again.`,
    );
  }
  return last;
}

function lastRestoreOf(target: VerbTarget): LastRestore {
  const last = checkedLastRestore(target.location);
  if (last === null) {
    throw new LifeboatFailure(
      'SNAPSHOT_NOT_FOUND',
      `No restore of ${target.location.databasePath} to undo: Lifeboat has no record of one, or its pre-restore snapshot is gone.`,
    );
  }
  return last;
}

/**
 * The snapshot that undoes the last restore: its pre-restore snapshot, while it exists. `expected`
 * is the one the user saw: if another restore happened since, the undo is refused, not redirected.
 */
export function undoSnapshot(target: VerbTarget, expected?: string): string {
  const last = lastRestoreOf(target);
  if (expected !== undefined && last.preRestore !== expected) {
    throw new LifeboatFailure(
      'SNAPSHOT_NOT_FOUND',
      `${expected} is no longer the snapshot that undoes the last restore: look at the list again.`,
    );
  }
  return last.preRestore;
}

/** The restore on a scratch copy: what it would meet, the live database untouched. */
export function rehearseVerb(target: VerbTarget, name: string): JobRequestOf<'rehearse'> {
  const input = {
    location: target.location,
    snapshotPath: snapshotPath(target, name),
    app: target.settings(),
  };
  return { kind: 'rehearse', input };
}

/** Finishes (`resume`) or undoes (`rollback`) a restore a crash interrupted. */
export function recoverVerb(
  target: VerbTarget,
  mode: 'resume' | 'rollback',
  allowOpen: boolean,
): JobRequestOf<'restore-recover'> {
  return {
    kind: 'restore-recover',
    input: { location: target.location, mode, allowOpen, app: target.settings() },
  };
}

/** `lifeboat upgrade`: a pinned pre-upgrade snapshot, the upgrade, the head check, the snapshot back on failure. */
export function upgradeVerb(target: VerbTarget): JobRequestOf<'upgrade'> {
  return { kind: 'upgrade', input: { location: target.location, app: target.settings() } };
}
