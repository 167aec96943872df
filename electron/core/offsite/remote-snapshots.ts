import * as os from 'node:os';
import type { Readable } from 'node:stream';
import type { JobControl } from '../job-control';
import {
  offsiteManifestSchema,
  type OffsiteManifest,
  type RemoteList,
  type RemoteSnapshot,
} from '../../contract/offsite';
import { LifeboatFailure } from '../lifeboat-failure';
import { FolderStore } from './folder-store';
import { offsiteFailure, type ObjectStore, type StoredObject } from './object-store';
import { S3Store } from './s3-store';
import { SftpStore } from './sftp-store';
import type { ResolvedTarget } from './target-url';

/**
 * What a target holds, read from its manifests. A target is storage others may write to, so every
 * manifest is read with a size cap and parsed strictly; one that does not parse is listed as a
 * problem and never acted on. Key layout: `<host>/<app>/<time>-<label>.json` beside the object.
 */

const maxManifestBytes = 64 * 1024;
/** The most objects one listing looks at: a year of hourly snapshots of several apps, not a hostile target's millions. */
export const maxListedObjects = 50_000;

/** An object listed at `size` (absent: not there) for a manifest that says `expected`. */
function storedState(size: number | undefined, expected: number): 'missing' | 'complete' | 'wrong-size' {
  if (size === undefined) {
    return 'missing';
  }
  return size === expected ? 'complete' : 'wrong-size';
}

export function openStore(target: ResolvedTarget): ObjectStore {
  const { location } = target;
  switch (location.kind) {
    case 's3':
      return new S3Store(location, target.credentials);
    case 'sftp':
      return new SftpStore(location);
    case 'folder':
      return new FolderStore(location.dir);
  }
}

/** A name safe as one part of a key: this machine's or an app's, lower-cased, odd characters as dashes. */
export function keyName(name: string): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 63);
  return cleaned === '' ? 'unnamed' : cleaned;
}

/** This machine's name in keys; LIFEBOAT_HOST overrides it (a container's random hostname is no name). */
export function thisHost(): string {
  return keyName(process.env['LIFEBOAT_HOST'] ?? os.hostname());
}

/** Whose snapshots to list: one app of one host, or every host (optionally one app name). */
export interface RemoteScope {
  readonly host: string | null;
  readonly app: string | null;
}

async function readCapped(stream: Readable, maxBytes: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      stream.destroy();
      return null;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseManifest(text: string | null, host: string, app: string): OffsiteManifest | string {
  if (text === null) {
    return `larger than ${maxManifestBytes / 1024} KiB`;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  const parsed = offsiteManifestSchema.safeParse(json);
  if (!parsed.success) {
    return `not a Lifeboat manifest (${parsed.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; ')})`;
  }
  if (parsed.data.host !== host || parsed.data.app !== app) {
    return `it names ${parsed.data.host}/${parsed.data.app} but lies in ${host}/${app}`;
  }
  return parsed.data;
}

/** Lists a target's snapshots in scope, newest first, with the state of each one's object. */
export async function listRemote(
  store: ObjectStore,
  target: ResolvedTarget,
  scope: RemoteScope,
): Promise<RemoteList> {
  // Everything, one host's folder, or one app's folder on one host.
  const prefix = [scope.host, scope.host === null ? null : scope.app]
    .filter((part) => part !== null)
    .map((part) => `${part}/`)
    .join('');
  let objects: StoredObject[];
  try {
    objects = await store.list(prefix, maxListedObjects);
  } catch (error) {
    throw offsiteFailure(error, target.display);
  }
  const snapshots: RemoteSnapshot[] = [];
  const problems: RemoteList['problems'] = [];
  if (objects.length > maxListedObjects) {
    objects = objects.slice(0, maxListedObjects);
    problems.push({
      key: prefix === '' ? '/' : prefix,
      reason: `more than ${maxListedObjects} objects are there: only the first ${maxListedObjects} were looked at. Clear out what does not belong on the target.`,
    });
  }
  const sizes = new Map(objects.map((o) => [o.key, o.size]));
  for (const object of objects) {
    const parts = object.key.split('/');
    const [host, app, name] = parts;
    if (
      parts.length !== 3 ||
      host === undefined ||
      app === undefined ||
      name === undefined ||
      !name.endsWith('.json')
    ) {
      continue;
    }
    if (scope.app !== null && app !== scope.app) {
      continue;
    }
    let text: string | null;
    try {
      text =
        object.size > maxManifestBytes
          ? null
          : await readCapped(await store.get(object.key), maxManifestBytes);
    } catch (error) {
      throw offsiteFailure(error, target.display);
    }
    const manifest = parseManifest(text, host, app);
    if (typeof manifest === 'string') {
      problems.push({ key: object.key, reason: manifest });
      continue;
    }
    const size = sizes.get(`${host}/${app}/${manifest.stored.name}`);
    snapshots.push({
      id: `${host}/${app}/${name.slice(0, -'.json'.length)}`,
      manifest,
      state: storedState(size, manifest.stored.size),
    });
  }
  snapshots.sort(
    (a, b) => Date.parse(b.manifest.time) - Date.parse(a.manifest.time) || (a.id < b.id ? -1 : 1),
  );
  return { target: target.display, snapshots, problems };
}

/**
 * The snapshot an id names, wherever this machine and folder are: `host/app/name` in that host's and
 * app's folder; a bare name in `scope` (this host and app) first, then anywhere on the target, used
 * when exactly one snapshot has that name. On the day the server dies, the new machine has another name.
 */
export async function locateRemote(
  store: ObjectStore,
  target: ResolvedTarget,
  id: string,
  scope: RemoteScope,
): Promise<RemoteSnapshot> {
  const wanted = id.replace(/\.(json|db(\.gz)?(\.age)?)$/, '');
  const [host, app, name] = wanted.split('/');
  let found: RemoteSnapshot | undefined;
  if (name !== undefined) {
    const list = await listRemote(store, target, { host: host ?? null, app: app ?? null });
    found = list.snapshots.find((s) => s.id === wanted);
  } else {
    const here = await listRemote(store, target, scope);
    found = here.snapshots.find((s) => s.id === `${scope.host ?? ''}/${scope.app ?? ''}/${wanted}`);
    if (found === undefined) {
      const named = (await listRemote(store, target, { host: null, app: null })).snapshots.filter((s) =>
        s.id.endsWith(`/${wanted}`),
      );
      if (named.length > 1) {
        throw new LifeboatFailure(
          'INVALID_ARGUMENT',
          `${target.display} holds ${named.length} snapshots named "${wanted}": ${named.map((s) => s.id).join(', ')}. Name one in full.`,
        );
      }
      found = named[0];
    }
  }
  if (found === undefined) {
    throw new LifeboatFailure(
      'SNAPSHOT_NOT_FOUND',
      `${target.display} holds no snapshot "${id}". See what it holds with "lifeboat remote list --target … --all-hosts".`,
    );
  }
  if (found.state !== 'complete') {
    throw new LifeboatFailure(
      'SNAPSHOT_INCOMPLETE',
      `${found.id} on ${target.display} cannot be used: its object is ${found.state === 'missing' ? 'missing' : 'not the size its manifest says'}.`,
    );
  }
  return found;
}

export interface RemoteListRequest {
  readonly target: ResolvedTarget;
  readonly scope: RemoteScope;
}

/** `lifeboat remote list`: what one target holds in scope. */
export async function listTarget(request: RemoteListRequest, control: JobControl): Promise<RemoteList> {
  control.report(`Listing ${request.target.display}`, 0);
  const store = openStore(request.target);
  try {
    return await listRemote(store, request.target, request.scope);
  } finally {
    await store.close();
  }
}
