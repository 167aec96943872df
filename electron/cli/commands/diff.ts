import { startJob } from '../../core/jobs/job-runner';
import { LifeboatFailure } from '../../core/lifeboat-failure';
import { diffVerb } from '../../core/verbs/app-verbs';
import { appOf, targetOf } from '../shared/app-target';
import { exitCodes } from '../shared/exit-codes';
import { printDiff } from '../shared/human-output';
import type { Command } from '../shared/command';
import { emit, runWithProgress } from '../shared/run-job';

export const diff: Command = {
  name: 'diff',
  synopsis: 'diff A B',
  summary: 'What changed between two snapshots',
  usage: ['diff A B (--db DB | --app DIR) [--table T] [--json]'],
  options: ['db', 'app', 'table', 'json'],
  help: `What changed from A to B (snapshot names, or "live" for the live database,
opened read-only): per table the rows added, changed and deleted, matched by
primary key (rowid without one), a sample of each, and the schema's
differences. Streams: any size, little memory.`,
  async run(invocation) {
    const { location } = appOf(invocation);
    const [a, b] = invocation.positionals;
    if (a === undefined || b === undefined || invocation.positionals.length > 2) {
      throw new LifeboatFailure(
        'INVALID_ARGUMENT',
        'diff takes two snapshots: names from "lifeboat list", or "live" for the live database.',
      );
    }
    const request = diffVerb(targetOf(invocation, location), a, b, invocation.table);
    const result = await runWithProgress(
      (onProgress) => startJob(request, onProgress, 'cli'),
      invocation.json,
    );
    emit(invocation.json, result, () => printDiff(result));
    return exitCodes.ok;
  },
};
