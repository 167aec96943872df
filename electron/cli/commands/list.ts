import { startJob } from '../../core/jobs/job-runner';
import { listVerb } from '../../core/verbs/app-verbs';
import { databaseOf, freshnessFor, setupOf, targetOf } from '../shared/app-target';
import { exitCodes } from '../shared/exit-codes';
import { printList } from '../shared/human-output';
import type { Command } from '../shared/command';
import { databaseOptions } from '../shared/options';
import { emit, runWithProgress } from '../shared/run-job';

export const list: Command = {
  name: 'list',
  synopsis: 'list',
  summary: 'The snapshots, newest first, with status',
  usage: ['list (--db DB | --app DIR) [--backups-dir DIR] [--json]'],
  options: [...databaseOptions, 'json'],
  help: `Every file in the backups folder, newest first, with its status: verified,
unverified, corrupt, not-a-database or incomplete, and the schema revision it
holds; then how fresh the app's protection is.`,
  async run(invocation) {
    const location = databaseOf(invocation);
    const listed = await runWithProgress(
      (onProgress) =>
        startJob(listVerb(targetOf(invocation, location), setupOf(invocation, location)), onProgress, 'cli'),
      invocation.json,
    );
    const result = { ...listed, freshness: freshnessFor(invocation, location, listed.snapshots) };
    emit(invocation.json, result, () => printList(result));
    return exitCodes.ok;
  },
};
