import { z } from 'zod';
import { lifeboatErrorSchema } from './errors';

/** The steps of a restore, in order; the journal records the one about to run. */
export const restoreSteps = ['preflight', 'stop', 'pre-restore', 'stage', 'set-aside', 'put-in-place', 'verify', 'upgrade', 'check', 'start', 'health', 'discard-old'] as const;
export const restoreStepSchema = z.enum(restoreSteps);
export type RestoreStep = z.infer<typeof restoreStepSchema>;

export const tableDifferenceSchema = z.object({ name: z.string(), liveRows: z.number().nullable(), snapshotRows: z.number().nullable() });
export type TableDifference = z.infer<typeof tableDifferenceSchema>;

/** What a restore did: restored, or rolled back (with why), or found nothing to do. */
export const restoreResultSchema = z.object({
  outcome: z.enum(['restored', 'rolled-back', 'resumed', 'nothing-to-recover']),
  database: z.string(),
  snapshot: z.string().nullable(),
  /** The pinned, verified snapshot of the live database taken before it was replaced. */
  preRestoreSnapshot: z.string().nullable(),
  /** What the restore threw away: per table, rows in the live database and in the snapshot. */
  tables: z.array(tableDifferenceSchema),
  steps: z.array(z.object({ step: restoreStepSchema, durationMs: z.number(), note: z.string().nullable() })),
  /** Why it was rolled back. */
  error: lifeboatErrorSchema.nullable(),
});
export type RestoreResult = z.infer<typeof restoreResultSchema>;

/** What `lifeboat upgrade` did: nothing (at head), upgraded, or rolled back to its pre-upgrade snapshot. */
export const upgradeOutcomeSchema = z.object({
  outcome: z.enum(['at-head', 'upgraded', 'rolled-back']),
  database: z.string(),
  preUpgradeSnapshot: z.string().nullable(),
  /** What ran: the migrations applied, or the command. */
  applied: z.string().nullable(),
  error: lifeboatErrorSchema.nullable(),
  /** The guarded restore that put the pre-upgrade snapshot back, when the upgrade failed. */
  rollback: restoreResultSchema.nullable(),
});
export type UpgradeOutcome = z.infer<typeof upgradeOutcomeSchema>;
