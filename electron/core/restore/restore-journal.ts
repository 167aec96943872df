import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { fileJournalModeSchema, restoreStepSchema } from '../../contract/restore';
import type { DatabaseLocation } from '../database-location';
import { fsyncDirectory, writeFileAtomically } from '../fs/durable-file';
import { readOwnText } from '../fs/untrusted-file';
import { LifeboatFailure } from '../lifeboat-failure';
import { truncateToBytes } from '../snapshot-name';

/**
 * The restore journal: a small file beside the live database, rewritten atomically before every
 * step, naming the step about to run. If the process dies, the next start finds it and can finish
 * the restore or roll it back (invariant 7); while it exists, no second restore of the database starts.
 */

export const restoreJournalSchema = z.object({
  version: z.literal(1),
  database: z.string(),
  snapshot: z.string(),
  snapshotSha256: z.string(),
  preRestore: z.string().nullable(),
  /** The live file's permissions and owner, given to the restored file (snapshots are read-only). */
  owner: z
    .object({
      mode: z.number().int().min(0).max(0o777),
      uid: z.number().int().nonnegative(),
      gid: z.number().int().nonnegative(),
    })
    .nullable(),
  /**
   * The journal mode the restored file is given (the live file's, recorded in preflight), so that a
   * resumed restore keeps it too. Null in journals written before it was recorded: the snapshot's mode.
   */
  journalMode: fileJournalModeSchema.nullable().default(null),
  step: restoreStepSchema,
  startedAt: z.string(),
  /** False for an undo of the last restore: the snapshot goes back as it was, not upgraded. */
  upgrade: z.boolean().default(true),
});
export type RestoreJournal = z.infer<typeof restoreJournalSchema>;

/** The files a restore of `databasePath` works with, all in its folder so that renames are atomic. */
export interface RestorePaths {
  readonly journal: string;
  /** The snapshot's copy, before it takes the live file's name. */
  readonly staged: string;
  /** Where the live file (+ suffix for its sidecars) is set aside until the restore is verified. */
  readonly old: string;
  /** Held (created O_EXCL, with the pid) for the whole of a restore, so that a second one is refused. */
  readonly lock: string;
}

export const sidecarSuffixes = ['-wal', '-shm', '-journal'] as const;

// The longest database name the restore's own names are made from as they are (they add up to 27 bytes; a name is at most 255).
const maxBaseBytes = 200;

/** The database's name for the restore's files: as it is, or for a very long one its start and a hash of all of it. */
function restoreBase(name: string): string {
  if (Buffer.byteLength(name) <= maxBaseBytes) {
    return name;
  }
  const hash = crypto.createHash('sha256').update(name).digest('hex').slice(0, 16);
  return `${truncateToBytes(name, maxBaseBytes - hash.length - 1)}~${hash}`;
}

export function restorePaths(databasePath: string): RestorePaths {
  const dir = path.dirname(databasePath);
  const base = restoreBase(path.basename(databasePath));
  return {
    journal: path.join(dir, `.${base}.lifeboat-restore.json`),
    staged: path.join(dir, `.${base}.lifeboat-restore-new`),
    old: path.join(dir, `.${base}.lifeboat-restore-old`),
    lock: path.join(dir, `.${base}.lifeboat-restore.lock`),
  };
}

// A journal is well under 1 KiB; anything near this is not one.
const maxJournalBytes = 64 * 1024;

function invalid(file: string, databasePath: string, why: string): LifeboatFailure {
  return new LifeboatFailure(
    'JOURNAL_INVALID',
    `The restore journal ${file} cannot be trusted: ${why}. Lifeboat will not act on it. Check the database and the files beside it (.${restoreBase(path.basename(databasePath))}.lifeboat-restore-*) by hand, then delete the journal.`,
    file,
  );
}

/** Whether `filePath` is absent or a regular file (never a link, which could lead anywhere). */
function absentOrRegular(filePath: string): boolean {
  try {
    return fs.lstatSync(filePath).isFile();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return true;
    }
    throw error;
  }
}

/** The owner of the first of these files that exists, or null. */
function currentOwner(...files: string[]): { uid: number; gid: number } | null {
  for (const file of files) {
    try {
      const { uid, gid } = fs.lstatSync(file);
      return { uid, gid };
    } catch {
      // Not there: the next one.
    }
  }
  return null;
}

/**
 * Reads the journal of an interrupted restore of the database at `location`, or null when there is
 * none. The journal sits in a folder the app's user can write, so it is hostile input: it is acted on
 * only if it is a small regular file owned by the user Lifeboat runs as (who wrote it), names exactly
 * this database, and names only snapshots in its backups folder that are regular files. The owner it
 * records is kept only if it is the owner of the live (or set-aside) file now. Anything else fails
 * with JOURNAL_INVALID, and nothing is done with it.
 */
export function readJournal(location: DatabaseLocation): RestoreJournal | null {
  const { databasePath, backupsDir } = location;
  const file = restorePaths(databasePath).journal;
  const read = readOwnText(file, maxJournalBytes);
  if (read.kind === 'missing') {
    return null;
  }
  if (read.kind === 'refused') {
    throw invalid(file, databasePath, read.reason);
  }
  let json: unknown;
  try {
    json = JSON.parse(read.text);
  } catch {
    throw invalid(file, databasePath, 'it is not JSON (it may have been cut short)');
  }
  const parsed = restoreJournalSchema.safeParse(json);
  if (!parsed.success) {
    throw invalid(
      file,
      databasePath,
      `it is not a restore journal (${parsed.error.issues[0]?.message ?? 'unknown fields'})`,
    );
  }
  const journal = parsed.data;
  if (journal.database !== databasePath) {
    throw invalid(file, databasePath, `it names another database (${journal.database})`);
  }
  for (const named of [journal.snapshot, journal.preRestore]) {
    if (named !== null && (path.dirname(named) !== path.resolve(backupsDir) || !absentOrRegular(named))) {
      throw invalid(
        file,
        databasePath,
        `it names ${named}, which is not a snapshot file in the backups folder ${backupsDir}`,
      );
    }
  }
  const owner = currentOwner(databasePath, restorePaths(databasePath).old);
  const ownerKept =
    journal.owner !== null &&
    owner !== null &&
    journal.owner.uid === owner.uid &&
    journal.owner.gid === owner.gid;
  return ownerKept ? journal : { ...journal, owner: null };
}

export function writeJournal(journal: RestoreJournal): void {
  writeFileAtomically(restorePaths(journal.database).journal, `${JSON.stringify(journal, null, 2)}\n`);
}

export function removeJournal(databasePath: string): void {
  fs.rmSync(restorePaths(databasePath).journal, { force: true });
  fsyncDirectory(path.dirname(databasePath));
}
