import { Readable } from 'node:stream';
import type { LifeboatError } from '../../contract/errors';
import type { OffsiteManifest, PushOutcome, PushResult, RemoteSnapshot } from '../../contract/offsite';
import { hasNoRules } from '../../contract/retention';
import type { SnapshotEntry } from '../../contract/snapshots';
import type { DatabaseLocation } from '../database-location';
import type { JobControl } from '../job-control';
import { LifeboatFailure, toLifeboatError } from '../lifeboat-failure';
import { lifeboatVersion } from '../lifeboat-version';
import { readRecorded } from '../migrations/recorded-migrations';
import { planRetention } from '../retention/plan-retention';
import { sanitizeSlug } from '../snapshot-name';
import { listSnapshots } from '../snapshot/list-snapshots';
import { readRecord } from '../snapshot/snapshot-records';
import { openSnapshotFile } from '../sqlite/open-database';
import type { ObjectStore } from './object-store';
import { offsiteFailure } from './object-store';
import { readOffsiteState, recordTargetState } from './offsite-state';
import { listRemote, openStore } from './remote-snapshots';
import { encodeSnapshot, storedSuffix } from './stored-form';
import type { ResolvedTarget } from './target-url';

export interface PushRequest {
  readonly location: DatabaseLocation;
  /** Names in keys: this machine's and the app's (see keyName). */
  readonly host: string;
  readonly app: string;
  readonly targets: readonly ResolvedTarget[];
  /** Only these snapshot files; every verified one when empty. */
  readonly files: readonly string[];
}

/** `20261126T230632Z`: a time that sorts as text and is safe in every key. */
function compactTime(iso: string): string {
  return new Date(iso)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** What the snapshot file records of its schema, for the manifest (read from the file itself). */
export function migrationOf(filePath: string): OffsiteManifest['migration'] {
  const db = openSnapshotFile(filePath);
  try {
    const recorded = readRecorded(db);
    if (recorded === null) {
      return null;
    }
    const current = recorded.applied.map((m) => m.id).slice(-10_000);
    return { tool: recorded.tool, revision: current.at(-1) ?? null, current };
  } catch {
    return null;
  } finally {
    db.close();
  }
}

/** A remote snapshot as a listing entry, so that the retention planner of local snapshots plans it too. */
function asEntry(remote: RemoteSnapshot): SnapshotEntry {
  const m = remote.manifest;
  return {
    file: remote.id,
    path: remote.id,
    time: m.time,
    timeSource: 'recorded',
    label: m.label,
    note: m.note,
    size: m.plain.size,
    status: 'verified',
    statusReason: null,
    sha256: m.plain.sha256,
    madeBy: 'lifeboat',
    sidecars: [],
    migration: null,
    pinned: m.pinned,
    lastVerified: null,
  };
}

async function removeRemote(store: ObjectStore, remote: RemoteSnapshot): Promise<void> {
  const folder = remote.id.slice(0, remote.id.lastIndexOf('/'));
  // The manifest first: an object without one never counts, so a deletion cut short leaves no half-snapshot.
  await store.remove(`${remote.id}.json`);
  await store.remove(`${folder}/${remote.manifest.stored.name}`);
}

interface Progress {
  readonly control: JobControl;
  readonly targetIndex: number;
  readonly targetCount: number;
}

/** Sends one snapshot: object, check, then manifest. Returns the id it got and the bytes stored. */
async function pushOne(
  store: ObjectStore,
  request: PushRequest,
  target: ResolvedTarget,
  entry: SnapshotEntry,
  taken: Set<string>,
  progress: Progress,
): Promise<RemoteSnapshot> {
  const { control } = progress;
  const base = `${compactTime(entry.time)}-${sanitizeSlug(entry.label)}`;
  const name = taken.has(base) ? `${base}-${(entry.sha256 ?? '').slice(0, 8)}` : base;
  // Taken at once: two snapshots of one second and label in the same push must not share a name.
  taken.add(name);
  const form = { gzip: target.gzip, encrypted: target.encryptTo.length > 0 };
  const storedName = `${name}${storedSuffix(form)}`;
  const folder = `${request.host}/${request.app}`;
  const abort = new AbortController();
  const encoding = await encodeSnapshot(
    entry.path,
    { gzip: target.gzip, encryptTo: target.encryptTo },
    (bytes) => {
      control.throwIfCancelled();
      control.report(
        `Sending to ${target.display}`,
        (progress.targetIndex + bytes / Math.max(1, entry.size)) / progress.targetCount,
        entry.file,
      );
    },
  );
  const objectKey = `${folder}/${storedName}`;
  try {
    await store.put(objectKey, encoding.body, abort.signal);
  } catch (error) {
    abort.abort();
    throw error instanceof LifeboatFailure ? error : offsiteFailure(error, target.display);
  }
  const facts = encoding.facts();
  const discard = async (failure: LifeboatFailure): Promise<never> => {
    await store.remove(objectKey).catch(() => undefined);
    throw failure;
  };
  if (facts.plain.sha256 !== entry.sha256) {
    return discard(
      new LifeboatFailure(
        'CHECKSUM_MISMATCH',
        `${entry.file} changed since it was verified (its checksum is not the recorded one): it was not sent. Verify it again.`,
        entry.path,
      ),
    );
  }
  control.report(
    `Checking the copy on ${target.display}`,
    (progress.targetIndex + 1) / progress.targetCount,
    entry.file,
  );
  const problem = await store.check(objectKey, facts.stored).catch((error: unknown) => {
    throw offsiteFailure(error, target.display);
  });
  if (problem !== null) {
    return discard(
      new LifeboatFailure(
        'IO_ERROR',
        `The copy of ${entry.file} on ${target.display} does not match what was sent (${problem}); it was removed. Try again.`,
      ),
    );
  }
  const record = readRecord(request.location.backupsDir, entry.file);
  const manifest: OffsiteManifest = {
    format: 'lifeboat-offsite-1',
    app: request.app,
    host: request.host,
    file: entry.file,
    time: entry.time,
    label: entry.label,
    note: entry.note,
    pinned: entry.pinned,
    migration: migrationOf(entry.path),
    sqliteVersion: record?.sqliteVersion ?? null,
    pageSize: record?.pageSize ?? null,
    plain: facts.plain,
    stored: { name: storedName, size: facts.stored.size, sha256: facts.stored.sha256, ...form },
    pushedAt: new Date().toISOString(),
    lifeboatVersion,
  };
  await store
    .put(
      `${folder}/${name}.json`,
      Readable.from([Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`)]),
      abort.signal,
    )
    .catch((error: unknown) => discard(offsiteFailure(error, target.display)));
  return { id: `${folder}/${name}`, manifest, state: 'complete' };
}

/** The target's retention: plans over what it holds (pins honoured, the newest verified kept), then deletes. */
async function pruneTarget(
  store: ObjectStore,
  target: ResolvedTarget,
  held: readonly RemoteSnapshot[],
): Promise<PushOutcome['pruned']> {
  if (target.retention === null || hasNoRules(target.retention)) {
    return null;
  }
  const complete = held.filter((r) => r.state === 'complete');
  const doomed = planRetention(complete.map(asEntry), target.retention)
    .filter((d) => d.decision === 'delete')
    .map((d) => d.file);
  if (target.noDelete) {
    return {
      deleted: [],
      note:
        doomed.length === 0
          ? null
          : `no-delete target: ${doomed.length} snapshot(s) the rules drop were left there`,
    };
  }
  const deleted: string[] = [];
  for (const remote of complete.filter((r) => doomed.includes(r.id))) {
    await removeRemote(store, remote);
    deleted.push(remote.id);
  }
  return { deleted, note: null };
}

function emptyOutcome(target: ResolvedTarget): Omit<PushOutcome, 'error'> {
  return { target: target.display, pushed: [], present: [], skipped: [], failed: [], pruned: null };
}

async function pushToTarget(
  request: PushRequest,
  target: ResolvedTarget,
  chosen: readonly SnapshotEntry[],
  progress: Progress,
): Promise<PushOutcome> {
  const outcome: PushOutcome = { ...emptyOutcome(target), error: null };
  const store = openStore(target);
  try {
    const remote = await listRemote(store, target, { host: request.host, app: request.app });
    const bySha = new Map(
      remote.snapshots.filter((r) => r.state === 'complete').map((r) => [r.manifest.plain.sha256, r]),
    );
    const taken = new Set(remote.snapshots.map((r) => r.id.slice(r.id.lastIndexOf('/') + 1)));
    // What the target holds now: what it held, and what this push sent (no second listing).
    const holds = [...remote.snapshots];
    const held: { file: string; sha256: string }[] = [];
    for (const entry of chosen) {
      progress.control.throwIfCancelled();
      if (entry.status !== 'verified' || entry.sha256 === null) {
        outcome.skipped.push({
          file: entry.file,
          reason: `it is ${entry.status}: only verified snapshots go offsite`,
        });
        continue;
      }
      if (bySha.has(entry.sha256)) {
        outcome.present.push(entry.file);
        held.push({ file: entry.file, sha256: entry.sha256 });
        continue;
      }
      try {
        const sent = await pushOne(store, request, target, entry, taken, progress);
        holds.push(sent);
        outcome.pushed.push({ file: entry.file, id: sent.id, bytes: sent.manifest.stored.size });
        held.push({ file: entry.file, sha256: entry.sha256 });
      } catch (error) {
        const detail = toLifeboatError(error);
        if (detail.code !== 'CHECKSUM_MISMATCH') {
          throw error;
        }
        outcome.failed.push({ file: entry.file, error: detail });
      }
    }
    outcome.pruned = await pruneTarget(store, target, holds);
    const pruned = new Set(outcome.pruned?.deleted ?? []);
    const gone = new Set(holds.filter((r) => pruned.has(r.id)).map((r) => r.manifest.plain.sha256));
    recordTargetState(request.location.backupsDir, target.display, {
      at: new Date().toISOString(),
      held: held.filter((h) => !gone.has(h.sha256)).map((h) => h.file),
      // Everything the target holds for this host and app, not only what this push chose: a snapshot
      // sent before, and brought back here later under another name, is held too.
      heldSha256: [
        ...new Set(
          holds
            .filter((r) => r.state === 'complete' && !pruned.has(r.id))
            .map((r) => r.manifest.plain.sha256),
        ),
      ],
      error: null,
    });
    return outcome;
  } finally {
    await store.close();
  }
}

/**
 * `lifeboat push`: sends every verified snapshot (or the ones named) that a target does not hold yet,
 * to each target in turn, then runs that target's retention. A target that fails (unreachable, wrong
 * credentials) is reported and the others still get their copies; cancelling stops everything.
 */
export async function pushSnapshots(request: PushRequest, control: JobControl): Promise<PushResult> {
  // One listing of the backups folder serves every target.
  const local = listSnapshots(request.location).snapshots;
  const unknownFiles = request.files.filter((f) => !local.some((e) => e.file === f));
  if (unknownFiles.length > 0) {
    throw new LifeboatFailure(
      'SNAPSHOT_NOT_FOUND',
      `${unknownFiles.join(', ')} ${unknownFiles.length === 1 ? 'is' : 'are'} not in ${request.location.backupsDir}.`,
    );
  }
  const chosen = request.files.length === 0 ? local : local.filter((e) => request.files.includes(e.file));
  const targets: PushOutcome[] = [];
  for (const [targetIndex, target] of request.targets.entries()) {
    control.report(`Listing ${target.display}`, targetIndex / request.targets.length);
    try {
      targets.push(
        await pushToTarget(request, target, chosen, {
          control,
          targetIndex,
          targetCount: request.targets.length,
        }),
      );
    } catch (error) {
      const detail: LifeboatError = toLifeboatError(error);
      if (detail.code === 'CANCELLED') {
        throw error;
      }
      // What the target held before stays known; the mark says the last push failed.
      const before = readOffsiteState(request.location.backupsDir).targets[target.display];
      recordTargetState(request.location.backupsDir, target.display, {
        ...before,
        at: new Date().toISOString(),
        held: before?.held ?? [],
        error: detail,
      });
      targets.push({ ...emptyOutcome(target), error: detail });
    }
  }
  control.report('Done', 1);
  return { ok: targets.every((t) => t.error === null && t.failed.length === 0), targets };
}
