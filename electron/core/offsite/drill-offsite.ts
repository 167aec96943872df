import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DrillResult, DrillStep, DrillTargetResult } from '../../contract/drill';
import type { ErrorCode, LifeboatError } from '../../contract/errors';
import type { DatabaseLocation } from '../database-location';
import { ensureOwnFolder } from '../fs/untrusted-file';
import { isRunning } from '../fs/durable-file';
import type { JobControl } from '../job-control';
import { LifeboatFailure, toLifeboatError } from '../lifeboat-failure';
import { downloadStored, refuseIfNoRoom, unpackStored } from './pull-snapshot';
import { migrationOf } from './push-snapshots';
import { listRemote, openStore } from './remote-snapshots';
import type { ResolvedTarget } from './target-url';
import type { AppSettings } from '../restore/app-plan';
import { upgradeScratch } from '../restore/rehearse-restore';
import { planFor } from '../restore/restore-preflight';
import { requireHead, runSmokeQueries } from '../restore/restored-file';
import { maxProblems } from '../snapshot/verify-snapshots';
import { checkIntegrity } from '../sqlite/integrity-checker';

/**
 * A drill: each target's newest copy of the app brought back into a scratch folder Lifeboat owns
 * (never the backups folder, never a folder the app's user can write) and proven restorable there,
 * step by step; then the scratch folder is deleted. Nothing else is written anywhere.
 */

export interface DrillRequest {
  readonly location: DatabaseLocation;
  /** The app's settings (smoke queries, upgrade); null for a bare database. */
  readonly app: AppSettings | null;
  /** Whose copies: this machine's and the app's names in keys. */
  readonly host: string;
  readonly appName: string;
  readonly targets: readonly ResolvedTarget[];
  /** age identities from a trusted identity file; null when none is named (encrypted copies are then not decrypted). */
  readonly identities: readonly string[] | null;
  /** Lifeboat's own folder for scratch copies (in its data folder). */
  readonly scratchRoot: string;
}

/** The code each step fails with when what the target holds is not a restorable copy. */
const stepCodes: Record<DrillStep, ErrorCode> = {
  find: 'DRILL_COPY_MISSING',
  download: 'DRILL_STORED_MISMATCH',
  decrypt: 'DRILL_DECRYPT_FAILED',
  integrity: 'DRILL_INTEGRITY_FAILED',
  revision: 'DRILL_REVISION_MISMATCH',
  smoke: 'DRILL_SMOKE_FAILED',
  rehearsal: 'DRILL_REHEARSAL_FAILED',
};

/** A failure of the copy itself (its content), as opposed to the way to it (unreachable, no room, cancelled). */
const copyFailures = new Set<ErrorCode>([
  'CHECKSUM_MISMATCH',
  'DECRYPT_FAILED',
  'SNAPSHOT_CORRUPT',
  'SNAPSHOT_INCOMPLETE',
  'NOT_A_DATABASE',
  'RESTORE_FAILED',
  'SCHEMA_MISMATCH',
  'MIGRATION_FAILED',
  'APP_COMMAND_FAILED',
]);

/** A step's failure: the copy's own faults get the step's code (the result names the step beside it). */
function stepFailure(step: DrillStep, error: unknown): LifeboatError {
  const cause = toLifeboatError(error);
  return copyFailures.has(cause.code) ? { ...cause, code: stepCodes[step] } : cause;
}

/** Scratch folders are `<pid>-<random>`: one whose process is gone was left by a killed drill. */
export function removeLeftoverScratch(scratchRoot: string): string[] {
  const removed: string[] = [];
  const names = fs.existsSync(scratchRoot) ? fs.readdirSync(scratchRoot) : [];
  for (const name of names) {
    const pid = Number(/^(\d+)-/.exec(name)?.[1] ?? Number.NaN);
    if (!Number.isInteger(pid) || !isRunning(pid)) {
      fs.rmSync(path.join(scratchRoot, name), { recursive: true, force: true });
      removed.push(name);
    }
  }
  return removed;
}

/** The scratch root, Lifeboat's alone: made 0700, and refused when it is a link or anyone else's. */
function ownScratchRoot(scratchRoot: string): void {
  ensureOwnFolder(scratchRoot);
  const stat = fs.lstatSync(scratchRoot);
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) {
    throw new LifeboatFailure(
      'PERMISSION_DENIED',
      `${scratchRoot} belongs to uid ${stat.uid}, not to the user Lifeboat runs as: no drill copies go there.`,
      scratchRoot,
    );
  }
  fs.chmodSync(scratchRoot, 0o700);
}

async function drillTarget(
  request: DrillRequest,
  target: ResolvedTarget,
  control: JobControl,
): Promise<DrillTargetResult> {
  const started = Date.now();
  const result: {
    -readonly [K in keyof DrillTargetResult]: DrillTargetResult[K];
  } = {
    target: target.display,
    id: null,
    result: 'ok',
    step: null,
    error: null,
    restored: false,
    notTried: [],
    revision: null,
    bytes: 0,
    seconds: 0,
  };
  const scratch = fs.mkdtempSync(path.join(request.scratchRoot, `${process.pid}-`));
  const store = openStore(target);
  let step: DrillStep = 'find';
  const steps = async (): Promise<void> => {
    control.report(`Drill: listing ${target.display}`, 0);
    const listed = await listRemote(store, target, { host: request.host, app: request.appName });
    const [newest] = listed.snapshots;
    if (newest === undefined || newest.state === 'missing') {
      throw new LifeboatFailure(
        'DRILL_COPY_MISSING',
        newest === undefined
          ? `${target.display} holds no copy of ${request.host}/${request.appName}.`
          : `the newest copy on ${target.display}, ${newest.id}, has a manifest but its object is missing.`,
      );
    }
    result.id = newest.id;
    const { manifest } = newest;
    step = 'download';
    if (newest.state === 'wrong-size') {
      // Cut short or grown there: not worth its egress, the listing already shows it is not the object.
      throw new LifeboatFailure(
        'DRILL_STORED_MISMATCH',
        `${newest.id} on ${target.display} is not the ${manifest.stored.size} bytes its manifest says: it was cut short or changed there.`,
      );
    }
    refuseIfNoRoom(scratch, manifest, newest.id);
    const stored = path.join(scratch, 'stored');
    result.bytes = await downloadStored(store, target, newest, stored, control);
    step = 'decrypt';
    if (manifest.stored.encrypted && request.identities === null) {
      result.notTried.push({
        step: 'decrypt',
        reason:
          'the copy is encrypted and no identity file is named in the drill settings: the stored object was checked against its manifest, decryption and the rest were not tried',
      });
      return;
    }
    const plain = path.join(scratch, 'restored.db');
    await unpackStored(stored, plain, newest, request.identities ?? [], control);
    result.restored = true;
    fs.rmSync(stored);
    step = 'integrity';
    control.report('Drill: checking integrity', 0.9, newest.id);
    const integrity = await checkIntegrity(plain, maxProblems, control);
    if (integrity.length !== 1 || integrity[0] !== 'ok') {
      throw new LifeboatFailure(
        'DRILL_INTEGRITY_FAILED',
        `${newest.id} fails its integrity check (${integrity.slice(0, 3).join('; ')}).`,
      );
    }
    step = 'revision';
    const recorded = migrationOf(plain);
    result.revision = recorded?.revision ?? null;
    const expected = manifest.migration?.revision ?? null;
    if (result.revision !== expected) {
      throw new LifeboatFailure(
        'DRILL_REVISION_MISMATCH',
        `${newest.id} holds schema revision ${result.revision ?? 'none'}, its manifest says ${expected ?? 'none'}.`,
      );
    }
    const plan = planFor({ app: request.app, location: request.location });
    step = 'smoke';
    if (plan.smokeQueries.length === 0) {
      result.notTried.push({ step, reason: 'the app has no smoke queries' });
    } else {
      runSmokeQueries(plan.smokeQueries, plain);
    }
    step = 'rehearsal';
    if (plan.upgrade === null) {
      result.notTried.push({ step, reason: 'the app has no upgrade command' });
    } else {
      const upgrade = await upgradeScratch(plan, plain, request.location.databasePath, control);
      if (upgrade.kind === 'ran') {
        requireHead(plan, plain);
      } else if (upgrade.kind === 'not-tried') {
        result.notTried.push({ step, reason: upgrade.reason });
      }
    }
  };
  try {
    await steps();
  } catch (error) {
    const failure = stepFailure(step, error);
    if (failure.code === 'CANCELLED') {
      throw error;
    }
    result.result = 'failed';
    result.step = step;
    result.error = failure;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
    await store.close();
  }
  result.seconds = Math.round((Date.now() - started) / 100) / 10;
  return result;
}

/**
 * Drills each target in turn (one's failure does not stop the others) and says how each went. Scratch
 * folders a killed drill left are removed first; this drill's own is removed whatever happens.
 */
export async function drillOffsite(request: DrillRequest, control: JobControl): Promise<DrillResult> {
  if (request.targets.length === 0) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `No offsite target to drill for ${request.location.databasePath}: set "offsite" in lifeboat.json, or pass --target.`,
    );
  }
  ownScratchRoot(request.scratchRoot);
  removeLeftoverScratch(request.scratchRoot);
  const at = new Date().toISOString();
  const targets: DrillTargetResult[] = [];
  for (const target of request.targets) {
    targets.push(await drillTarget(request, target, control));
  }
  control.report('Done', 1);
  return {
    at,
    database: request.location.databasePath,
    ok: targets.every((t) => t.result === 'ok'),
    targets,
  };
}
