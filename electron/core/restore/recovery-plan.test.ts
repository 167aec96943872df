import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { restoreSteps, type RestoreStep } from '../../contract/restore';
import {
  forwardSteps,
  planDiscardOld,
  planRollback,
  planSetAside,
  restoreFilesPresent,
  type FileOperation,
} from './recovery-plan';
import { restorePaths, sidecarSuffixes, type RestoreJournal } from './restore-journal';

/**
 * The restore's file plans against a model of the folder: every state a crash can leave (after
 * every single file operation of every step, so mid-step too), from every mix of sidecars the live
 * database can have, then rolled back or resumed. Each file holds a label saying whose bytes it has.
 */

type Folder = Map<string, string>;

const database = '/srv/app/app.db';
const snapshot = '/srv/app/backups/app-20261127-010000.db';
const preRestore = '/srv/app/backups/app-20261127-020000-pre-restore.db';
const paths = restorePaths(database);
const liveNames = ['', ...sidecarSuffixes].map((suffix) => `${database}${suffix}`);

/** One step of a file operation the model runs: a plan's, or one of the steps' own writes. */
type Action = (folder: Folder) => void;

function applyOperation(folder: Folder, operation: FileOperation): void {
  switch (operation.kind) {
    case 'remove':
      assert.ok(folder.delete(operation.file), `removes ${operation.file}, which is there`);
      return;
    case 'rename': {
      const bytes = folder.get(operation.from);
      assert.ok(bytes !== undefined, `renames ${operation.from}, which is there`);
      assert.ok(!folder.has(operation.to), `never renames over ${operation.to}`);
      folder.delete(operation.from);
      folder.set(operation.to, bytes);
      return;
    }
    case 'copy-in':
      assert.equal(operation.source, preRestore);
      folder.set(database, 'pre-restore snapshot');
      return;
  }
}

function present(folder: Folder): ReadonlySet<string> {
  return restoreFilesPresent(database, (file) => folder.has(file));
}

/** A plan made from the folder as it is when its step starts, then run one operation at a time. */
function planned(plan: (files: ReadonlySet<string>) => readonly FileOperation[]): Action[] {
  let operations: readonly FileOperation[] | null = null;
  const next =
    (index: number): Action =>
    (folder) => {
      operations ??= plan(present(folder));
      const operation = operations[index];
      if (operation !== undefined) {
        applyOperation(folder, operation);
      }
    };
  // A plan never has more operations than there are names to act on.
  return Array.from({ length: liveNames.length * 2 + 1 }, (_, index) => next(index));
}

const write =
  (file: string, bytes: string): Action =>
  (folder) => {
    folder.set(file, bytes);
  };
const remove =
  (file: string): Action =>
  (folder) => {
    folder.delete(file);
  };

/** What each step does to the files, one operation at a time, in the run that crashed. */
function actionsOf(step: RestoreStep): Action[] {
  switch (step) {
    case 'stage':
      return [remove(paths.staged), write(paths.staged, 'half a copy'), write(paths.staged, 'snapshot')];
    case 'set-aside':
      return planned((files) => planSetAside(database, files));
    case 'put-in-place':
      return [
        (folder) => {
          folder.set(database, folder.get(paths.staged) ?? 'missing');
          folder.delete(paths.staged);
        },
      ];
    case 'upgrade':
      // Migrations run in SQLite transactions on the live file: a crash may leave a hot journal.
      return [
        write(`${database}-journal`, 'upgrade journal'),
        write(database, 'half-upgraded snapshot'),
        write(database, 'upgraded snapshot'),
        remove(`${database}-journal`),
      ];
    case 'start':
      // The app started on the restored file makes its own sidecars.
      return [write(`${database}-wal`, 'restored app -wal'), write(`${database}-shm`, 'restored app -shm')];
    case 'discard-old':
      return planned((files) => planDiscardOld(database, files));
    case 'preflight':
    case 'stop':
    case 'pre-restore':
    case 'verify':
    case 'check':
    case 'health':
      return [];
  }
}

/** What a resumed run does in full: as the first run, except that it stages the snapshot again to put it in place. */
function resumedActionsOf(step: RestoreStep, stagedThisRun: boolean): Action[] {
  if (step === 'put-in-place' && !stagedThisRun) {
    return [...actionsOf('stage'), ...actionsOf('put-in-place')];
  }
  if (step === 'upgrade') {
    // SQLite rolls back the hot journal a crash left, then the migrations run to the end.
    return [remove(`${database}-journal`), write(database, 'upgraded snapshot')];
  }
  return actionsOf(step);
}

interface Start {
  readonly name: string;
  readonly folder: Folder;
  readonly hadDatabase: boolean;
}

/** The live database as an app may leave it: with any mix of sidecars, or no database at all. */
function starts(): Start[] {
  const list: Start[] = [{ name: 'no live database', folder: new Map(), hadDatabase: false }];
  for (let mask = 0; mask < 1 << sidecarSuffixes.length; mask += 1) {
    const folder: Folder = new Map([[database, 'original']]);
    const kept = sidecarSuffixes.filter((_, index) => (mask & (1 << index)) !== 0);
    kept.forEach((suffix) => folder.set(`${database}${suffix}`, `original ${suffix}`));
    list.push({ name: `live database${kept.map((s) => ` + ${s}`).join('')}`, folder, hadDatabase: true });
  }
  return list;
}

function journalAt(step: RestoreStep, start: Start): RestoreJournal {
  return {
    version: 1,
    database,
    snapshot,
    snapshotSha256: '0'.repeat(64),
    // Recorded once the pre-restore snapshot exists, from the first forward step on.
    preRestore: start.hadDatabase && forwardSteps.includes(step) ? preRestore : null,
    owner: null,
    journalMode: null,
    step,
    startedAt: '2026-11-27T02:00:00.000Z',
    upgrade: true,
  };
}

interface Crash {
  readonly start: Start;
  readonly step: RestoreStep;
  /** How many of the step's operations had run. */
  readonly done: number;
  readonly folder: Folder;
}

/** Every state a crash can leave: after each operation of each journaled step, from each start. */
function crashes(): Crash[] {
  const list: Crash[] = [];
  for (const start of starts()) {
    const folder = new Map(start.folder);
    for (const step of restoreSteps.filter((s) => s !== 'preflight')) {
      const actions = actionsOf(step);
      for (let done = 0; done <= actions.length; done += 1) {
        list.push({ start, step, done, folder: new Map(folder) });
        actions[done]?.(folder);
      }
    }
  }
  return list;
}

function describeCrash(crash: Crash): string {
  return `${crash.start.name}, killed at ${crash.step} after ${crash.done} operation(s)`;
}

/** The folder's files that are not the live database's. */
function leftovers(folder: Folder): string[] {
  return [...folder.keys()].filter((file) => !liveNames.includes(file));
}

describe('the restore plans', () => {
  const all = crashes();

  it('model every operation of every step from every start', () => {
    assert.equal(new Set(all.map((c) => c.step)).size, restoreSteps.length - 1);
    assert.ok(
      all.some((c) => c.step === 'set-aside' && c.done > 0 && c.folder.has(database)),
      'a crash with the sidecars set aside and the database not yet',
    );
    assert.ok(all.length > 300, `${all.length} crash states`);
  });

  it('roll back every crash to the database as it was: its own sidecars, or the pre-restore snapshot once the old files were being discarded', () => {
    for (const crash of all) {
      const folder = new Map(crash.folder);
      for (const operation of planRollback(journalAt(crash.step, crash.start), present(folder))) {
        applyOperation(folder, operation);
      }
      const expected: Folder =
        crash.start.hadDatabase && crash.step === 'discard-old'
          ? new Map([[database, 'pre-restore snapshot']])
          : crash.start.folder;
      assert.deepEqual(folder, expected, describeCrash(crash));
      assert.deepEqual(leftovers(folder), [], describeCrash(crash));
    }
  });

  it('resume every crash after the pre-restore snapshot to the restored database, with no sidecar of the old one', () => {
    for (const crash of all.filter((c) => forwardSteps.includes(c.step))) {
      const folder = new Map(crash.folder);
      let stagedThisRun = false;
      for (const step of forwardSteps.slice(forwardSteps.indexOf(crash.step))) {
        resumedActionsOf(step, stagedThisRun).forEach((action) => action(folder));
        stagedThisRun ||= step === 'stage';
      }
      assert.deepEqual(
        folder,
        new Map([
          [database, 'upgraded snapshot'],
          [`${database}-wal`, 'restored app -wal'],
          [`${database}-shm`, 'restored app -shm'],
        ]),
        describeCrash(crash),
      );
    }
  });

  it('roll back twice as once: a rollback killed half-way is finished by the next one', () => {
    for (const crash of all) {
      const journal = journalAt(crash.step, crash.start);
      const operations = planRollback(journal, present(crash.folder));
      for (let done = 0; done < operations.length; done += 1) {
        const folder = new Map(crash.folder);
        operations.slice(0, done).forEach((operation) => applyOperation(folder, operation));
        planRollback(journal, present(folder)).forEach((operation) => applyOperation(folder, operation));
        const once = new Map(crash.folder);
        operations.forEach((operation) => applyOperation(once, operation));
        assert.deepEqual(folder, once, `${describeCrash(crash)}, rollback killed after ${done}`);
      }
    }
  });
});
