import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type { DatabaseLocation } from '../database-location';
import { writeFileAtomically } from '../fs/durable-file';
import { ensureOwnFolder, openUntrusted, readOwnText } from '../fs/untrusted-file';
import { LifeboatFailure } from '../lifeboat-failure';
import { recordsDirName } from '../snapshot/snapshot-records';

/**
 * What the last restore, undo or redo replaced, as Lifeboat recorded it: `.lifeboat/last-restore.json`
 * in the backups folder, written by Lifeboat's user. *Undo last restore* takes its snapshot from here
 * alone: the activity log beside it may be the app user's to write, so it is shown, never obeyed.
 */

const recordName = 'last-restore.json';
// The record is a few hundred bytes; anything near this is not one.
const maxRecordBytes = 16 * 1024;

const lastRestoreSchema = z
  .object({
    version: z.literal(1),
    database: z.string(),
    at: z.string(),
    action: z.enum(['restore', 'undo', 'redo']),
    /** The snapshot it put in place. */
    snapshot: z.string(),
    /** The pinned snapshot of what was live before it (a plain name in the backups folder): putting it back reverses it. */
    preRestore: z.string().regex(/^[^/\\]+$/),
    /** Its SHA-256 when Lifeboat made it: what an undo puts back must still be exactly that. */
    preRestoreSha256: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();
export type LastRestore = z.infer<typeof lastRestoreSchema>;

function recordPath(backupsDir: string): string {
  return path.join(backupsDir, recordsDirName, recordName);
}

/** Records what a restore, undo or redo that went through replaced (after it, before it is reported). */
export function recordLastRestore(
  location: DatabaseLocation,
  record: Omit<LastRestore, 'version' | 'database'>,
): void {
  const dir = path.join(location.backupsDir, recordsDirName);
  ensureOwnFolder(dir);
  const content = { version: 1, database: location.databasePath, ...record };
  writeFileAtomically(recordPath(location.backupsDir), `${JSON.stringify(content, null, 2)}\n`);
}

/** Why the record cannot be used, as a failure with the code an undo refuses with. */
function untrusted(location: DatabaseLocation, why: string): LifeboatFailure {
  return new LifeboatFailure(
    'UNDO_UNTRUSTED',
    `Lifeboat will not undo the last restore of ${location.databasePath}: ${why}. Restore the snapshot you want by name instead.`,
    recordPath(location.backupsDir),
  );
}

/** The record of the last restore, undo or redo, or null when there is none; a record Lifeboat cannot trust fails. */
function readRecord(location: DatabaseLocation): LastRestore | null {
  const file = recordPath(location.backupsDir);
  const read = readOwnText(file, maxRecordBytes);
  if (read.kind === 'missing') {
    return null;
  }
  if (read.kind === 'refused') {
    throw untrusted(location, `its record ${file} cannot be trusted: ${read.reason}`);
  }
  let parsed: ReturnType<typeof lastRestoreSchema.safeParse>;
  try {
    parsed = lastRestoreSchema.safeParse(JSON.parse(read.text));
  } catch {
    throw untrusted(location, `its record ${file} is not JSON`);
  }
  if (!parsed.success || parsed.data.database !== location.databasePath) {
    throw untrusted(location, `${file} is not a record of this database's last restore`);
  }
  return parsed.data;
}

/**
 * The snapshot that undoes the last restore, checked: from Lifeboat's own record, a regular file
 * (not a link) in the backups folder, owned by Lifeboat's user. The restore then proves its content
 * is the `preRestoreSha256` recorded (preflight, and the copy it stages). Null when no restore was
 * recorded or its snapshot is gone; a record or a snapshot that fails a check is `UNDO_UNTRUSTED`.
 */
export function checkedLastRestore(location: DatabaseLocation): LastRestore | null {
  const record = readRecord(location);
  if (record === null) {
    return null;
  }
  const snapshot = path.join(location.backupsDir, record.preRestore);
  const opened = openUntrusted(snapshot);
  if (opened.kind === 'missing') {
    return null;
  }
  if (opened.kind === 'refused') {
    throw untrusted(location, `${record.preRestore} is not the snapshot Lifeboat made: ${opened.reason}`);
  }
  fs.closeSync(opened.fd);
  const uid = process.getuid?.();
  if (uid !== undefined && opened.stat.uid !== uid) {
    throw untrusted(
      location,
      `${record.preRestore} belongs to user ${opened.stat.uid}, not to the user Lifeboat runs as (${uid}), who made it`,
    );
  }
  return record;
}

/** The same for display (the app's summary): a record or snapshot that cannot be trusted offers no undo. */
export function lastRestore(location: DatabaseLocation): LastRestore | null {
  try {
    return checkedLastRestore(location);
  } catch (error) {
    if (error instanceof LifeboatFailure && error.detail.code === 'UNDO_UNTRUSTED') {
      return null;
    }
    throw error;
  }
}
