import * as path from 'node:path';
import { startJob } from '../../core/jobs/job-runner';
import { deleteVerb, pinVerb } from '../../core/verbs/app-verbs';
import { appOf, targetOf } from '../shared/app-target';
import { exitCodes } from '../shared/exit-codes';
import { printPins } from '../shared/human-output';
import type { Command } from '../shared/command';
import { databaseOptions, type Invocation } from '../shared/options';
import { confirm, emit, runWithProgress } from '../shared/run-job';

async function setPins(invocation: Invocation, pinned: boolean): Promise<number> {
  const { location } = appOf(invocation);
  const request = pinVerb(targetOf(invocation, location), invocation.positionals, pinned);
  const result = await runWithProgress((onProgress) => startJob(request, onProgress, 'cli'), invocation.json);
  emit(invocation.json, result, () => printPins(result));
  return exitCodes.ok;
}

export const pin: Command = {
  name: 'pin',
  synopsis: 'pin SNAPSHOT...',
  summary: 'Keep snapshots until they are unpinned',
  usage: ['pin SNAPSHOT... (--db DB | --app DIR) [--json]'],
  options: [...databaseOptions, 'json'],
  help: `Keeps snapshots until they are unpinned: a pinned snapshot cannot be
deleted (every pre-restore and pre-upgrade snapshot is pinned). A file
without a record is verified first.`,
  run: (invocation) => setPins(invocation, true),
};

export const unpin: Command = {
  name: 'unpin',
  synopsis: 'unpin SNAPSHOT...',
  summary: 'Lift the pin of snapshots',
  usage: ['unpin SNAPSHOT... (--db DB | --app DIR) [--json]'],
  options: [...databaseOptions, 'json'],
  help: `Lifts the pin of snapshots, so that they can be deleted or pruned.`,
  run: (invocation) => setPins(invocation, false),
};

export const remove: Command = {
  name: 'delete',
  synopsis: 'delete SNAPSHOT...',
  summary: 'Delete snapshots and their records',
  usage: ['delete SNAPSHOT... (--db DB | --app DIR) [--yes] [--json]'],
  options: [...databaseOptions, 'yes', 'json'],
  help: `Deletes snapshots and their records; asks on a terminal unless --yes.
If one of them is pinned, nothing is deleted [SNAPSHOT_PINNED].`,
  async run(invocation) {
    const { location } = appOf(invocation);
    const request = deleteVerb(targetOf(invocation, location), invocation.positionals);
    const names = request.input.paths.map((p) => path.basename(p));
    if (
      !(await confirm(
        `Delete ${names.join(', ')} for good?`,
        invocation.yes,
        'delete removes snapshot files',
      ))
    ) {
      process.stderr.write('Nothing was deleted.\n');
      return exitCodes.failed;
    }
    const result = await runWithProgress(
      (onProgress) => startJob(request, onProgress, 'cli'),
      invocation.json,
    );
    emit(invocation.json, result, () => result.deleted.map((file) => `Deleted ${file}`).join('\n'));
    return exitCodes.ok;
  },
};
