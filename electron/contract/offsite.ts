import { z } from 'zod';
import { lifeboatErrorSchema } from './errors';
import { retentionRulesSchema } from './retention';

/**
 * Offsite copies: each verified snapshot also on other storage (S3-compatible, SFTP, a folder), stored
 * as an ordinary SQLite file (optionally gzip, optionally age) with a JSON manifest beside it, so that it
 * can be found and restored on a new machine, with Lifeboat or with stock tools.
 */

/** A target in lifeboat.json or Lifeboat's settings: a name for people and a URL that says where. */
export const offsiteTargetSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a name of letters, digits, dot, dash or underscore'),
    /** s3://bucket/prefix?endpoint=…&region=…&forcePathStyle=true, sftp://user@host:port/path, file:///dir */
    url: z.string().min(1).max(2000),
    /** Compress each snapshot with gzip before it leaves (and before it is encrypted). */
    gzip: z.boolean().optional(),
    /** age recipients (public keys, `age1…`): the stored object can be read only with one of their identities. */
    encryptTo: z
      .array(
        z
          .string()
          .regex(/^age1[0-9a-z]{20,2000}$/, 'each must be an age recipient (age1…, as age-keygen prints)'),
      )
      .max(20)
      .optional(),
    /** Which of the target's snapshots to keep; the newest verified one always stays. */
    retention: retentionRulesSchema.optional(),
    /** Never delete on this target (credentials that may write but not delete). */
    noDelete: z.boolean().optional(),
  })
  .strict();
export type OffsiteTarget = z.infer<typeof offsiteTargetSchema>;

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/);
/** A file name inside a target's app folder: no slashes, no dot-dot, no control characters. */
const remoteNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/);

/** The JSON stored next to each offsite snapshot. Read back from storage: parsed strictly, never trusted. */
export const offsiteManifestSchema = z.object({
  format: z.literal('lifeboat-offsite-1'),
  app: remoteNameSchema,
  host: remoteNameSchema,
  /** The snapshot's file name in the backups folder it came from. */
  file: z.string().max(255),
  time: z.iso.datetime({ offset: true }),
  label: z.string().max(1000),
  note: z.string().max(10_000).nullable(),
  pinned: z.boolean(),
  migration: z
    .object({
      tool: z.string().max(100),
      revision: z.string().max(500).nullable(),
      current: z.array(z.string().max(500)).max(10_000),
    })
    .nullable(),
  sqliteVersion: z.string().max(50).nullable(),
  pageSize: z.number().int().positive().nullable(),
  /** The SQLite file itself. */
  plain: z.object({ size: z.number().int().nonnegative(), sha256: sha256Schema }),
  /** The object as stored (after gzip and age), beside this manifest. */
  stored: z.object({
    name: remoteNameSchema,
    size: z.number().int().nonnegative(),
    sha256: sha256Schema,
    gzip: z.boolean(),
    encrypted: z.boolean(),
  }),
  pushedAt: z.iso.datetime({ offset: true }),
  lifeboatVersion: z.string().max(50),
});
export type OffsiteManifest = z.infer<typeof offsiteManifestSchema>;

/** One snapshot a target holds: its manifest and whether its object is there as the manifest says. */
export const remoteSnapshotSchema = z.object({
  /** `host/app/name` (name without .json): what `restore --from` takes. */
  id: z.string(),
  manifest: offsiteManifestSchema,
  /** `complete`, or `missing` (the object is gone) or `wrong-size` (it is not the object the manifest names). */
  state: z.enum(['complete', 'missing', 'wrong-size']),
});
export type RemoteSnapshot = z.infer<typeof remoteSnapshotSchema>;

export const remoteListSchema = z.object({
  /** The target as shown to people: its name, or its URL without secrets. */
  target: z.string(),
  snapshots: z.array(remoteSnapshotSchema),
  /** Manifests that could not be read (damaged, too large, not Lifeboat's), with why. */
  problems: z.array(z.object({ key: z.string(), reason: z.string() })),
});
export type RemoteList = z.infer<typeof remoteListSchema>;

export const pushOutcomeSchema = z.object({
  target: z.string(),
  /** Snapshots sent and checked on this run. */
  pushed: z.array(z.object({ file: z.string(), id: z.string(), bytes: z.number().int().nonnegative() })),
  /** Snapshots it already held. */
  present: z.array(z.string()),
  /** Snapshots not sent because they are not verified, with why. */
  skipped: z.array(z.object({ file: z.string(), reason: z.string() })),
  /** Snapshots whose sending failed on their own (changed since verified), with the error. */
  failed: z.array(z.object({ file: z.string(), error: lifeboatErrorSchema })),
  /** What the target's retention deleted, or why it did not run; null when it has no rules. */
  pruned: z.object({ deleted: z.array(z.string()), note: z.string().nullable() }).nullable(),
  /** Why the target could not be used at all (unreachable, wrong credentials…); null when it could. */
  error: lifeboatErrorSchema.nullable(),
});
export type PushOutcome = z.infer<typeof pushOutcomeSchema>;

export const pushResultSchema = z.object({
  ok: z.boolean(),
  targets: z.array(pushOutcomeSchema),
});
export type PushResult = z.infer<typeof pushResultSchema>;

/** A target's entry as the UI shows it: name, URL without secrets, and its options. */
export const targetSummarySchema = z.object({
  name: z.string(),
  /** The URL as configured (it never holds secrets: those are refused in URLs). */
  url: z.string(),
  display: z.string(),
  gzip: z.boolean(),
  encrypted: z.boolean(),
  retention: retentionRulesSchema.nullable(),
  noDelete: z.boolean(),
  /** From the app's lifeboat.json (read-only in the UI) or from Lifeboat's settings. */
  from: z.enum(['file', 'settings']),
});
export type TargetSummary = z.infer<typeof targetSummarySchema>;

/** A snapshot brought back from a target into the backups folder, checked and verified. */
export const pulledSnapshotSchema = z.object({
  id: z.string(),
  target: z.string(),
  /** Its file name in the backups folder: what `lifeboat restore` then takes. */
  file: z.string(),
  path: z.string(),
  /** Bytes downloaded (0 when the backups folder already held the same snapshot). */
  downloaded: z.number().int().nonnegative(),
  alreadyHere: z.boolean(),
});
export type PulledSnapshot = z.infer<typeof pulledSnapshotSchema>;
