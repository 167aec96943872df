import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assertNever, type LifeboatError } from '../../contract/errors';
import {
  rehearsalSteps,
  type RestoreResult,
  type RestoreStep,
  type TableDifference,
} from '../../contract/restore';
import type { JobControl } from '../job-control';
import { LifeboatFailure, toLifeboatError } from '../lifeboat-failure';
import type { AppPlan } from './app-plan';
import { liveSchemaStatus, runUpgrade } from './app-steps';
import { switchedIds } from './command-user';
import { preflight, spaceError, type Preflight, type PreviewRequest } from './restore-preflight';
import { requireHeadAndSmoke, requireJournalMode, requireOpensAsSnapshot, stageCopy } from './restored-file';
import { done, Handoff, runSteps, skip, type StepOutcome } from './step-runner';

/**
 * Runs the app's upgrade command on the rehearsal's scratch copy, named in LIFEBOAT_DATABASE_URL. A
 * command that does not read it works on the live database instead: that is found out (the live
 * database's revision moved) and said plainly, so the setting gets corrected.
 */
async function upgradeScratchWithAppCommand(
  plan: AppPlan,
  scratch: string,
  livePath: string,
  control: JobControl,
): Promise<string | null> {
  const liveRevision = (): string => liveSchemaStatus(plan, livePath, 'live')?.current.join(',') ?? '';
  const before = liveRevision();
  const ran = await runUpgrade(plan, scratch, control);
  if (liveRevision() !== before) {
    throw new LifeboatFailure(
      'APP_COMMAND_FAILED',
      `The upgrade command upgraded the live database, not the rehearsal's copy: it does not read $LIFEBOAT_DATABASE_URL. Make it read it (docs/cli.md, under "restore", says how), or turn off "the upgrade works on the database in $LIFEBOAT_DATABASE_URL" in the app's settings.`,
      livePath,
    );
  }
  return ran;
}

/** What upgrading a scratch copy came to: it ran, there was nothing to run, or it could not run on the copy. */
export type ScratchUpgrade =
  | { readonly kind: 'ran'; readonly detail: string | null }
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'not-tried'; readonly reason: string };

/**
 * Upgrades a scratch copy to the code's head, as a rehearsal (and a drill) does: Lifeboat's own runner,
 * or the app's command when it reads $LIFEBOAT_DATABASE_URL; any other command would work on the
 * database its own settings name, so it is not run and the reason says what it would apply.
 */
export async function upgradeScratch(
  plan: AppPlan,
  scratch: string,
  livePath: string,
  control: JobControl,
): Promise<ScratchUpgrade> {
  const status = liveSchemaStatus(plan, scratch, 'snapshot');
  if (status === null || status.status === 'at-head') {
    return { kind: 'skipped', reason: status === null ? 'no migrations known' : 'already at head' };
  }
  if (plan.upgrade === 'built-in') {
    return { kind: 'ran', detail: await runUpgrade(plan, scratch, control) };
  }
  if (plan.upgradeUsesLifeboatDatabase) {
    // The app's command is told the scratch copy in LIFEBOAT_DATABASE_URL, as it is told the live file in a restore.
    return { kind: 'ran', detail: await upgradeScratchWithAppCommand(plan, scratch, livePath, control) };
  }
  return {
    kind: 'not-tried',
    reason: `the app's command works on the database its own settings name, not on the scratch copy (let it read $LIFEBOAT_DATABASE_URL to rehearse it); it would apply ${status.pending.join(', ')}`,
  };
}

/**
 * A rehearsal: preflight, then the swap, upgrade and verification on a scratch copy of the snapshot,
 * reporting what a restore would meet, without touching the live database or the app. Lifeboat's
 * own runner upgrades the copy; so does the app's upgrade command when its settings say it reads
 * $LIFEBOAT_DATABASE_URL. Otherwise that command works on the database its configuration names, so
 * the rehearsal only lists the migrations it would apply and checks the rest.
 */
export async function rehearseRestore(request: PreviewRequest, control: JobControl): Promise<RestoreResult> {
  const timings: RestoreResult['steps'] = [];
  const notTried: RestoreResult['notTried'] = [];
  const result = (error: LifeboatError | null, tables: TableDifference[]): RestoreResult => ({
    outcome: 'rehearsed',
    database: request.location.databasePath,
    snapshot: request.snapshotPath,
    preRestoreSnapshot: null,
    tables,
    steps: timings,
    rollbackSteps: [],
    notTried,
    error,
  });
  const found = new Handoff<Preflight>('the preflight');
  // Who holds the live file does not matter here: the rehearsal never touches it.
  const runPreflight = async (): Promise<StepOutcome> => {
    found.set(await preflight(request, true, control));
    return done();
  };
  await runSteps({ steps: ['preflight'], cancellable: true, run: runPreflight, timings }, control);
  const { plan, preview, sha256 } = found.get();
  const [blocker] = preview.blockers;
  if (blocker !== undefined || sha256 === null) {
    return result(blocker ?? null, preview.tables);
  }
  const scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeboat-rehearsal-'));
  const scratch = path.join(scratchDir, path.basename(request.location.databasePath));
  // The app's upgrade command runs as the app's user: the scratch copy (and its folder, for SQLite's journal) is that user's.
  const ids = plan.upgrade === null || plan.upgrade === 'built-in' ? null : switchedIds(plan.upgrade.user);
  const scratchOwner = ids === null ? null : { mode: 0o600, ...ids };
  if (scratchOwner !== null) {
    fs.chownSync(scratchDir, scratchOwner.uid, scratchOwner.gid);
  }
  let upgraded = true;
  const run = async (step: RestoreStep): Promise<StepOutcome> => {
    switch (step) {
      case 'stage': {
        const noRoom = spaceError(scratchDir, preview.neededBytes, "the rehearsal's scratch copy");
        if (noRoom !== null) {
          throw noRoom;
        }
        // The scratch copy is what the restore would put in place: in the live file's journal mode.
        await stageCopy(
          request.snapshotPath,
          scratch,
          sha256,
          { owner: scratchOwner, journalMode: preview.journalMode.mode },
          control,
        );
        return done(`scratch copy in ${scratchDir}`);
      }
      case 'verify':
        requireOpensAsSnapshot(scratch);
        requireJournalMode(scratch, preview.journalMode.mode);
        return done(`journal mode: ${preview.journalMode.mode}`);
      case 'upgrade': {
        const upgrade = await upgradeScratch(plan, scratch, request.location.databasePath, control);
        switch (upgrade.kind) {
          case 'ran':
            return done(upgrade.detail);
          case 'skipped':
            return skip(upgrade.reason);
          case 'not-tried':
            upgraded = false;
            notTried.push({ step, reason: upgrade.reason });
            return skip(`not run on the scratch copy: ${upgrade.reason}`);
          default:
            return assertNever(upgrade);
        }
      }
      case 'check':
        if (!upgraded) {
          return done('the head check waits for the real upgrade; the copy is sound');
        }
        requireHeadAndSmoke(plan, scratch);
        return done(
          plan.smokeQueries.length === 0
            ? 'at head'
            : `at head; ${plan.smokeQueries.length} smoke queries ran`,
        );
      default:
        throw new LifeboatFailure('INTERNAL', `A rehearsal does not run ${step}.`);
    }
  };
  try {
    await runSteps({ steps: rehearsalSteps.slice(1), cancellable: true, run, timings }, control);
  } catch (error) {
    return result(toLifeboatError(error), preview.tables);
  } finally {
    fs.rmSync(scratchDir, { recursive: true, force: true });
  }
  control.report('Done', 1);
  return result(null, preview.tables);
}
