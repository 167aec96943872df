import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PinResult, DeleteResult } from '../../contract/snapshots';
import { fsyncDirectory } from '../fs/durable-file';
import type { JobControl } from '../job-control';
import { LifeboatFailure } from '../lifeboat-failure';
import { readRecord, removeRecord, writeRecord } from './snapshot-records';
import { verifySnapshots } from './verify-snapshots';

/**
 * Pins and deletion (invariant 13): a pinned snapshot (every pre-restore and pre-upgrade one is) is
 * never deleted, by a person or by retention, until it is unpinned. The pin lives in the snapshot's
 * record, so a file without one is verified first, which records it.
 */

export interface PinRequest {
  readonly backupsDir: string;
  /** Absolute paths of snapshots directly inside backupsDir (see resolveSnapshotPath). */
  readonly paths: readonly string[];
  readonly pinned: boolean;
}

export interface DeleteRequest {
  readonly backupsDir: string;
  /** The live database: never deleted as a snapshot, nor its sidecars, even in a backups folder beside it. */
  readonly databasePath: string;
  readonly paths: readonly string[];
}

/** Only a snapshot file may be deleted: a regular file in the backups folder that is not the live database or one of its sidecars. */
export function requireDeletable(filePath: string, databasePath: string): void {
  requirePresent(filePath);
  const live = ['', '-wal', '-shm', '-journal'].map((suffix) => path.resolve(`${databasePath}${suffix}`));
  if (live.includes(path.resolve(filePath)) || !fs.lstatSync(filePath).isFile()) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `${path.basename(filePath)} is not a snapshot (it is the live database, one of its files, or not a regular file): nothing was deleted.`,
      filePath,
    );
  }
}

function requirePresent(filePath: string): void {
  if (!fs.existsSync(filePath)) {
    throw new LifeboatFailure(
      'SNAPSHOT_NOT_FOUND',
      `${path.basename(filePath)} is no longer in the backups folder.`,
      filePath,
    );
  }
}

/** Pins or unpins snapshots; one that has no record yet is verified first (a file that fails verification cannot be pinned). */
export async function pinSnapshots(request: PinRequest, control: JobControl): Promise<PinResult> {
  const { backupsDir, pinned } = request;
  request.paths.forEach(requirePresent);
  const changed: PinResult['snapshots'][number][] = [];
  for (const [index, filePath] of request.paths.entries()) {
    control.report(pinned ? 'Pinning' : 'Unpinning', index / request.paths.length, path.basename(filePath));
    const file = path.basename(filePath);
    let record = readRecord(backupsDir, file);
    if (record === null && pinned) {
      const report = (await verifySnapshots({ backupsDir, paths: [filePath] }, control)).reports[0];
      if (report?.ok !== true) {
        throw new LifeboatFailure(
          'SNAPSHOT_CORRUPT',
          `${file} cannot be pinned: it failed verification (${report?.error?.message ?? 'no report'}). Lifeboat never deletes such a file on its own.`,
          filePath,
        );
      }
      record = readRecord(backupsDir, file);
    }
    if (record !== null && (record.pinned === true) !== pinned) {
      writeRecord(backupsDir, { ...record, pinned });
    }
    changed.push({ file, pinned });
  }
  control.report('Done', 1);
  return { backupsDir, snapshots: changed };
}

/**
 * Deletes snapshots and their records. If any one of them is pinned, nothing is deleted: the
 * refusal (SNAPSHOT_PINNED) names it and says how to unpin it.
 */
export function deleteSnapshots(request: DeleteRequest, control: JobControl): DeleteResult {
  const { backupsDir } = request;
  request.paths.forEach((p) => requireDeletable(p, request.databasePath));
  const pinned = request.paths
    .map((p) => path.basename(p))
    .filter((file) => readRecord(backupsDir, file)?.pinned === true);
  if (pinned.length > 0) {
    const names = pinned.join(', ');
    throw new LifeboatFailure(
      'SNAPSHOT_PINNED',
      `${names} ${pinned.length === 1 ? 'is' : 'are'} pinned, so nothing was deleted. Unpin first ("lifeboat unpin ${pinned[0] ?? ''}", or Unpin in the snapshot's details), then delete.`,
      path.join(backupsDir, pinned[0] ?? ''),
    );
  }
  const deleted = removeSnapshots(backupsDir, request.paths, control);
  control.report('Done', 1);
  return { backupsDir, deleted };
}

/** Removes snapshot files (checked deletable by the caller) and their records, then makes the removal durable. */
export function removeSnapshots(backupsDir: string, paths: readonly string[], control: JobControl): string[] {
  const deleted = paths.map((filePath, index) => {
    control.report('Deleting', index / paths.length, path.basename(filePath));
    fs.rmSync(filePath, { force: true });
    removeRecord(backupsDir, path.basename(filePath));
    return path.basename(filePath);
  });
  fsyncDirectory(backupsDir);
  return deleted;
}
