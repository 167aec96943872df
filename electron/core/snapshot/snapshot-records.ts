import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { journalModeSchema } from '../../contract/snapshots';
import { isUnwritableDisk, writeFileAtomically, writeFileIfAbsent } from '../fs/durable-file';
import { ensureOwnFolder, readUntrustedText } from '../fs/untrusted-file';

/**
 * What Lifeboat records about each snapshot: one small JSON file per snapshot in `.lifeboat/` inside
 * the backups folder, written atomically. One file each (rather than one shared index) means two
 * processes snapshotting the same folder never overwrite each other's records, and a shell script
 * that lists `*.db` never sees them.
 */

export const recordsDirName = '.lifeboat';

const verificationSchema = z.object({
  at: z.string(),
  ok: z.boolean(),
  problem: z.string().nullable(),
});
export type Verification = z.infer<typeof verificationSchema>;

export const snapshotRecordSchema = z.object({
  version: z.literal(1),
  file: z.string(),
  madeBy: z.enum(['lifeboat', 'other']),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  /** The file's mtime when it was recorded: a changed mtime with the same size means "check again". */
  mtimeMs: z.number(),
  /** When the snapshot was taken (ours) or first recorded (others'), ISO 8601. */
  recordedAt: z.string(),
  label: z.string().nullable(),
  note: z.string().nullable(),
  source: z.object({ path: z.string(), journalMode: journalModeSchema }).nullable(),
  sqliteVersion: z.string().nullable(),
  pageSize: z.number().int().nullable(),
  pageCount: z.number().int().nullable(),
  verification: verificationSchema.nullable(),
  /** Pinned snapshots (the pre-restore ones) are kept by retention. Absent in older records. */
  pinned: z.boolean().optional(),
});
export type SnapshotRecord = z.infer<typeof snapshotRecordSchema>;

function recordPath(backupsDir: string, file: string): string {
  return path.join(backupsDir, recordsDirName, `${file}.json`);
}

// A record is a few hundred bytes; a label or note makes it longer, never this long.
const maxRecordBytes = 256 * 1024;

/**
 * Reads the record of one snapshot; a missing or unreadable record is `null` (the file is then
 * unverified). Anything but a small regular file (a link, a FIFO, /dev/zero) counts as unreadable.
 */
export function readRecord(backupsDir: string, file: string): SnapshotRecord | null {
  return parseRecord(recordPath(backupsDir, file), file);
}

function parseRecord(filePath: string, file: string): SnapshotRecord | null {
  const read = readUntrustedText(filePath, maxRecordBytes);
  if (read.kind !== 'text') {
    return null;
  }
  try {
    const parsed = snapshotRecordSchema.safeParse(JSON.parse(read.text));
    return parsed.success && parsed.data.file === file ? parsed.data : null;
  } catch {
    // Not JSON: treated like no record, so the snapshot shows as unverified and can be verified again.
    return null;
  }
}

/** Reads every record in a backups folder, keyed by snapshot file name. */
export function readAllRecords(backupsDir: string): Map<string, SnapshotRecord> {
  const dir = path.join(backupsDir, recordsDirName);
  const records = new Map<string, SnapshotRecord>();
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return records;
    }
    throw error;
  }
  for (const name of names) {
    if (name.endsWith('.json') && name !== 'revisions-cache.json' && !name.startsWith('.')) {
      const file = name.slice(0, -'.json'.length);
      const record = parseRecord(path.join(dir, name), file);
      if (record !== null) {
        records.set(file, record);
      }
    }
  }
  return records;
}

/**
 * Writes a cache file in `.lifeboat/`. A backups folder may be read-only (a mounted backup disk):
 * listing it must still work, so a cache that cannot be written is simply not kept.
 */
export function writeCacheIfPossible(file: string, content: string): void {
  try {
    ensureOwnFolder(path.dirname(file));
    writeFileAtomically(file, content);
  } catch (error) {
    if (!isUnwritableDisk(error) && (error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw error;
    }
  }
}

/** Writes (or replaces) the record of one snapshot atomically. */
export function writeRecord(backupsDir: string, record: SnapshotRecord): void {
  ensureOwnFolder(path.join(backupsDir, recordsDirName));
  writeFileAtomically(recordPath(backupsDir, record.file), `${JSON.stringify(record, null, 2)}\n`);
}

/**
 * Writes the record of a snapshot about to be published under `record.file`, unless a record of that
 * name exists (another snapshot's, or one left by a snapshot killed before its file was published):
 * returns false then, and nothing is written. Written before the snapshot takes its name, so that no
 * snapshot is ever seen without its record.
 */
export function writeNewRecord(backupsDir: string, record: SnapshotRecord): boolean {
  ensureOwnFolder(path.join(backupsDir, recordsDirName));
  return writeFileIfAbsent(recordPath(backupsDir, record.file), `${JSON.stringify(record, null, 2)}\n`);
}

/** Removes the record of a snapshot that was deleted. */
export function removeRecord(backupsDir: string, file: string): void {
  fs.rmSync(recordPath(backupsDir, file), { force: true });
}
