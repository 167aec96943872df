import {
  retentionRulesSchema,
  ruleFlag,
  type PruneResult,
  type RetentionRuleName,
  type RetentionRules,
} from '../../contract/retention';
import { startJob } from '../../core/jobs/job-runner';
import { LifeboatFailure } from '../../core/lifeboat-failure';
import type { AppSettingsFile } from '../../core/settings/app-settings-file';
import { automationOf } from '../shared/app-target';
import { exitCodes } from '../shared/exit-codes';
import { printPrune } from '../shared/human-output';
import type { Command } from '../shared/command';
import { databaseOptions, type Invocation } from '../shared/options';
import { confirm, emit, runWithProgress } from '../shared/run-job';
import { say } from '../shared/terminal-text';

/** The retention rules: the --keep-* flags when any is given (they replace the file's), else lifeboat.json's. */
function rulesOf(invocation: Invocation, file: AppSettingsFile | null): RetentionRules {
  const flags = Object.entries(invocation.keep);
  if (flags.length === 0) {
    return file?.retention ?? {};
  }
  const parsed = retentionRulesSchema.safeParse(
    Object.fromEntries(
      flags.map(([rule, value]) => [rule, /^\d+$/.test(value) ? Number(value) : Number.NaN]),
    ),
  );
  if (!parsed.success) {
    const [rule] = flags.find(([, value]) => !/^[1-9]\d{0,5}$/.test(value)) ?? flags[0] ?? [];
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `${ruleFlag((rule ?? 'keepLast') as RetentionRuleName)} takes a whole number from 1 to 100000.`,
    );
  }
  return parsed.data;
}

export const prune: Command = {
  name: 'prune',
  synopsis: 'prune',
  summary: 'Delete what no retention rule keeps',
  usage: [
    'prune (--db DB | --app DIR) [--keep-last N] [--keep-hourly N] [--keep-daily N]',
    '      [--keep-weekly N] [--keep-monthly N] [--keep-yearly N] [--dry-run] [--yes] [--json]',
  ],
  options: [
    ...databaseOptions,
    'keep-last',
    'keep-hourly',
    'keep-daily',
    'keep-weekly',
    'keep-monthly',
    'keep-yearly',
    'dry-run',
    'yes',
    'json',
  ],
  help: `Deletes the snapshots no retention rule keeps. The rules come from
"retention" in lifeboat.json (--settings FILE, else in --app DIR, else beside
the database; taken only when no one but you or root can change it or a folder
above it), or from --keep-* flags, which then replace them all. Each rule keeps
the newest snapshot of each of the N newest hours, days, ISO weeks, months or
years that have one (keep-last: the N newest). Never deleted: pinned
snapshots, the newest, the newest verified, damaged or foreign files,
anything during a restore. Shows every snapshot with keep/delete and why,
then asks (on a terminal) unless --yes; --dry-run deletes nothing.`,
  // Shows the plan, asks, then deletes exactly the snapshots it showed (and that the rules still drop).
  async run(invocation) {
    const { json } = invocation;
    const { location, file } = automationOf(invocation);
    const rules = rulesOf(invocation, file);
    const run = (dryRun: boolean, confirmed?: readonly string[]): Promise<PruneResult> =>
      runWithProgress(
        (onProgress) =>
          startJob(
            {
              kind: 'prune',
              input: { location, rules, dryRun, ...(confirmed === undefined ? {} : { confirmed }) },
            },
            onProgress,
            'cli',
          ),
        json,
      );
    const plan = await run(true);
    const doomed = plan.snapshots.filter((d) => d.decision === 'delete').map((d) => d.file);
    if (invocation.dryRun || doomed.length === 0) {
      emit(json, plan, () => printPrune(plan));
      return exitCodes.ok;
    }
    if (!invocation.yes && !json) {
      say(process.stderr, `${printPrune(plan)}\n`);
    }
    if (
      !(await confirm(
        `Delete ${doomed.length} snapshot(s) from ${location.backupsDir} for good?`,
        invocation.yes,
        'prune deletes snapshot files',
      ))
    ) {
      process.stderr.write('Nothing was deleted.\n');
      return exitCodes.failed;
    }
    const result = await run(false, doomed);
    emit(json, result, () => printPrune(result));
    return exitCodes.ok;
  },
};
