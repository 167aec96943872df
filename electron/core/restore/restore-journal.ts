import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { fileJournalModeSchema, restoreStepSchema } from '../../contract/restore';
import { fsyncDirectory, readTextIfPresent, writeFileAtomically } from '../fs/durable-file';
import { LifeboatFailure } from '../lifeboat-failure';

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
  owner: z.object({ mode: z.number().int(), uid: z.number().int(), gid: z.number().int() }).nullable(),
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
}

export const sidecarSuffixes = ['-wal', '-shm', '-journal'] as const;

export function restorePaths(databasePath: string): RestorePaths {
  const dir = path.dirname(databasePath);
  const base = path.basename(databasePath);
  return {
    journal: path.join(dir, `.${base}.lifeboat-restore.json`),
    staged: path.join(dir, `.${base}.lifeboat-restore-new`),
    old: path.join(dir, `.${base}.lifeboat-restore-old`),
  };
}

export function readJournal(databasePath: string): RestoreJournal | null {
  const file = restorePaths(databasePath).journal;
  const text = readTextIfPresent(file);
  if (text === null) {
    return null;
  }
  const parsed = restoreJournalSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new LifeboatFailure('RESTORE_IN_PROGRESS', `The restore journal ${file} is damaged; check the files beside ${databasePath} (.lifeboat-restore-*) by hand.`, file);
  }
  return parsed.data;
}

export function writeJournal(journal: RestoreJournal): void {
  writeFileAtomically(restorePaths(journal.database).journal, `${JSON.stringify(journal, null, 2)}\n`);
}

export function removeJournal(databasePath: string): void {
  fs.rmSync(restorePaths(databasePath).journal, { force: true });
  fsyncDirectory(path.dirname(databasePath));
}

/**
 * For the crash tests only: LIFEBOAT_TEST_KILL_AT=<step> kills the process with SIGKILL right after
 * the journal recorded that step. Never set in normal use.
 */
export function crashPointForTests(step: string): void {
  if (process.env['LIFEBOAT_TEST_KILL_AT'] === step) {
    process.kill(process.pid, 'SIGKILL');
  }
}
