import { z } from 'zod';

/** One line of the activity log: every snapshot, verification, restore, rollback and upgrade. */
export const activityEntrySchema = z.object({
  at: z.string(),
  action: z.enum([
    'snapshot',
    'verify',
    'restore',
    /** The pre-restore snapshot of the last restore put back as it was. */
    'undo',
    /** The pre-undo snapshot of the last undo put back: the restore is in place again. */
    'redo',
    'rollback',
    /** A restore tried on a scratch copy; nothing live changed. */
    'rehearse',
    'upgrade',
    'migrate',
    'delete',
    'pin',
    'unpin',
    'prune',
    'push',
    'pull',
    /** An offsite copy brought back into a scratch folder and proven restorable (or not); nothing here changed. */
    'drill',
  ]),
  /** The live database (for a verification, a pin or a deletion: the backups folder). */
  database: z.string(),
  /** The snapshot concerned, if one is. */
  target: z.string().nullable(),
  outcome: z.enum(['ok', 'failed', 'rolled-back', 'cancelled']),
  /** One sentence: what happened, or why it failed. */
  detail: z.string(),
  /** For a restore, an undo or a redo: the pinned snapshot of what was live before, which the next undo (or redo) puts back. */
  preRestore: z.string().optional(),
  /** Who started it. */
  origin: z.enum(['desktop', 'cli', 'web', 'schedule']),
});
export type ActivityEntry = z.infer<typeof activityEntrySchema>;
export type ActivityOrigin = ActivityEntry['origin'];
