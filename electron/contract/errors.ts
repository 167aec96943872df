import { z } from 'zod';

/**
 * Every failure Lifeboat reports has one of these codes. They are stable: scripts, the UI and the
 * documentation (docs/cli.md) rely on them, so a code is never renamed or reused for another meaning.
 */
export const errorCodes = [
  'INVALID_ARGUMENT',
  'APP_NOT_FOUND',
  'NOT_SQLITE_URL',
  'DB_NOT_FOUND',
  /** The live database's path is a symbolic link: a restore replaces only a real file. */
  'DB_IS_LINK',
  'NOT_A_DATABASE',
  'DB_LOCKED',
  'DISK_FULL',
  'PERMISSION_DENIED',
  'CANCELLED',
  'SNAPSHOT_NOT_FOUND',
  'SNAPSHOT_PINNED',
  'SNAPSHOT_CORRUPT',
  /** The live database itself is damaged (SNAPSHOT_CORRUPT is for snapshots). */
  'DB_CORRUPT',
  'SNAPSHOT_INCOMPLETE',
  'CHECKSUM_MISMATCH',
  'MIGRATION_FAILED',
  'DB_IN_USE',
  'RESTORE_IN_PROGRESS',
  /** A restore journal Lifeboat cannot trust (damaged, foreign, naming files elsewhere): reported, never acted on. */
  'JOURNAL_INVALID',
  /** Undo refused: Lifeboat's record of the last restore, or the snapshot it names, is not what Lifeboat wrote. */
  'UNDO_UNTRUSTED',
  'RESTORE_FAILED',
  'APP_COMMAND_FAILED',
  'SCHEMA_MISMATCH',
  'HEALTH_CHECK_FAILED',
  'IO_ERROR',
  /** An offsite target could not be reached (DNS, refused, timed out). */
  'OFFSITE_UNREACHABLE',
  /** An offsite target refused the credentials (wrong key or secret, no permission). */
  'OFFSITE_AUTH_FAILED',
  /** An SFTP server whose host key is not in known_hosts: refused until the user trusts it. */
  'HOST_KEY_UNKNOWN',
  /** An SFTP server whose host key differs from the one in known_hosts: refused. */
  'HOST_KEY_CHANGED',
  /** An encrypted offsite snapshot that none of the given age identities can open. */
  'DECRYPT_FAILED',
  /** `--host`: the host could not be reached over SSH (DNS, refused, timed out). */
  'HOST_UNREACHABLE',
  /** `--host`: the host refused the SSH login. */
  'HOST_AUTH_FAILED',
  /** `--host`: no Lifeboat on the host (or not where --remote-lifeboat says). */
  'HOST_LIFEBOAT_MISSING',
  /** `--host`: the host's Lifeboat is older than this one can talk to. */
  'HOST_LIFEBOAT_OUTDATED',
  /** The SQLite module (better-sqlite3) was built for another Node.js than the one running Lifeboat. */
  'NATIVE_MODULE_MISMATCH',
  /** Work on a database (an integrity check) outlived the time its size could need, and was stopped. */
  'TIME_BUDGET_EXCEEDED',
  /** Drill, step find: the target holds no copy of the app, or the newest one's object is gone or cut short. */
  'DRILL_COPY_MISSING',
  /** Drill, step download: the stored object is not the one its manifest describes (size or SHA-256). */
  'DRILL_STORED_MISMATCH',
  /** Drill, step decrypt: the copy cannot be decrypted or unpacked, or unpacks to another file than its manifest's. */
  'DRILL_DECRYPT_FAILED',
  /** Drill, step integrity: the copy fails `PRAGMA integrity_check`. */
  'DRILL_INTEGRITY_FAILED',
  /** Drill, step revision: the copy's schema revision is not the one its manifest records. */
  'DRILL_REVISION_MISMATCH',
  /** Drill, step smoke: one of the app's smoke queries fails on the copy. */
  'DRILL_SMOKE_FAILED',
  /** Drill, step rehearsal: the app's upgrade fails on the copy, or leaves it short of head. */
  'DRILL_REHEARSAL_FAILED',
  'INTERNAL',
] as const;

export const errorCodeSchema = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

/** A failure as data: what went wrong (code), a sentence a person can act on, and the file concerned. */
export const lifeboatErrorSchema = z.object({
  code: errorCodeSchema,
  message: z.string(),
  path: z.string().optional(),
});
export type LifeboatError = z.infer<typeof lifeboatErrorSchema>;

/** The outcome of an operation, carried across every boundary (worker, IPC, HTTP, CLI --json). */
export type Result<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: LifeboatError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function failed<T>(error: LifeboatError): Result<T> {
  return { ok: false, error };
}

/** Exhaustiveness check for switches over discriminated unions. */
export function assertNever(value: never): never {
  throw new TypeError(`Unexpected value: ${JSON.stringify(value)}`);
}
