import { startJob } from '../../core/jobs/job-runner';
import { LifeboatFailure } from '../../core/lifeboat-failure';
import { snapshotVerb } from '../../core/verbs/app-verbs';
import { databaseOf, targetOf } from '../shared/app-target';
import { exitCodes } from '../shared/exit-codes';
import { printBackup } from '../shared/human-output';
import type { Command } from '../shared/command';
import { databaseOptions } from '../shared/options';
import { emit, runWithProgress } from '../shared/run-job';

export const backup: Command = {
  name: 'backup',
  synopsis: 'backup [REASON]',
  summary: 'Snapshot the database while the app runs',
  usage: ['backup [REASON] (--db DB | --app DIR) [--backups-dir DIR] [--note TEXT] [--require-db] [--json]'],
  options: [...databaseOptions, 'note', 'require-db', 'json'],
  help: `Takes a consistent snapshot while the app keeps running. REASON becomes the
label (default "manual"); --note adds a free-text note. A database that does
not exist yet is "nothing to back up" (exit 0, for an entrypoint that runs
before the app made its file); with --require-db it fails (DB_NOT_FOUND, exit 1),
as a cron line should.`,
  async run(invocation) {
    if (invocation.positionals.length > 1) {
      throw new LifeboatFailure('INVALID_ARGUMENT', 'backup takes one REASON; quote it if it has spaces.');
    }
    const location = databaseOf(invocation);
    const outcome = await runWithProgress(
      (onProgress) =>
        startJob(
          snapshotVerb(targetOf(invocation, location), {
            label: invocation.positionals[0],
            note: invocation.note,
          }),
          onProgress,
          'cli',
        ),
      invocation.json,
    );
    if (outcome.kind === 'nothing-to-back-up' && invocation.requireDb) {
      throw new LifeboatFailure(
        'DB_NOT_FOUND',
        `${location.databasePath} does not exist: nothing was backed up. Check the path (or the volume it is on); without --require-db this is "nothing to back up".`,
        location.databasePath,
      );
    }
    emit(invocation.json, outcome, () => printBackup(outcome));
    return exitCodes.ok;
  },
};
