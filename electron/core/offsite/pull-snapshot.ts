import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { once } from 'node:events';
import { Transform, type Readable } from 'node:stream';
import type { PulledSnapshot, RemoteSnapshot } from '../../contract/offsite';
import type { DatabaseLocation } from '../database-location';
import {
  publishIfFree,
  removeAbandonedTemporaries,
  removeIfPresent,
  temporaryName,
} from '../fs/durable-file';
import { ensureOwnFolder } from '../fs/untrusted-file';
import type { JobControl } from '../job-control';
import { LifeboatFailure } from '../lifeboat-failure';
import { databaseStem, sanitizeSlug } from '../snapshot-name';
import { listSnapshots } from '../snapshot/list-snapshots';
import { writeRecord } from '../snapshot/snapshot-records';
import { maxProblems } from '../snapshot/verify-snapshots';
import { checkIntegrity } from '../sqlite/integrity-checker';
import { offsiteFailure } from './object-store';
import { recordPulled } from './offsite-state';
import type { ObjectStore } from './object-store';
import { locateRemote, openStore, type RemoteScope } from './remote-snapshots';
import { decodeStored } from './stored-form';
import type { ResolvedTarget } from './target-url';

export interface PullRequest {
  readonly location: DatabaseLocation;
  readonly target: ResolvedTarget;
  /** `host/app/name`, or a name in `scope`'s host and app. */
  readonly id: string;
  readonly scope: RemoteScope;
  /** age identities (`AGE-SECRET-KEY-…`) for encrypted snapshots. */
  readonly identities: readonly string[];
}

/**
 * Counts and hashes what passes through, and stops it with `tooLarge` past `limit` bytes: the target
 * is storage others may write to, and only the manifest's sizes are ever let onto this disk.
 */
function hashing(
  limit: number,
  tooLarge: () => LifeboatFailure,
  onBytes: (total: number) => void,
): {
  stream: Transform;
  digest: () => { size: number; sha256: string };
} {
  const hash = crypto.createHash('sha256');
  let size = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > limit) {
        callback(tooLarge());
        return;
      }
      hash.update(chunk);
      onBytes(size);
      callback(null, chunk);
    },
  });
  return { stream, digest: () => ({ size, sha256: hash.digest('hex') }) };
}

/** The stored object, or what it unpacks to, ran past the size its manifest gives. */
function larger(remote: RemoteSnapshot, target: ResolvedTarget, what: string, size: number): LifeboatFailure {
  return new LifeboatFailure(
    'CHECKSUM_MISMATCH',
    `${remote.id} on ${target.display} is not what its manifest describes: its ${what} runs past the manifest's ${size} bytes. The download was stopped there and nothing was kept; restore another snapshot.`,
  );
}

/**
 * Downloads a snapshot's stored object to `file` (a new file), stopping at the manifest's size; it
 * must match the manifest's size and SHA-256 (CHECKSUM_MISMATCH otherwise). Returns its size.
 */
export async function downloadStored(
  store: ObjectStore,
  target: ResolvedTarget,
  remote: RemoteSnapshot,
  file: string,
  control: JobControl,
): Promise<number> {
  const { manifest } = remote;
  const folder = remote.id.slice(0, remote.id.lastIndexOf('/'));
  const download = hashing(
    manifest.stored.size,
    () => larger(remote, target, 'stored object', manifest.stored.size),
    (bytes) => {
      control.throwIfCancelled();
      control.report('Downloading', 0.8 * (bytes / Math.max(1, manifest.stored.size)), remote.id);
    },
  );
  try {
    await pipeline(
      await store.get(`${folder}/${manifest.stored.name}`),
      download.stream,
      fs.createWriteStream(file, { flags: 'wx', mode: 0o600 }),
    );
  } catch (error) {
    throw error instanceof LifeboatFailure ? error : offsiteFailure(error, target.display);
  }
  const stored = download.digest();
  if (stored.size !== manifest.stored.size || stored.sha256 !== manifest.stored.sha256) {
    throw new LifeboatFailure(
      'CHECKSUM_MISMATCH',
      `${remote.id} on ${target.display} is not the object its manifest describes (size or SHA-256 differs): it was changed or damaged there. Nothing was kept; restore another snapshot.`,
    );
  }
  return stored.size;
}

/**
 * Decrypts and unpacks a downloaded stored object into `file` (a new file), stopping at the manifest's
 * plain size; the plain file must match the manifest's size and SHA-256. DECRYPT_FAILED when it
 * cannot be opened, CHECKSUM_MISMATCH when it is not the file the manifest describes.
 */
export async function unpackStored(
  storedFile: string,
  file: string,
  remote: RemoteSnapshot,
  identities: readonly string[],
  control: JobControl,
): Promise<{ size: number; sha256: string }> {
  const { manifest } = remote;
  control.report('Unpacking', 0.85, remote.id);
  const plain = hashing(
    manifest.plain.size,
    () =>
      new LifeboatFailure(
        'CHECKSUM_MISMATCH',
        `${remote.id} is not what its manifest describes: its unpacked file runs past the manifest's ${manifest.plain.size} bytes. The download was stopped there and nothing was kept; restore another snapshot.`,
      ),
    () => control.throwIfCancelled(),
  );
  const storedStream = fs.createReadStream(storedFile);
  let decoded: Readable;
  try {
    decoded = await decodeStored(storedStream, manifest.stored, identities);
  } catch (error) {
    // The stream opens its file on its own time: closed first, or it would open the download after
    // the caller's clean-up removed it, and fail the whole process with ENOENT.
    // (Already closed when the decoder read it to its end: waiting for 'close' again would never end.)
    if (!storedStream.closed) {
      const closed = once(storedStream, 'close');
      storedStream.destroy();
      await closed;
    }
    throw error;
  }
  try {
    await pipeline(decoded, plain.stream, fs.createWriteStream(file, { flags: 'wx', mode: 0o600 }));
  } catch (error) {
    throw error instanceof LifeboatFailure
      ? error
      : new LifeboatFailure(
          'DECRYPT_FAILED',
          `${remote.id} could not be unpacked: ${(error as Error).message}.`,
        );
  }
  const facts = plain.digest();
  if (facts.sha256 !== manifest.plain.sha256 || facts.size !== manifest.plain.size) {
    throw new LifeboatFailure(
      'CHECKSUM_MISMATCH',
      `${remote.id} unpacked to a file whose SHA-256 is not the one in its manifest. Nothing was kept.`,
    );
  }
  return facts;
}

/** The name the snapshot gets here: its original one when that is a plain, free name; else one in the convention. */
function localName(location: DatabaseLocation, remote: RemoteSnapshot): string {
  const original = remote.manifest.file;
  if (
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.db$/.test(original) &&
    !fs.existsSync(path.join(location.backupsDir, original))
  ) {
    return original;
  }
  const time = remote.manifest.time.replace(/[-:]/g, '').replace(/\.\d+/, '').replace('T', '-').slice(0, 15);
  return `${databaseStem(path.basename(location.databasePath))}-${time}-${sanitizeSlug(`offsite-${remote.manifest.label}`)}.db`;
}

/** The download and the file it unpacks to are both on disk before either is let go: refuses when they cannot fit in `dir`. */
export function refuseIfNoRoom(backupsDir: string, manifest: RemoteSnapshot['manifest'], id: string): void {
  const needed = manifest.stored.size + manifest.plain.size;
  const { bavail, bsize } = fs.statfsSync(backupsDir);
  if (needed > bavail * bsize) {
    throw new LifeboatFailure(
      'DISK_FULL',
      `${id} needs ${needed} bytes in ${backupsDir} (the download and the file it unpacks to, as its manifest says), and only ${bavail * bsize} are free. Nothing was downloaded.`,
      backupsDir,
    );
  }
}

/**
 * Brings one snapshot back from a target into the backups folder: the stored object is downloaded to
 * a temporary file and must match the manifest's size and SHA-256 before anything is decrypted; the
 * download and the unpacking stop at the manifest's sizes (a target may hold anything, a gzip bomb
 * included), and start only when both fit on the disk; the plain file must match the manifest's plain SHA-256 and pass `PRAGMA integrity_check`. Only then
 * does it get its name (and a record, verified). Any failure leaves no file behind. Works with no
 * backups folder and no live database yet: the folder is made.
 */
export async function pullSnapshot(request: PullRequest, control: JobControl): Promise<PulledSnapshot> {
  const { location, target } = request;
  const store = openStore(target);
  try {
    control.report(`Listing ${target.display}`, 0);
    const remote = await locateRemote(store, target, request.id, request.scope);
    const { manifest } = remote;
    const base = { id: remote.id, target: target.display };
    const here = fs.existsSync(location.backupsDir)
      ? listSnapshots(location).snapshots.find(
          (e) => e.sha256 === manifest.plain.sha256 && e.status === 'verified',
        )
      : undefined;
    if (here !== undefined) {
      recordPulled(location.backupsDir, target.display, manifest.plain.sha256);
      control.report('Done', 1);
      return { ...base, file: here.file, path: here.path, downloaded: 0, alreadyHere: true };
    }
    ensureOwnFolder(location.backupsDir);
    removeAbandonedTemporaries(location.backupsDir);
    refuseIfNoRoom(location.backupsDir, manifest, remote.id);
    const storedTemp = path.join(location.backupsDir, temporaryName('.download'));
    const plainTemp = path.join(location.backupsDir, temporaryName('.db'));
    try {
      const stored = await downloadStored(store, target, remote, storedTemp, control);
      const facts = await unpackStored(storedTemp, plainTemp, remote, request.identities, control);
      control.report('Checking integrity', 0.9, remote.id);
      const integrity = await checkIntegrity(plainTemp, maxProblems, control);
      if (integrity.length !== 1 || integrity[0] !== 'ok') {
        throw new LifeboatFailure(
          'SNAPSHOT_CORRUPT',
          `${remote.id} failed its integrity check (${integrity.slice(0, 3).join('; ')}). Nothing was kept.`,
        );
      }
      const file = localName(location, remote);
      const finalPath = path.join(location.backupsDir, file);
      if (!publishIfFree(plainTemp, finalPath)) {
        throw new LifeboatFailure('IO_ERROR', `${finalPath} appeared meanwhile; try again.`, finalPath);
      }
      const now = new Date().toISOString();
      const stat = fs.statSync(finalPath);
      writeRecord(location.backupsDir, {
        version: 1,
        file,
        madeBy: 'lifeboat',
        sha256: facts.sha256,
        size: stat.size,
        mtimeMs: stat.mtimeMs,
        recordedAt: manifest.time,
        label: manifest.label,
        note: manifest.note ?? `Brought back from ${target.display} (${remote.id}).`,
        source: null,
        sqliteVersion: manifest.sqliteVersion,
        pageSize: manifest.pageSize,
        pageCount: manifest.pageSize === null ? null : Math.floor(stat.size / manifest.pageSize),
        verification: { at: now, ok: true, problem: null },
        pinned: false,
      });
      recordPulled(location.backupsDir, target.display, facts.sha256);
      control.report('Done', 1);
      return { ...base, file, path: finalPath, downloaded: stored, alreadyHere: false };
    } finally {
      removeIfPresent(storedTemp);
      removeIfPresent(plainTemp);
    }
  } finally {
    await store.close();
  }
}
