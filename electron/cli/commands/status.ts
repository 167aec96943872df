import { startJob } from '../../core/jobs/job-runner';
import { LifeboatFailure } from '../../core/lifeboat-failure';
import { locationOf, setupOf } from '../shared/app-target';
import { exitCodes } from '../shared/exit-codes';
import { printStatus } from '../shared/human-output';
import type { Command } from '../shared/command';
import { emit, runWithProgress } from '../shared/run-job';

export const status: Command = {
  name: 'status',
  synopsis: 'status',
  summary: 'The schema revision against the migrations',
  usage: ['status --db DB [--app DIR] [--migrations DIR] [--tool NAME] [--check] [--json]'],
  options: ['db', 'app', 'migrations', 'tool', 'check', 'json'],
  help: `Which schema revision the live database is at, against the app's migrations
(Alembic, Django, Rails, Knex, Prisma, Flyway, golang-migrate, sqlx, PRAGMA
user_version, or --tool table). Found in --app DIR (default: the current
folder, then the database's folder) unless --migrations and --tool say. With
--check, exits 0 only when the database is at head, else 4.`,
  async run(invocation) {
    const location = locationOf(invocation);
    const { report } = await runWithProgress(
      (onProgress) =>
        startJob(
          {
            kind: 'migrations',
            input: { databasePath: location.databasePath, setup: setupOf(invocation, location) },
          },
          onProgress,
          'cli',
        ),
      invocation.json,
    );
    if (report === null) {
      throw new LifeboatFailure(
        'INVALID_ARGUMENT',
        'No migrations found, and the database records none Lifeboat knows: run it in the app folder, or pass --app DIR, or --migrations DIR with --tool NAME.',
      );
    }
    emit(invocation.json, report, () => printStatus(report));
    if (invocation.check && report.status.reference === 'live') {
      process.stderr.write(
        "lifeboat: --check compares with the app's migrations, and none were found: pass --app DIR or --migrations DIR.\n",
      );
      return exitCodes.notAtHead;
    }
    // A migration file Lifeboat could not read may be one the database lacks: never "at head" then.
    return invocation.check && (report.status.status !== 'at-head' || report.graph.problems.length > 0)
      ? exitCodes.notAtHead
      : exitCodes.ok;
  },
};
