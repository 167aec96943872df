import * as path from 'node:path';
import type { OffsiteTarget } from '../../contract/offsite';
import type { RetentionRules } from '../../contract/retention';
import { LifeboatFailure } from '../lifeboat-failure';

/** Where an offsite target is, read from its URL. Credentials never live in the URL. */
export type TargetLocation =
  | {
      readonly kind: 's3';
      readonly bucket: string;
      /** Key prefix without leading or trailing slash ('' for the bucket's root). */
      readonly prefix: string;
      readonly endpoint: string | null;
      readonly region: string | null;
      readonly forcePathStyle: boolean;
      /** Parts sent at once (R2 wants few). */
      readonly partConcurrency: number;
    }
  | {
      readonly kind: 'sftp';
      readonly user: string;
      readonly host: string;
      readonly port: number;
      /** The folder on the server: absolute, or relative to the login folder when the URL says `/~/`. */
      readonly dir: string;
      /** A private key to log in with (else the agent and ~/.ssh/id_*). */
      readonly identityFile: string | null;
    }
  | { readonly kind: 'folder'; readonly dir: string };

/** A target ready to use: what people call it, where it is, and how snapshots are stored on it. */
export interface ResolvedTarget {
  /** The name from lifeboat.json or settings, or the URL without its query for a URL given directly. */
  readonly display: string;
  readonly location: TargetLocation;
  readonly gzip: boolean;
  readonly encryptTo: readonly string[];
  readonly retention: RetentionRules | null;
  readonly noDelete: boolean;
  /** S3 keys kept by Lifeboat (the desktop's keychain, serve's secrets file); null: the AWS environment or profile. */
  readonly credentials: S3Credentials | null;
}

export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

function invalid(url: string, why: string): LifeboatFailure {
  return new LifeboatFailure(
    'INVALID_ARGUMENT',
    `The offsite target "${shownUrl(url)}" ${why}. Targets look like s3://bucket/prefix?endpoint=…&region=…, sftp://user@host:port/path or file:///mnt/nas/lifeboat.`,
  );
}

/** A URL as it may be shown: no user info password, no query (which may hold an endpoint with a key). */
function shownUrl(url: string): string {
  return url.replace(/\?.*$/, '').replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:…@');
}

const s3Params = new Set(['endpoint', 'region', 'forcePathStyle', 'partConcurrency']);
const sftpParams = new Set(['identity']);

function checkParams(url: string, parsed: URL, allowed: ReadonlySet<string>): void {
  for (const key of parsed.searchParams.keys()) {
    if (!allowed.has(key)) {
      throw invalid(url, `has an unknown option "${key}" (known: ${[...allowed].join(', ') || 'none'})`);
    }
  }
}

function parseS3(url: string, parsed: URL): TargetLocation {
  checkParams(url, parsed, s3Params);
  if (parsed.username !== '' || parsed.password !== '') {
    throw invalid(
      url,
      'holds credentials: give them as AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or an AWS profile) instead',
    );
  }
  const bucket = parsed.hostname;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw invalid(url, 'does not name a valid bucket');
  }
  const endpoint = parsed.searchParams.get('endpoint');
  if (endpoint !== null && !/^https?:\/\/[^/?#\s]+\/?$/.test(endpoint)) {
    throw invalid(url, 'has an endpoint that is not an http(s) address');
  }
  const concurrency = Number(parsed.searchParams.get('partConcurrency') ?? '4');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) {
    throw invalid(url, 'has a partConcurrency that is not a whole number from 1 to 16');
  }
  return {
    kind: 's3',
    bucket,
    prefix: decodeURIComponent(parsed.pathname).replace(/^\/+|\/+$/g, ''),
    endpoint,
    region: parsed.searchParams.get('region'),
    forcePathStyle: parsed.searchParams.get('forcePathStyle') === 'true',
    partConcurrency: concurrency,
  };
}

function parseSftp(url: string, parsed: URL): TargetLocation {
  checkParams(url, parsed, sftpParams);
  if (parsed.password !== '') {
    throw invalid(url, 'holds a password: log in with a key or the SSH agent instead');
  }
  if (parsed.username === '' || parsed.hostname === '') {
    throw invalid(url, 'needs a user and a host (sftp://user@host:port/path)');
  }
  const port = parsed.port === '' ? 22 : Number(parsed.port);
  const rawPath = decodeURIComponent(parsed.pathname);
  const dir = rawPath.startsWith('/~/') ? rawPath.slice(3) : rawPath;
  if (dir === '' || dir === '/' || dir.split('/').includes('..')) {
    throw invalid(url, 'needs a folder on the server (and no "..")');
  }
  const identity = parsed.searchParams.get('identity');
  return {
    kind: 'sftp',
    user: decodeURIComponent(parsed.username),
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port,
    dir: dir.replace(/\/+$/, ''),
    identityFile: identity === null ? null : path.resolve(identity),
  };
}

/** Reads a target URL; anything unclear is refused with a sentence saying what a target looks like. */
export function parseTargetUrl(url: string): TargetLocation {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(url, 'is not a URL');
  }
  switch (parsed.protocol) {
    case 's3:':
      return parseS3(url, parsed);
    case 'sftp:':
      return parseSftp(url, parsed);
    case 'file:': {
      checkParams(url, parsed, new Set());
      if (parsed.hostname !== '' && parsed.hostname !== 'localhost') {
        throw invalid(url, 'names another machine: mount it and give the local folder');
      }
      const dir = decodeURIComponent(parsed.pathname);
      if (!path.isAbsolute(dir) || dir === '/') {
        throw invalid(url, 'needs an absolute folder');
      }
      return { kind: 'folder', dir: path.resolve(dir) };
    }
    default:
      throw invalid(url, `uses "${parsed.protocol}", which Lifeboat cannot store to`);
  }
}

/** The target as a person reads it, with nothing secret in it. */
export function describeLocation(location: TargetLocation): string {
  switch (location.kind) {
    case 's3': {
      const at = location.endpoint === null ? '' : ` at ${new URL(location.endpoint).host}`;
      return `s3://${location.bucket}/${location.prefix}${at}`;
    }
    case 'sftp':
      return `sftp://${location.user}@${location.host}:${location.port}/${location.dir.replace(/^\//, '')}`;
    case 'folder':
      return `file://${location.dir}`;
  }
}

/** A target from settings (by name), or a URL given directly with default options. */
export function resolveTarget(
  target: OffsiteTarget,
  credentials: S3Credentials | null = null,
): ResolvedTarget {
  return {
    credentials,
    display: target.name,
    location: parseTargetUrl(target.url),
    gzip: target.gzip ?? false,
    encryptTo: target.encryptTo ?? [],
    retention: target.retention ?? null,
    noDelete: target.noDelete ?? false,
  };
}

/** `--target NAME|URL`: a configured target by name, else a URL (with default options); every target when absent. */
export function chooseTargets(
  configured: readonly OffsiteTarget[],
  wanted: string | undefined,
  resolve: (target: OffsiteTarget) => ResolvedTarget = (target) => resolveTarget(target),
): ResolvedTarget[] {
  if (wanted === undefined) {
    if (configured.length === 0) {
      throw new LifeboatFailure(
        'INVALID_ARGUMENT',
        'No offsite target: add one under "offsite" in lifeboat.json (or in the app\'s settings), or pass --target URL.',
      );
    }
    return configured.map((target) => resolve(target));
  }
  const named = configured.find((t) => t.name === wanted);
  if (named !== undefined) {
    return [resolve(named)];
  }
  if (!wanted.includes('://')) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `No offsite target is named "${wanted}"${configured.length === 0 ? '' : ` (there are: ${configured.map((t) => t.name).join(', ')})`}; pass a URL to use one that is not configured.`,
    );
  }
  const location = parseTargetUrl(wanted);
  return [
    {
      display: describeLocation(location),
      location,
      gzip: false,
      encryptTo: [],
      retention: null,
      noDelete: false,
      credentials: null,
    },
  ];
}
