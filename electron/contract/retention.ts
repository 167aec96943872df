import { z } from 'zod';
import { snapshotStatusSchema } from './snapshots';

/**
 * Retention: which snapshots to keep, by rules with the semantics of restic's `forget` and Proxmox's
 * prune. Each rule walks the snapshots newest first and keeps the newest one of each distinct period
 * (hour, day, ISO week, month, year, in local time) until it has kept N periods; a snapshot is kept if
 * any rule keeps it.
 */

export const retentionRuleNames = [
  'keepLast',
  'keepHourly',
  'keepDaily',
  'keepWeekly',
  'keepMonthly',
  'keepYearly',
] as const;
export type RetentionRuleName = (typeof retentionRuleNames)[number];

const count = z.number().int().min(1).max(100_000);

export const retentionRulesSchema = z
  .object({
    keepLast: count.optional(),
    keepHourly: count.optional(),
    keepDaily: count.optional(),
    keepWeekly: count.optional(),
    keepMonthly: count.optional(),
    keepYearly: count.optional(),
  })
  .strict();
export type RetentionRules = z.infer<typeof retentionRulesSchema>;

/** True when no rule is set: then nothing may be pruned (no rules never means "keep nothing"). */
export function hasNoRules(rules: RetentionRules): boolean {
  return retentionRuleNames.every((name) => rules[name] === undefined);
}

/**
 * Why a snapshot is kept: a rule (with the period it stands for, "2026-11-26" for a day), or a
 * protection no rule can override.
 */
export const keepReasonSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('rule'), rule: z.enum(retentionRuleNames), period: z.string() }),
  z.object({
    kind: z.enum([
      'pinned',
      'newest',
      'newest-verified',
      'unreadable',
      'not-lifeboat',
      'restore-in-progress',
    ]),
  }),
]);
export type KeepReason = z.infer<typeof keepReasonSchema>;

export const pruneDecisionSchema = z.object({
  file: z.string(),
  time: z.string(),
  label: z.string(),
  note: z.string().nullable(),
  status: snapshotStatusSchema,
  pinned: z.boolean(),
  decision: z.enum(['keep', 'delete']),
  /** Empty for a deletion: no rule keeps it. */
  reasons: z.array(keepReasonSchema),
  /** The snapshot a scheduled run takes before it applies the rules (a preview's, not yet on disk). */
  planned: z.literal(true).optional(),
});
export type PruneDecision = z.infer<typeof pruneDecisionSchema>;

export const pruneResultSchema = z.object({
  database: z.string(),
  backupsDir: z.string(),
  rules: retentionRulesSchema,
  dryRun: z.boolean(),
  /** Every snapshot in the folder, newest first, with what the rules decide and why. */
  snapshots: z.array(pruneDecisionSchema),
  /** The files actually deleted (none in a dry run). */
  deleted: z.array(z.string()),
});
export type PruneResult = z.infer<typeof pruneResultSchema>;

/** One reason in words, for the CLI and the preview: "keep-daily: newest of 2026-11-26", "pinned". */
export function keepReasonText(reason: KeepReason): string {
  switch (reason.kind) {
    case 'rule': {
      const rule = ruleFlag(reason.rule).slice(2);
      return reason.rule === 'keepLast' ? `${rule} #${reason.period}` : `${rule}: newest of ${reason.period}`;
    }
    case 'pinned':
      return 'pinned';
    case 'newest':
      return 'the newest snapshot';
    case 'newest-verified':
      return 'the newest verified snapshot';
    case 'unreadable':
      return 'damaged or not a database: reported, never deleted automatically';
    case 'not-lifeboat':
      return 'not made by Lifeboat: never deleted automatically';
    case 'restore-in-progress':
      return 'a restore is in progress';
  }
}

/** The flag of each rule on the command line (`--keep-daily`). */
export function ruleFlag(rule: RetentionRuleName): string {
  return `--keep-${rule.slice(4).toLowerCase()}`;
}
