import * as path from 'node:path';
import { startJob } from '../../core/jobs/job-runner';
import { LifeboatFailure } from '../../core/lifeboat-failure';
import { locationOf } from '../shared/app-target';
import { exitCodes } from '../shared/exit-codes';
import { printMigrate } from '../shared/human-output';
import type { Command } from '../shared/command';
import { emit, runWithProgress } from '../shared/run-job';
import { say } from '../shared/terminal-text';

export const migrate: Command = {
  name: 'migrate',
  synopsis: 'migrate',
  summary: 'Apply numbered .sql migrations in order',
  usage: ['migrate --db DB --migrations DIR [--version-table T [--version-column C]] [--json]'],
  options: ['db', 'migrations', 'version-table', 'version-column', 'json'],
  help: `Applies numbered .sql files (001_name.sql, ...) in order, each in its own
transaction, tracked by PRAGMA user_version (or --version-table). A migration
that fails is rolled back, named, and exits 1.`,
  async run(invocation) {
    const location = locationOf(invocation);
    if (invocation.migrations === undefined) {
      throw new LifeboatFailure(
        'INVALID_ARGUMENT',
        'migrate needs --migrations DIR: the folder of numbered .sql files.',
      );
    }
    const input = {
      databasePath: location.databasePath,
      migrationsDir: path.resolve(invocation.migrations),
      versionTable: invocation.versionTable,
      versionColumn: invocation.versionColumn,
    };
    const result = await runWithProgress(
      (onProgress) => startJob({ kind: 'migrate', input }, onProgress, 'cli'),
      invocation.json,
    );
    emit(invocation.json, result, () => printMigrate(result));
    if (result.failed !== null) {
      say(process.stderr, `lifeboat: ${result.failed.error.message} [${result.failed.error.code}]\n`);
      return exitCodes.failed;
    }
    return exitCodes.ok;
  },
};
