import { z } from 'zod';
import { lifeboatErrorSchema } from './errors';
import { migrationStatusKindSchema, recordedToolSchema, statusReferenceSchema } from './migrations';

/**
 * The data shapes Lifeboat shows and prints (`--json`). They are documented in docs/json-output.md and stay
 * stable: add fields, never rename or remove them.
 */

export const snapshotStatuses = [
  'verified',
  'unverified',
  'corrupt',
  'not-a-database',
  'incomplete',
] as const;
export const snapshotStatusSchema = z.enum(snapshotStatuses);
export type SnapshotStatus = z.infer<typeof snapshotStatusSchema>;

export const journalModeSchema = z.enum(['wal', 'delete', 'truncate', 'persist', 'memory', 'off', 'unknown']);
export type JournalMode = z.infer<typeof journalModeSchema>;

/** Where a listed snapshot's time came from: Lifeboat's record, the file name, or the file's mtime. */
export const timeSourceSchema = z.enum(['recorded', 'name', 'file']);

export const snapshotMigrationSchema = z.object({
  tool: recordedToolSchema,
  reference: statusReferenceSchema,
  /** The newest revision it records ("20240313…", "schema 48"); null when none. */
  revision: z.string().nullable(),
  /** The revisions the snapshot records as applied (its alembic_version rows, its latest version). */
  current: z.array(z.string()),
  status: migrationStatusKindSchema,
  /** "at head", "3 behind", "unknown revision"…, and one sentence explaining it. */
  badge: z.string(),
  summary: z.string(),
  pending: z.array(z.string()),
});
export type SnapshotMigration = z.infer<typeof snapshotMigrationSchema>;

export const snapshotEntrySchema = z.object({
  /** File name inside the backups folder. */
  file: z.string(),
  path: z.string(),
  /** ISO 8601 instant the snapshot was taken. */
  time: z.string(),
  timeSource: timeSourceSchema,
  label: z.string(),
  note: z.string().nullable(),
  size: z.number().int().nonnegative(),
  status: snapshotStatusSchema,
  /** Why the status is not `verified`, in a sentence; null when verified. */
  statusReason: z.string().nullable(),
  sha256: z.string().nullable(),
  /** `lifeboat` when Lifeboat made it; `other` for files made by scripts or by hand. */
  madeBy: z.enum(['lifeboat', 'other']),
  /** Sidecar files found beside it (`-wal`, `-shm`, `-journal`). */
  sidecars: z.array(z.string()),
  /** Which schema revision it holds and how that compares with the code; null when no migrations are known. */
  migration: snapshotMigrationSchema.nullable(),
  /** Pinned snapshots (every pre-restore and pre-upgrade one) are never deleted until unpinned. */
  pinned: z.boolean(),
  /** When it was last verified (integrity and checksum), whatever the outcome; null when never. */
  lastVerified: z.string().nullable(),
});
export type SnapshotEntry = z.infer<typeof snapshotEntrySchema>;

/**
 * The newest snapshot a restore could use (a corrupt or incomplete file is no backup), from a listing
 * (newest first): one rule for the sidebar, the live card and the table.
 */
export function newestRestorable(snapshots: readonly SnapshotEntry[]): SnapshotEntry | undefined {
  return snapshots.find((s) => s.status === 'verified' || s.status === 'unverified');
}

/** Where one snapshot is offsite, per target: held (checked there), pending, failed (the last push), not sent. */
export const offsiteMarkSchema = z.object({
  target: z.string(),
  state: z.enum(['held', 'pending', 'failed', 'not-sent']),
  /** Why it is pending, failed or not sent, in a sentence; null when held. */
  reason: z.string().nullable(),
});
export type OffsiteMark = z.infer<typeof offsiteMarkSchema>;

export const snapshotListSchema = z.object({
  database: z.string(),
  backupsDir: z.string(),
  snapshots: z.array(snapshotEntrySchema),
  /** Per snapshot file, its offsite marks (one per target of the app); empty when it has no targets. */
  offsite: z.record(z.string(), z.array(offsiteMarkSchema)).default({}),
});
export type SnapshotList = z.infer<typeof snapshotListSchema>;

export const backupOutcomeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('created'),
    snapshot: snapshotEntrySchema,
    /** Milliseconds the whole snapshot took. */
    durationMs: z.number(),
    sourceJournalMode: journalModeSchema,
    pageSize: z.number().int(),
    pageCount: z.number().int(),
  }),
  z.object({ kind: z.literal('nothing-to-back-up'), database: z.string(), message: z.string() }),
]);
export type BackupOutcome = z.infer<typeof backupOutcomeSchema>;

export const checksumOutcomeSchema = z.enum(['match', 'mismatch', 'recorded-now', 'not-recorded']);
export type ChecksumOutcome = z.infer<typeof checksumOutcomeSchema>;

export const verifyReportSchema = z.object({
  file: z.string(),
  path: z.string(),
  ok: z.boolean(),
  /** `ok`, or the problems `PRAGMA integrity_check` found (at most 20), or null when it could not run. */
  integrity: z.array(z.string()).nullable(),
  sha256: z.string().nullable(),
  checksum: checksumOutcomeSchema,
  error: lifeboatErrorSchema.nullable(),
  /** False when the backups folder is read-only (a mounted backup disk): verified, but the result not kept. */
  recordSaved: z.boolean().default(true),
});
export type VerifyReport = z.infer<typeof verifyReportSchema>;

export const verifyResultSchema = z.object({
  backupsDir: z.string(),
  ok: z.boolean(),
  reports: z.array(verifyReportSchema),
});
export type VerifyResult = z.infer<typeof verifyResultSchema>;

/** What `lifeboat pin`/`unpin` changed. */
export const pinResultSchema = z.object({
  backupsDir: z.string(),
  snapshots: z.array(z.object({ file: z.string(), pinned: z.boolean() })),
});
export type PinResult = z.infer<typeof pinResultSchema>;

/** What `lifeboat delete` deleted. */
export const deleteResultSchema = z.object({ backupsDir: z.string(), deleted: z.array(z.string()) });
export type DeleteResult = z.infer<typeof deleteResultSchema>;

export const tableInfoSchema = z.object({ name: z.string(), rows: z.number().int().nonnegative() });

export const databaseInfoSchema = z.object({
  path: z.string(),
  exists: z.boolean(),
  /** Bytes of the main file; the -wal file is counted separately. */
  size: z.number().int().nonnegative(),
  walSize: z.number().int().nonnegative(),
  pageSize: z.number().int().nullable(),
  pageCount: z.number().int().nullable(),
  journalMode: journalModeSchema.nullable(),
  /** The SQLite library Lifeboat uses, and the one that last wrote the file (from its header). */
  sqliteVersion: z.string(),
  lastWrittenBySqlite: z.string().nullable(),
  tables: z.array(tableInfoSchema),
  backupsDir: z.string(),
  newestSnapshot: z.object({ file: z.string(), time: z.string(), ageSeconds: z.number() }).nullable(),
});
export type DatabaseInfo = z.infer<typeof databaseInfoSchema>;

/** What the detail panel shows of one snapshot: its listing entry, its record, and what it holds. */
export const snapshotDetailsSchema = z.object({
  entry: snapshotEntrySchema,
  pageSize: z.number().int().nullable(),
  pageCount: z.number().int().nullable(),
  sqliteVersion: z.string().nullable(),
  source: z.object({ path: z.string(), journalMode: journalModeSchema }).nullable(),
  lastVerified: z.object({ at: z.string(), ok: z.boolean(), problem: z.string().nullable() }).nullable(),
  /** Tables with row counts, or null when the file cannot be opened as a database. */
  tables: z.array(tableInfoSchema).nullable(),
  problem: z.string().nullable(),
});
export type SnapshotDetails = z.infer<typeof snapshotDetailsSchema>;
