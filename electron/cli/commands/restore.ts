import * as path from 'node:path';
import { formatBytes } from '../../contract/format';
import type { DatabaseLocation } from '../../core/database-location';
import { startJob } from '../../core/jobs/job-runner';
import { LifeboatFailure } from '../../core/lifeboat-failure';
import { chooseTargets } from '../../core/offsite/target-url';
import { readIdentities } from '../../core/offsite/stored-form';
import { appCommandsOf, planFor } from '../../core/restore/restore-preflight';
import { resolveSnapshotPath } from '../../core/snapshot/resolve-snapshot';
import {
  previewVerb,
  recoverVerb,
  rehearseVerb,
  restoreVerb,
  undoSnapshot,
} from '../../core/verbs/app-verbs';
import { appOf, offsiteOf, targetOf } from '../shared/app-target';
import { exitCodes } from '../shared/exit-codes';
import { printPreview, printRestore } from '../shared/human-output';
import type { Command } from '../shared/command';
import type { Invocation } from '../shared/options';
import { confirm, emit, runWithProgress } from '../shared/run-job';
import { say } from '../shared/terminal-text';

export const restore: Command = {
  name: 'restore',
  synopsis: 'restore SNAPSHOT',
  summary: 'Replace the live database with a snapshot',
  usage: [
    'restore SNAPSHOT (--db DB | --app DIR) [--yes] [--force-open] [--json]',
    'restore SNAPSHOT --rehearse (--db DB | --app DIR) [--json]',
    'restore --undo (--db DB | --app DIR) [--yes] [--json]',
    'restore --resume | --rollback (--db DB | --app DIR) [--json]',
    'restore SNAPSHOT --to FILE (--db DB | --app DIR) [--json]',
    'restore SNAPSHOT --from NAME|URL (--db DB | --app DIR) [--identity FILE] [--yes] [--json]',
  ],
  options: [
    'db',
    'app',
    'backups-dir',
    'yes',
    'force-open',
    'rehearse',
    'undo',
    'resume',
    'rollback',
    'to',
    'from',
    'identity',
    'json',
  ],
  help: `Replaces the live database with a snapshot, guarded: the snapshot is
verified, no process may hold the database open (--force-open to override), a
pinned pre-restore snapshot is taken, the old file and its -wal/-shm/-journal
are set aside, the copy is renamed into place and verified, else everything
is rolled back. Stop the app first. A journal beside the database lets
--resume finish, or --rollback undo, a restore that was interrupted.
--rehearse runs preflight, swap, upgrade and verify on a scratch copy and
reports, changing nothing. --undo puts back the last restore's pre-restore
snapshot as it was (no upgrade).
--to FILE writes the snapshot to a new file for inspection instead, checked;
the live database is not touched.
--from TARGET brings the snapshot back from an offsite target (checked against
its manifest, verified) into the backups folder, then restores it as above; it
works with no backups folder and no live database yet. Encrypted ones need
--identity FILE (or LIFEBOAT_AGE_IDENTITY).`,
  async run(invocation) {
    const { json } = invocation;
    const { location, app } = appOf(invocation);
    if (invocation.to !== undefined) {
      return restoreAsCopy(invocation, location);
    }
    const target = targetOf(invocation, location, app);
    if (invocation.resume || invocation.rollback) {
      const mode = invocation.resume ? 'resume' : 'rollback';
      const request = recoverVerb(target, mode, invocation.forceOpen);
      const result = await runWithProgress((onProgress) => startJob(request, onProgress, 'cli'), json);
      emit(json, result, () => printRestore(result));
      return result.error === null ? exitCodes.ok : exitCodes.failed;
    }
    const undoing = invocation.undo ? undoSnapshot(target) : null;
    const name = undoing ?? invocation.positionals[0];
    if (name === undefined || invocation.positionals.length > (undoing === null ? 1 : 0)) {
      throw new LifeboatFailure(
        'INVALID_ARGUMENT',
        'restore takes one SNAPSHOT (a name from "lifeboat list"), or --undo, --resume or --rollback.',
      );
    }
    // A snapshot brought back from an offsite target is named by its path on this machine.
    const snapshot = invocation.from === undefined ? name : await bringBack(invocation, name);
    if (invocation.rehearse) {
      const request = rehearseVerb(target, snapshot);
      const result = await runWithProgress((onProgress) => startJob(request, onProgress, 'cli'), json);
      emit(json, result, () => printRestore(result));
      return result.error === null ? exitCodes.ok : exitCodes.failed;
    }
    const request = restoreVerb(target, snapshot, {
      allowOpen: invocation.forceOpen,
      undo: undoing !== null,
    });
    // The same list the preview shows: presets and the default upgrade included, exactly as they will run.
    const plan = planFor({ app, location, undo: undoing !== null });
    const commands = appCommandsOf(plan);
    if (commands.length > 0 && !json) {
      say(
        process.stderr,
        `These commands of the app will run, exactly as shown:\n${commands.map((c) => `  ${c.which}: ${c.text}`).join('\n')}\n`,
      );
    }
    if (!invocation.yes) {
      // On a terminal, what the restore will throw away comes before the question.
      const asked = previewVerb(target, snapshot, undoing !== null);
      const preview = await runWithProgress((onProgress) => startJob(asked, onProgress), json);
      const blocker = preview.blockers.find((b) => !(b.code === 'DB_IN_USE' && invocation.forceOpen));
      if (blocker !== undefined) {
        throw new LifeboatFailure(blocker.code, `${blocker.message} Nothing was changed.`, blocker.path);
      }
      say(process.stderr, `${printPreview(preview)}\n`);
    }
    const file = path.basename(request.input.snapshotPath);
    const what =
      undoing === null
        ? `Replace ${location.databasePath} with ${file}?`
        : `Undo the last restore: put ${file} back over ${location.databasePath}, as it was?`;
    const question = `${what} A pinned pre-restore snapshot is taken first.${plan.stop === null ? ' Stop the app before you go on.' : ''}`;
    if (!(await confirm(question, invocation.yes, 'restore replaces the live database'))) {
      process.stderr.write('Nothing was changed.\n');
      return exitCodes.failed;
    }
    const result = await runWithProgress((onProgress) => startJob(request, onProgress, 'cli'), json);
    emit(json, result, () => printRestore(result));
    if (result.error !== null) {
      say(
        process.stderr,
        `lifeboat: the restore was rolled back: ${result.error.message} [${result.error.code}]\n`,
      );
      return exitCodes.failed;
    }
    return exitCodes.ok;
  },
};

/** `restore SNAPSHOT --to FILE`: the snapshot as a new file, checked; nothing live changes. */
async function restoreAsCopy(invocation: Invocation, location: DatabaseLocation): Promise<number> {
  const [name, ...rest] = invocation.positionals;
  if (name === undefined || rest.length > 0 || invocation.to === undefined) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      'restore SNAPSHOT --to FILE takes one snapshot (a name from "lifeboat list") and a new file.',
    );
  }
  const snapshotPath = resolveSnapshotPath(location.backupsDir, name, process.cwd());
  const target = path.resolve(invocation.to);
  const written = await runWithProgress(
    (onProgress) => startJob({ kind: 'copy', input: { snapshotPath, target } }, onProgress, 'cli'),
    invocation.json,
  );
  emit(
    invocation.json,
    written,
    () =>
      `Wrote ${written.path} (${formatBytes(written.bytes)}), a checked copy of ${name}. The live database was not touched.`,
  );
  return exitCodes.ok;
}

/** `restore SNAPSHOT --from TARGET`: the snapshot brought back into the backups folder, checked; its path. */
async function bringBack(invocation: Invocation, id: string): Promise<string> {
  const { location, targets, host, app } = offsiteOf(invocation);
  const [target] = chooseTargets(targets, invocation.from);
  if (target === undefined) {
    throw new LifeboatFailure('INVALID_ARGUMENT', '--from names no target.');
  }
  const identities =
    invocation.identity === undefined ? [] : readIdentities(path.resolve(invocation.identity));
  const pulled = await runWithProgress(
    (onProgress) =>
      startJob(
        { kind: 'pull', input: { location, target, id, scope: { host, app }, identities } },
        onProgress,
        'cli',
      ),
    invocation.json,
  );
  if (!invocation.json) {
    say(
      process.stderr,
      pulled.alreadyHere
        ? `${pulled.id} is already here as ${pulled.file}.\n`
        : `Brought ${pulled.id} back from ${pulled.target} as ${pulled.file} (${formatBytes(pulled.downloaded)}), checked and verified.\n`,
    );
  }
  return pulled.path;
}
