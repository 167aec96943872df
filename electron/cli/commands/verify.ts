import { startJob } from '../../core/jobs/job-runner';
import { verifyVerb } from '../../core/verbs/app-verbs';
import { databaseOf, targetOf } from '../shared/app-target';
import { exitCodes } from '../shared/exit-codes';
import { printVerify } from '../shared/human-output';
import type { Command } from '../shared/command';
import { databaseOptions } from '../shared/options';
import { emit, runWithProgress } from '../shared/run-job';

export const verify: Command = {
  name: 'verify',
  synopsis: 'verify [SNAPSHOT...]',
  summary: 'Check snapshots: integrity and SHA-256',
  usage: ['verify [SNAPSHOT...] (--db DB | --app DIR) [--backups-dir DIR] [--json]'],
  options: [...databaseOptions, 'json'],
  help: `Integrity check and SHA-256 of the named snapshots (all when none are
named). A file without a recorded checksum gets one. Exits 3 when a snapshot
fails verification.`,
  async run(invocation) {
    const request = verifyVerb(targetOf(invocation, databaseOf(invocation)), invocation.positionals);
    const result = await runWithProgress(
      (onProgress) => startJob(request, onProgress, 'cli'),
      invocation.json,
    );
    emit(invocation.json, result, () => printVerify(result));
    return result.ok ? exitCodes.ok : exitCodes.verificationFailed;
  },
};
