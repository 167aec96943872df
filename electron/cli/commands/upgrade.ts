import { startJob } from '../../core/jobs/job-runner';
import { upgradeVerb } from '../../core/verbs/app-verbs';
import { appOf, targetOf } from '../shared/app-target';
import { exitCodeFor, exitCodes } from '../shared/exit-codes';
import { printUpgrade } from '../shared/human-output';
import type { Command } from '../shared/command';
import { emit, runWithProgress } from '../shared/run-job';
import { say } from '../shared/terminal-text';

export const upgrade: Command = {
  name: 'upgrade',
  synopsis: 'upgrade',
  summary: 'A safe schema upgrade, undone on failure',
  usage: ['upgrade (--app DIR | --db DB --migrations DIR [--tool NAME]) [--json]'],
  options: ['app', 'db', 'migrations', 'tool', 'json'],
  help: `A safe upgrade for deploys and container entrypoints: at head it does
nothing; else a pinned pre-upgrade snapshot, the upgrade, a check that the
database reached head; on failure the snapshot is restored and it exits 1 with
the reason.`,
  async run(invocation) {
    const { location, app } = appOf(invocation);
    const request = upgradeVerb(targetOf(invocation, location, app));
    const result = await runWithProgress(
      (onProgress) => startJob(request, onProgress, 'cli'),
      invocation.json,
    );
    emit(invocation.json, result, () => printUpgrade(result));
    if (result.error !== null) {
      const undone =
        result.rollback?.outcome === 'restored' ? 'failed and was undone' : 'failed and could not be undone';
      say(
        process.stderr,
        `lifeboat: the upgrade ${undone}: ${result.error.message} [${result.error.code}]\n`,
      );
      return exitCodeFor(result.error.code);
    }
    return exitCodes.ok;
  },
};
