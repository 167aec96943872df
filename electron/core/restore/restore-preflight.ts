import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeCommand } from '../../contract/app-run';
import type { LifeboatError } from '../../contract/errors';
import {
  stepTitle,
  type FileJournalMode,
  type RestorePreview,
  type SchemaDifference,
  type TableDifference,
} from '../../contract/restore';
import type { DatabaseLocation } from '../database-location';
import type { JobControl } from '../job-control';
import { LifeboatFailure, toLifeboatError } from '../lifeboat-failure';
import type { MigrationStatus } from '../../contract/migrations';
import { statusAgainstLive } from '../migrations/live-reference';
import { readAppliedState, recordIfReadable } from '../migrations/migration-reader';
import { migrationStatus } from '../migrations/migration-status';
import { verifySnapshots } from '../snapshot/verify-snapshots';
import { openLiveDatabase, openSnapshotFile, type SqliteDatabase } from '../sqlite/open-database';
import { diffSchemas, readSchema, type SchemaObject } from '../sqlite/schema-diff';
import { readFileJournalMode } from '../sqlite/sqlite-header';
import { countTableRows } from '../sqlite/table-rows';
import { readRecord } from '../snapshot/snapshot-records';
import { planApp, type AppPlan, type AppSettings } from './app-plan';
import { processesHolding, type Holder } from './file-holders';

/**
 * A restore's preflight, which changes nothing: the snapshot verified, its revision known to the
 * code, room on the disks, who holds the live file, and what the restore would throw away. The
 * restore, its preview and its rehearsal all start here.
 */

const spaceMarginBytes = 1024 * 1024;

/** A snapshot to restore over an app's live database (or to preview, or to rehearse). */
export interface PreviewRequest {
  readonly location: DatabaseLocation;
  /** Absolute path of the snapshot, inside the backups folder (see resolveSnapshotPath). */
  readonly snapshotPath: string;
  /** The app: its folder, how to run it, where its migrations are (null: a plain file restore). */
  readonly app: AppSettings | null;
  /** Undo of the last restore: the pre-restore snapshot goes back exactly as it was, not upgraded. */
  readonly undo?: boolean;
  /** An undo's snapshot must hold exactly this (Lifeboat's record of the last restore), whatever its own record says. */
  readonly expectedSha256?: string;
}

/** How to run the app around the restore; for an undo, without the upgrade and its head check. */
export function planFor(request: {
  readonly app: AppSettings | null;
  readonly location: DatabaseLocation;
  readonly undo?: boolean;
}): AppPlan {
  const { databasePath } = request.location;
  const plan = planApp(
    request.app ?? { dir: path.dirname(databasePath), run: null, runFile: null, migrations: null },
    databasePath,
  );
  // An undo puts back what was live before, as it was: no upgrade, no head check (the smoke queries still run).
  return request.undo === true ? { ...plan, migrations: null, upgrade: null } : plan;
}

/** The app's commands a restore runs, in order, exactly as they will run (a preset's included), each with where it comes from and its user. */
export function appCommandsOf(plan: AppPlan): RestorePreview['commands'] {
  return (['stop', 'upgrade', 'start'] as const).flatMap((which) => {
    const planned = which === 'upgrade' ? plan.upgrade : plan[which];
    if (planned === null || planned === 'built-in') {
      return [];
    }
    const { uid, gid, name, why } = planned.user;
    const text = describeCommand(planned.command);
    return [{ which, text, origin: planned.origin, user: { uid, gid, name, why } }];
  });
}

/** What the restore throws away: per table, rows in the live database and in the snapshot; and how their schemas differ. */
function compareDatabases(
  databasePath: string,
  snapshotPath: string,
  control: JobControl,
): { tables: TableDifference[]; schemaDifferences: SchemaDifference[] } {
  const read = (db: SqliteDatabase): { rows: Map<string, number>; schema: SchemaObject[] } => {
    try {
      return {
        rows: new Map(countTableRows(db, control).map((t) => [t.name, t.rows])),
        schema: readSchema(db),
      };
    } finally {
      db.close();
    }
  };
  const live =
    fs.existsSync(databasePath) && fs.statSync(databasePath).size > 0
      ? read(openLiveDatabase(databasePath))
      : { rows: new Map<string, number>(), schema: [] };
  const snapshot = read(openSnapshotFile(snapshotPath));
  const names = [...new Set([...live.rows.keys(), ...snapshot.rows.keys()])].sort();
  return {
    tables: names.map((name) => ({
      name,
      liveRows: live.rows.get(name) ?? null,
      snapshotRows: snapshot.rows.get(name) ?? null,
    })),
    schemaDifferences: diffSchemas(live.schema, snapshot.schema),
  };
}

function heldError(databasePath: string, holders: readonly Holder[]): LifeboatFailure {
  const named = holders.map((h) => `pid ${h.pid} (${h.command})`).join(', ');
  return new LifeboatFailure(
    'DB_IN_USE',
    `${databasePath} is held open by ${named}. Stop the app first; restoring over an open database needs an explicit override (--force-open, or "Restore anyway").`,
    databasePath,
  );
}

/** Throws DB_IN_USE, naming the processes, while any holds the database open (unless the user allowed it). */
export function refuseIfHeld(databasePath: string, allowOpen: boolean): void {
  const { holders } = processesHolding(databasePath);
  if (!allowOpen && holders.length > 0) {
    throw heldError(databasePath, holders);
  }
}

function freeBytesIn(dir: string): number {
  const stats = fs.statfsSync(dir);
  return stats.bavail * stats.bsize;
}

/** DISK_FULL when `dir` has no room for `bytes` (and a margin); null when it has. */
export function spaceError(dir: string, bytes: number, what: string): LifeboatFailure | null {
  const free = freeBytesIn(dir);
  return free < bytes + spaceMarginBytes
    ? new LifeboatFailure(
        'DISK_FULL',
        `Not enough free space in ${dir} for ${what}: ${bytes} bytes needed, ${free} free.`,
        dir,
      )
    : null;
}

/**
 * The journal mode the restored file is given: the live file's, so that nothing changes that the user
 * did not ask to change; with no live database, the mode of the database the snapshot was taken from.
 */
function restoredJournalMode(request: PreviewRequest, liveExists: boolean): RestorePreview['journalMode'] {
  const live: FileJournalMode | null = liveExists ? readFileJournalMode(request.location.databasePath) : null;
  if (live !== null) {
    return { mode: live, from: 'live' };
  }
  const source = readRecord(request.location.backupsDir, path.basename(request.snapshotPath))?.source;
  return { mode: source?.journalMode === 'wal' ? 'wal' : 'rollback', from: 'snapshot' };
}

/** What preflight found, for the restore that follows it. */
export interface Preflight {
  readonly plan: AppPlan;
  readonly preview: RestorePreview;
  /** The verified snapshot's SHA-256; null when it failed verification (a blocker says why). */
  readonly sha256: string | null;
  readonly liveStat: fs.Stats | null;
}

/** Why a snapshot that failed verification cannot be restored, in a sentence (never SQLite's raw integrity report). */
function verificationBlocker(error: LifeboatError | null, file: string): LifeboatError {
  if (error === null || (error.code === 'SNAPSHOT_CORRUPT' && /integrity check/.test(error.message))) {
    return {
      code: 'SNAPSHOT_CORRUPT',
      message: `${file} is damaged: SQLite's integrity check found broken pages in it. Do not restore it; choose another snapshot.`,
    };
  }
  return error;
}

/** The preview's schema line from a status (against the code or the live database). */
function schemaOf(status: MigrationStatus): NonNullable<RestorePreview['schema']> {
  const { badge, summary, pending, tool, revision, reference } = status;
  return { badge, summary, pending, tool, revision, reference, status: status.status };
}

/**
 * Preflight, changing nothing: the snapshot verified (integrity and checksum), its revision known to
 * the code with a path to head, room on the disks, who holds the live file, and what will be lost.
 * Whatever stands in the way is a blocker, so that the user sees every reason at once.
 */
export async function preflight(
  request: PreviewRequest,
  allowOpen: boolean,
  control: JobControl,
): Promise<Preflight> {
  const { databasePath, backupsDir } = request.location;
  const plan = planFor(request);
  const blockers: LifeboatError[] = [];
  control.report(stepTitle('preflight'), 0);
  const verified = (await verifySnapshots({ backupsDir, paths: [request.snapshotPath] }, control)).reports[0];
  const sound = verified !== undefined && verified.ok && verified.sha256 !== null;
  if (!sound) {
    blockers.push(verificationBlocker(verified?.error ?? null, path.basename(request.snapshotPath)));
  } else if (request.expectedSha256 !== undefined && verified.sha256 !== request.expectedSha256) {
    blockers.push({
      code: 'CHECKSUM_MISMATCH',
      message: `${path.basename(request.snapshotPath)} is not the snapshot Lifeboat took before the last restore: its SHA-256 differs from Lifeboat's record of it. Do not undo with it; restore a snapshot you trust by name.`,
      path: request.snapshotPath,
    });
  }
  let schema: RestorePreview['schema'] = null;
  if (plan.migrations !== null) {
    const { adapter, source, graph } = plan.migrations;
    const status = migrationStatus(
      graph,
      readAppliedState(request.snapshotPath, adapter, source, 'snapshot'),
      adapter,
    );
    const named = new Map(
      graph.revisions.map((r) => [r.id, r.message === '' ? r.id : `${r.id} ${r.message}`]),
    );
    schema = { ...schemaOf(status), pending: status.pending.map((id) => named.get(id) ?? id) };
    if (
      status.status === 'unknown-revision' ||
      status.status === 'multiple-heads' ||
      status.status === 'ahead'
    ) {
      blockers.push({
        code: 'SCHEMA_MISMATCH',
        message: `The snapshot cannot be brought to the code's head: ${status.summary}`,
        path: request.snapshotPath,
      });
    } else if (status.status !== 'at-head' && plan.upgrade === null) {
      blockers.push({
        code: 'APP_COMMAND_FAILED',
        message: `The snapshot is ${status.badge} and no upgrade command is set for ${source.tool}: set one in the app's settings.`,
      });
    }
  } else if (sound && request.undo !== true) {
    // No migration files: say where the snapshot stands against the live database (the app, not
    // Lifeboat, upgrades it when it starts, so nothing here blocks the restore).
    const status = statusAgainstLive(
      recordIfReadable(request.snapshotPath, 'snapshot'),
      recordIfReadable(databasePath),
    );
    schema = status === null ? null : schemaOf(status);
  }
  const { holders, known } = processesHolding(databasePath);
  if (plan.stop === null && holders.length > 0 && !allowOpen) {
    blockers.push(toLifeboatError(heldError(databasePath, holders)));
  }
  const link = linkTarget(databasePath);
  if (link !== null) {
    blockers.push({
      code: 'DB_IS_LINK',
      message: `${databasePath} is a symbolic link to ${link}. A restore would replace the link, not the file it leads to: point Lifeboat at ${link} itself (--db ${link}), then restore.`,
      path: databasePath,
    });
  }
  const neededBytes = fs.statSync(request.snapshotPath).size;
  const liveStat = fs.existsSync(databasePath) ? fs.statSync(databasePath) : null;
  const liveExists = liveStat !== null && liveStat.size > 0;
  const noRoom = [spaceError(path.dirname(databasePath), neededBytes, 'the restored copy')];
  if (liveExists) {
    fs.mkdirSync(backupsDir, { recursive: true });
    noRoom.push(spaceError(backupsDir, liveStat.size, 'the pre-restore snapshot'));
  }
  noRoom.forEach((error) => error !== null && blockers.push(toLifeboatError(error)));
  const preview: RestorePreview = {
    snapshot: path.basename(request.snapshotPath),
    database: databasePath,
    liveExists,
    snapshotReadable: sound,
    ...(sound
      ? compareDatabases(databasePath, request.snapshotPath, control)
      : { tables: [], schemaDifferences: [] }),
    schema,
    journalMode: restoredJournalMode(request, liveExists),
    commands: appCommandsOf(plan),
    manualStop: plan.stop === null,
    healthUrl: plan.healthUrl,
    holders: [...holders],
    holdersKnown: known,
    freeBytes: freeBytesIn(path.dirname(databasePath)),
    neededBytes,
    blockers,
  };
  return { plan, preview, sha256: sound ? verified.sha256 : null, liveStat };
}

/** Where the link at `filePath` leads, or null when it is not a link (or not there). */
function linkTarget(filePath: string): string | null {
  try {
    return fs.lstatSync(filePath).isSymbolicLink()
      ? path.resolve(path.dirname(filePath), fs.readlinkSync(filePath))
      : null;
  } catch {
    return null;
  }
}

/** What a restore of the snapshot would do and what stands in its way; changes nothing. */
export async function previewRestore(request: PreviewRequest, control: JobControl): Promise<RestorePreview> {
  return (await preflight(request, false, control)).preview;
}
