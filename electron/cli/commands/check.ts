import * as fs from 'node:fs';
import { startJob } from '../../core/jobs/job-runner';
import { toLifeboatError } from '../../core/lifeboat-failure';
import { readJournal } from '../../core/restore/restore-journal';
import { attentionOf, damagedSnapshots, type Attention } from '../../core/schedule/attention';
import { readSqliteHeaderSync } from '../../core/sqlite/sqlite-header';
import { listVerb } from '../../core/verbs/app-verbs';
import type { DatabaseLocation } from '../../core/database-location';
import { databaseOf, drillStatusFor, freshnessFor, targetOf } from '../shared/app-target';
import { exitCodes } from '../shared/exit-codes';
import { printCheck } from '../shared/human-output';
import type { Command } from '../shared/command';
import { databaseOptions } from '../shared/options';
import { emit, runWithProgress } from '../shared/run-job';

/** Why a restore of the database is unfinished, with the commands that end it; null when none is. */
function interruptedText(location: DatabaseLocation): string | null {
  const resume = `lifeboat restore --resume --db ${location.databasePath}`;
  try {
    const journal = readJournal(location);
    return journal === null
      ? null
      : `A restore of ${location.databasePath} was interrupted (at step ${journal.step}): finish it with "${resume}" or roll it back with "--rollback".`;
  } catch (error) {
    return `A restore was interrupted and its journal cannot be trusted: ${toLifeboatError(error).message}`;
  }
}

export const check: Command = {
  name: 'check',
  synopsis: 'check',
  summary: 'Exit 5, naming each, when the app needs attention',
  usage: ['check (--db DB | --app DIR) [--backups-dir DIR] [--data-dir DIR] [--json]'],
  options: [...databaseOptions, 'data-dir', 'json'],
  help: `For cron and monitoring: exits 5 and names each thing that needs attention
(a restore left interrupted, the database missing or not a database, a
damaged or incomplete snapshot, protection that is failing, stale or has no
snapshot yet, a drill of the offsite copies that failed or is overdue), most
urgent first; exits 0 when there is none.`,
  async run(invocation) {
    const location = databaseOf(invocation);
    const listed = await runWithProgress(
      (onProgress) => startJob(listVerb(targetOf(invocation, location), null), onProgress, 'cli'),
      invocation.json,
    );
    const exists = fs.existsSync(location.databasePath);
    const freshness = freshnessFor(invocation, location, listed.snapshots);
    const drill = drillStatusFor(invocation, location);
    const problems: Attention[] = attentionOf({
      interrupted: interruptedText(location),
      // The keeper's own trouble is the keeper's to report (run-due, serve); check reads the folders.
      keeperProblem: null,
      exists,
      notADatabase: exists && readSqliteHeaderSync(location.databasePath).kind === 'not-sqlite',
      damaged: damagedSnapshots(listed.snapshots),
      freshness,
      drill,
    });
    const result = {
      database: location.databasePath,
      backupsDir: location.backupsDir,
      ok: problems.length === 0,
      problems,
      freshness,
      drill,
    };
    emit(invocation.json, result, () => printCheck(result));
    return problems.length === 0 ? exitCodes.ok : exitCodes.needsAttention;
  },
};
