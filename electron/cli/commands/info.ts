import { startJob } from '../../core/jobs/job-runner';
import { listSnapshots } from '../../core/snapshot/list-snapshots';
import { databaseOf, drillStatusFor, freshnessFor } from '../shared/app-target';
import { exitCodes } from '../shared/exit-codes';
import { printInfo } from '../shared/human-output';
import type { Command } from '../shared/command';
import { databaseOptions } from '../shared/options';
import { emit, runWithProgress } from '../shared/run-job';

export const info: Command = {
  name: 'info',
  synopsis: 'info',
  summary: 'The live database: size, mode, tables',
  usage: ['info (--db DB | --app DIR) [--backups-dir DIR] [--data-dir DIR] [--json]'],
  options: [...databaseOptions, 'data-dir', 'json'],
  help: `The live database: size, page size, journal mode, tables with row counts,
the age of the newest snapshot, and the last drill of the offsite copies.`,
  async run(invocation) {
    const location = databaseOf(invocation);
    const described = await runWithProgress(
      (onProgress) => startJob({ kind: 'info', input: location }, onProgress, 'cli'),
      invocation.json,
    );
    const result = {
      ...described,
      freshness: freshnessFor(invocation, location, listSnapshots(location).snapshots),
      drill: drillStatusFor(invocation, location),
    };
    emit(invocation.json, result, () => printInfo(result));
    return exitCodes.ok;
  },
};
