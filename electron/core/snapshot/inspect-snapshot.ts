import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SnapshotDetails } from '../../contract/snapshots';
import type { JobControl } from '../job-control';
import { LifeboatFailure, toLifeboatError } from '../lifeboat-failure';
import { openSnapshotFile } from '../sqlite/open-database';
import { readFileFacts } from './list-snapshots';
import { readRecord } from './snapshot-records';
import { describeFile } from './snapshot-status';
import { countTableRows } from '../sqlite/table-rows';

export interface InspectRequest {
  readonly backupsDir: string;
  /** Absolute path of a file directly inside backupsDir (see resolveSnapshotPath). */
  readonly path: string;
  readonly liveStem: string;
}

/** Everything the detail panel shows of one snapshot, read without writing anything. */
export function inspectSnapshot(request: InspectRequest, control: JobControl): SnapshotDetails {
  const file = path.basename(request.path);
  const record = readRecord(request.backupsDir, file);
  const facts = readFileFacts(request.backupsDir, file, record, (name) =>
    fs.existsSync(path.join(request.backupsDir, name)),
  );
  if (facts === null) {
    throw new LifeboatFailure(
      'SNAPSHOT_NOT_FOUND',
      `${file} is no longer in the backups folder.`,
      request.path,
    );
  }
  const entry = describeFile(facts, request.liveStem);
  let tables: SnapshotDetails['tables'] = null;
  let problem: string | null = null;
  if (facts.header.kind === 'sqlite') {
    try {
      const db = openSnapshotFile(request.path);
      try {
        tables = countTableRows(db, control);
      } finally {
        db.close();
      }
    } catch (error) {
      const detail = toLifeboatError(error, request.path);
      if (detail.code === 'CANCELLED') {
        throw error;
      }
      problem = detail.message;
    }
  }
  return {
    entry,
    pageSize: record?.pageSize ?? (facts.header.kind === 'sqlite' ? facts.header.header.pageSize : null),
    pageCount: record?.pageCount ?? (facts.header.kind === 'sqlite' ? facts.header.header.pageCount : null),
    sqliteVersion: record?.sqliteVersion ?? null,
    source: record?.source ?? null,
    lastVerified: record?.verification ?? null,
    tables,
    problem,
  };
}
