import type { Readable } from 'node:stream';
import { LifeboatFailure } from '../lifeboat-failure';

/** An object on a target, by its key relative to the target's root (`host/app/name`). */
export interface StoredObject {
  readonly key: string;
  readonly size: number;
}

/** What was sent, so that the store can tell whether what it holds is exactly that. */
export interface SentFacts {
  readonly size: number;
  readonly sha256: string;
  /** The ETags an S3 server may give these bytes (one part, or the parts Lifeboat sent). */
  readonly etags: readonly string[];
}

/**
 * One kind of storage (S3, SFTP, a folder) behind the same small set of verbs. Every key is relative
 * to the target's root; a store never writes outside it. `put` makes an object appear complete or
 * not at all: an interrupted upload leaves nothing under the key (a temporary name, or an aborted
 * multipart upload), and nothing counts until its manifest is written after `check`.
 */
export interface ObjectStore {
  /**
   * The objects under `prefix`, at most `limit` + 1 of them: one more than `limit` says that there are
   * more, and the listing stops there (a target may hold millions of keys, put there by anyone).
   */
  list(prefix: string, limit: number): Promise<StoredObject[]>;
  put(key: string, body: Readable, signal: AbortSignal): Promise<void>;
  /** null when the stored object is exactly what was sent; else what is wrong, in words. */
  check(key: string, sent: SentFacts): Promise<string | null>;
  get(key: string): Promise<Readable>;
  remove(key: string): Promise<void>;
  close(): Promise<void>;
}

const unreachableCodes = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
const authNames = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'Forbidden']);

interface RemoteError {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  level?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** What a remote failure means for the user, with a stable code; `where` is the target as shown. */
export function offsiteFailure(error: unknown, where: string): LifeboatFailure {
  if (error instanceof LifeboatFailure) {
    return error;
  }
  const e = (error ?? {}) as RemoteError;
  const code = typeof e.code === 'string' ? e.code : '';
  const name = typeof e.name === 'string' ? e.name : '';
  const message = typeof e.message === 'string' ? e.message : String(error);
  const status = e.$metadata?.httpStatusCode;
  if (unreachableCodes.has(code) || e.level === 'client-socket' || e.level === 'client-timeout') {
    return new LifeboatFailure(
      'OFFSITE_UNREACHABLE',
      `${where} could not be reached (${code || message}). Check the address and that the server is up, then try again.`,
    );
  }
  // ssh2-sftp-client passes on ssh2's message but not its level.
  const sshAuth = e.level === 'client-authentication' || /authentication methods failed/i.test(message);
  if (name === 'CredentialsProviderError') {
    return new LifeboatFailure(
      'OFFSITE_AUTH_FAILED',
      `${where} needs credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) where Lifeboat runs, or keep keys for the target in the desktop app.`,
    );
  }
  if (authNames.has(name) || status === 403 || sshAuth) {
    return new LifeboatFailure(
      'OFFSITE_AUTH_FAILED',
      `${where} refused the credentials (${name || message}). Check the key and secret (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY or the profile) or the SSH key, and that they may write there.`,
    );
  }
  if (name === 'NoSuchBucket') {
    return new LifeboatFailure('INVALID_ARGUMENT', `${where}: the bucket does not exist. Create it first.`);
  }
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new LifeboatFailure('DISK_FULL', `${where} is full. Free space there, then try again.`);
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new LifeboatFailure('PERMISSION_DENIED', `${where} may not be written by this user (${message}).`);
  }
  return new LifeboatFailure('IO_ERROR', `${where}: ${message}`);
}
