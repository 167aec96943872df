import { z } from 'zod';
import { lifeboatErrorSchema } from './errors';
import { durationSchema } from './schedule';

/**
 * Drills: an offsite copy counts as restorable once it has been brought back and checked. A drill
 * walks these steps for each target, in order; the first that fails names the drill's failure.
 */
export const drillSteps = [
  /** The target is listed and its newest copy of the app found, with its object there. */
  'find',
  /** The stored object is downloaded and matches the manifest's size and SHA-256. */
  'download',
  /** It is decrypted and unpacked, and the plain file matches the manifest's size and SHA-256. */
  'decrypt',
  /** `PRAGMA integrity_check` on the plain file. */
  'integrity',
  /** Its schema revision is the one the manifest records. */
  'revision',
  /** The app's smoke queries run on it. */
  'smoke',
  /** The app's upgrade runs on it (a rehearsal on the scratch copy). */
  'rehearsal',
] as const;
export const drillStepSchema = z.enum(drillSteps);
export type DrillStep = z.infer<typeof drillStepSchema>;

/** `"drill"` in lifeboat.json: how often, which targets (default: all), the age identity file for encrypted copies. */
export const drillSettingsSchema = z
  .object({
    every: durationSchema,
    targets: z.array(z.string().min(1).max(64)).min(1).max(20).optional(),
    /** An age identity file (absolute path): without one, encrypted copies are checked but not decrypted. */
    identity: z.string().min(1).max(4096).optional(),
  })
  .strict();
export type DrillSettings = z.infer<typeof drillSettingsSchema>;

export const drillTargetResultSchema = z.object({
  target: z.string(),
  /** The copy drilled (`host/app/name`), or null when none was found. */
  id: z.string().nullable(),
  result: z.enum(['ok', 'failed']),
  /** The step that failed, or null when none did. */
  step: drillStepSchema.nullable(),
  error: lifeboatErrorSchema.nullable(),
  /** Whether the plain file was brought back (an encrypted copy without an identity file is not: the rest is not tried). */
  restored: z.boolean(),
  /** Steps that did not run, with why (no identity file, no smoke queries, no upgrade command). */
  notTried: z.array(z.object({ step: drillStepSchema, reason: z.string() })),
  /** The schema revision the copy holds, when read. */
  revision: z.string().nullable(),
  /** Bytes read from the target: a drill costs the target's egress. */
  bytes: z.number().int().nonnegative(),
  seconds: z.number().nonnegative(),
});
export type DrillTargetResult = z.infer<typeof drillTargetResultSchema>;

export const drillResultSchema = z.object({
  at: z.string(),
  database: z.string(),
  ok: z.boolean(),
  targets: z.array(drillTargetResultSchema),
});
export type DrillResult = z.infer<typeof drillResultSchema>;

/** The third question of freshness, for `info --json`, `check` and the card: was a copy proven restorable lately. */
export const drillStatusSchema = z.object({
  /** The drill schedule ("7d"), or null when none is set. */
  every: z.string().nullable(),
  /** When the last drill ran, or null. */
  last: z.string().nullable(),
  /** The target the status speaks of (the failed one, else the last proven). */
  target: z.string().nullable(),
  result: z.enum(['ok', 'failed']).nullable(),
  step: drillStepSchema.nullable(),
  code: z.string().nullable(),
  /** Whether the last drill is older than its schedule allows (or none ran while one is set). */
  overdue: z.boolean(),
  /** One sentence: "proven: restored from nas 2 d ago, integrity ok, revision 42, 3.1 s". */
  text: z.string(),
});
export type DrillStatus = z.infer<typeof drillStatusSchema>;
