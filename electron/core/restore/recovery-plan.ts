import { restoreSteps, type RestoreStep } from '../../contract/restore';
import { restorePaths, sidecarSuffixes, type RestoreJournal } from './restore-journal';

/**
 * What a restore does to the files beside the live database, and what undoing it does, as plans:
 * pure functions from the journal and the files observed on disk to the operations to run. A plan
 * asks only for what the files need, so running it again after a crash half-way through it is safe:
 * the second plan starts from what the first one left. `recovery-plan.test.ts` checks every state a
 * crash can leave, mid-step included.
 */

/** One change to the files of a restore, in the live database's folder. */
export type FileOperation =
  | { readonly kind: 'remove'; readonly file: string }
  | { readonly kind: 'rename'; readonly from: string; readonly to: string }
  /** The pre-restore snapshot copied to the live name (staged beside it, flushed, renamed). */
  | { readonly kind: 'copy-in'; readonly source: string };

/** The files that exist now, by path; only the names a restore of this database uses are asked about. */
export type PresentFiles = ReadonlySet<string>;

/** The steps that run once the app is stopped and the pre-restore snapshot taken: the contract's, from `stage` on. */
export const forwardSteps: readonly RestoreStep[] = restoreSteps.slice(restoreSteps.indexOf('stage'));

/** Whether `step` comes at or after `other` among the forward steps (steps before them come before all). */
export function reached(step: RestoreStep, other: RestoreStep): boolean {
  return forwardSteps.indexOf(step) >= forwardSteps.indexOf(other);
}

/** A plan built against a picture of the files that it keeps up to date as operations are added. */
class Planner {
  readonly operations: FileOperation[] = [];
  private readonly files: Set<string>;

  constructor(present: PresentFiles) {
    this.files = new Set(present);
  }

  has(file: string): boolean {
    return this.files.has(file);
  }

  remove(file: string): void {
    if (this.files.delete(file)) {
      this.operations.push({ kind: 'remove', file });
    }
  }

  rename(from: string, to: string): void {
    if (this.files.delete(from)) {
      this.files.add(to);
      this.operations.push({ kind: 'rename', from, to });
    }
  }

  copyIn(source: string, database: string): void {
    this.files.add(database);
    this.operations.push({ kind: 'copy-in', source });
  }
}

/** The live file and each sidecar, in the order a set-aside moves them: sidecars first, the database last. */
const setAsideOrder = [...sidecarSuffixes, ''] as const;
const allSuffixes = ['', ...sidecarSuffixes] as const;

/**
 * `set-aside`: the live file's sidecars, then the file itself, renamed to the restore's old names, so
 * that no stale -wal or -journal can ever meet the restored file. A name already taken by the old
 * files is what an earlier, interrupted run moved there: it is left as it is.
 */
export function planSetAside(database: string, present: PresentFiles): readonly FileOperation[] {
  const { old } = restorePaths(database);
  const plan = new Planner(present);
  for (const suffix of setAsideOrder) {
    if (!plan.has(`${old}${suffix}`)) {
      plan.rename(`${database}${suffix}`, `${old}${suffix}`);
    }
  }
  return plan.operations;
}

/** `discard-old`: the set-aside files removed, the database first (once it goes, the restore cannot be undone from them). */
export function planDiscardOld(database: string, present: PresentFiles): readonly FileOperation[] {
  const { old } = restorePaths(database);
  const plan = new Planner(present);
  for (const suffix of allSuffixes) {
    plan.remove(`${old}${suffix}`);
  }
  return plan.operations;
}

/**
 * Putting the database back as it was before the restore that `journal` records, from any state it
 * left (the step it had reached, possibly half done):
 * - the staged copy goes;
 * - while the old database file is still set aside, whatever has the live names is the restored copy
 *   and goes; then the old files take their names back, the database first;
 * - once the restored copy was in place and there had been no live database, it goes;
 * - at `discard-old` the old files may be partly gone: they all go with the restored copy, and the
 *   pre-restore snapshot (which holds everything they held) is copied in.
 */
export function planRollback(journal: RestoreJournal, present: PresentFiles): readonly FileOperation[] {
  const { database } = journal;
  const { old, staged } = restorePaths(database);
  const plan = new Planner(present);
  plan.remove(staged);
  const removeLive = (): void => allSuffixes.forEach((suffix) => plan.remove(`${database}${suffix}`));
  if (journal.step === 'discard-old') {
    allSuffixes.forEach((suffix) => plan.remove(`${old}${suffix}`));
    removeLive();
    if (journal.preRestore !== null) {
      plan.copyIn(journal.preRestore, database);
    }
  } else if (plan.has(old)) {
    removeLive();
  } else if (reached(journal.step, 'put-in-place') && journal.preRestore === null) {
    removeLive();
  }
  // The database first: once it has its name back, no old file is left to say that what has the
  // live names is the restored copy, so a rollback killed here must not find an original sidecar
  // already back (it would take it for the restored copy's and remove it).
  for (const suffix of allSuffixes) {
    plan.rename(`${old}${suffix}`, `${database}${suffix}`);
  }
  return plan.operations;
}

/** The files of a restore of `database` that exist now: what the plans above are given. */
export function restoreFilesPresent(database: string, exists: (file: string) => boolean): PresentFiles {
  const { old, staged } = restorePaths(database);
  const names = [staged, ...allSuffixes.flatMap((suffix) => [`${database}${suffix}`, `${old}${suffix}`])];
  return new Set(names.filter(exists));
}
