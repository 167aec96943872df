import * as path from 'node:path';
import type { RemoteList } from '../../contract/offsite';
import { startJob } from '../../core/jobs/job-runner';
import { LifeboatFailure } from '../../core/lifeboat-failure';
import { chooseTargets } from '../../core/offsite/target-url';
import { resolveSnapshotPath } from '../../core/snapshot/resolve-snapshot';
import { offsiteOf } from '../shared/app-target';
import { exitCodes } from '../shared/exit-codes';
import { printPush, printRemoteList } from '../shared/human-output';
import type { Command } from '../shared/command';
import { emit, runWithProgress } from '../shared/run-job';

export const push: Command = {
  name: 'push',
  synopsis: 'push [SNAPSHOT...]',
  summary: 'Send verified snapshots offsite',
  usage: ['push [SNAPSHOT...] (--db DB | --app DIR) [--target NAME|URL] [--json]'],
  options: ['db', 'app', 'target', 'json'],
  help: `Sends verified snapshots offsite (all not yet there, or the ones named) to
each target in "offsite" of lifeboat.json, or to --target (a name there, or a
URL: s3://bucket/prefix?endpoint=…&region=…&forcePathStyle=true,
sftp://user@host:port/path, file:///dir). Each object is checked (size and
checksum) before its manifest is written; then the target's own retention
runs. S3 credentials come from the AWS environment variables or profile; SFTP
uses your SSH keys or agent and ~/.ssh/known_hosts. Exits 1 if any target or
snapshot failed.`,
  async run(invocation) {
    const { location, targets, host, app } = offsiteOf(invocation);
    const files = invocation.positionals.map((name) =>
      path.basename(resolveSnapshotPath(location.backupsDir, name, process.cwd())),
    );
    const result = await runWithProgress(
      (onProgress) =>
        startJob(
          {
            kind: 'push',
            input: { location, host, app, targets: chooseTargets(targets, invocation.target), files },
          },
          onProgress,
          'cli',
        ),
      invocation.json,
    );
    emit(invocation.json, result, () => printPush(result));
    return result.ok ? exitCodes.ok : exitCodes.failed;
  },
};

export const remote: Command = {
  name: 'remote',
  synopsis: 'remote list',
  summary: 'The snapshots an offsite target holds',
  usage: ['remote list (--db DB | --app DIR) [--target NAME|URL] [--all-hosts] [--json]'],
  options: ['db', 'app', 'target', 'all-hosts', 'json'],
  help: `"remote list": the snapshots a target holds for this app on this machine
(--all-hosts: every machine and app), with their manifests. "lifeboat restore
SNAPSHOT --from TARGET" brings one back.`,
  async run(invocation) {
    const [verb, ...rest] = invocation.positionals;
    if (verb !== 'list' || rest.length > 0) {
      throw new LifeboatFailure('INVALID_ARGUMENT', 'remote takes one verb: "lifeboat remote list".');
    }
    const standalone = invocation.allHosts && invocation.target?.includes('://') === true;
    const setup = standalone ? { targets: [], host: null, app: null } : offsiteOf(invocation);
    const scope = invocation.allHosts ? { host: null, app: null } : { host: setup.host, app: setup.app };
    const lists: RemoteList[] = [];
    for (const target of chooseTargets(setup.targets, invocation.target)) {
      lists.push(
        await runWithProgress(
          (onProgress) => startJob({ kind: 'remote-list', input: { target, scope } }, onProgress),
          invocation.json,
        ),
      );
    }
    emit(invocation.json, { targets: lists }, () => lists.map(printRemoteList).join('\n\n'));
    return exitCodes.ok;
  },
};
