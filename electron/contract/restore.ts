import { z } from 'zod';
import { lifeboatErrorSchema } from './errors';
import { migrationStatusKindSchema, statusReferenceSchema } from './migrations';

/** The steps of a restore, in order; the journal records the one about to run. */
export const restoreSteps = [
  'preflight',
  'stop',
  'pre-restore',
  'stage',
  'set-aside',
  'put-in-place',
  'verify',
  'upgrade',
  'check',
  'start',
  'health',
  'discard-old',
] as const;
export const restoreStepSchema = z.enum(restoreSteps);
export type RestoreStep = z.infer<typeof restoreStepSchema>;

/** The steps of a rollback, after a restore failed at or after the swap (or was interrupted). */
export const rollbackSteps = ['stop-app', 'put-back', 'start-app'] as const;
export const rollbackStepSchema = z.enum(rollbackSteps);
export type RollbackStep = z.infer<typeof rollbackStepSchema>;

/**
 * The stages a person sees in the restore's stepper, each made of one or more journaled steps: the
 * swap is staging the copy, setting the old files aside, renaming the copy in and checking it opens.
 */
export const restoreStages = [
  { stage: 'preflight', title: 'Preflight', steps: ['preflight'] },
  { stage: 'stop', title: 'Stop the app', steps: ['stop'] },
  { stage: 'pre-restore', title: 'Pre-restore snapshot', steps: ['pre-restore'] },
  { stage: 'swap', title: 'Swap', steps: ['stage', 'set-aside', 'put-in-place', 'verify'] },
  { stage: 'upgrade', title: 'Upgrade', steps: ['upgrade'] },
  { stage: 'check', title: 'Verify', steps: ['check'] },
  { stage: 'start', title: 'Start the app', steps: ['start'] },
  { stage: 'health', title: 'Health', steps: ['health'] },
  { stage: 'clean-up', title: 'Clean up', steps: ['discard-old'] },
] as const satisfies readonly { stage: string; title: string; steps: readonly RestoreStep[] }[];
export type RestoreStage = (typeof restoreStages)[number]['stage'];

/** The stages a rehearsal runs, on a scratch copy: the app is not stopped and nothing is swapped in. */
export const rehearsalStages: readonly RestoreStage[] = ['preflight', 'swap', 'upgrade', 'check'];

/** The stage a journaled step belongs to. */
export function stageOfStep(step: RestoreStep): RestoreStage {
  const found = restoreStages.find((s) => (s.steps as readonly RestoreStep[]).includes(step));
  return found?.stage ?? 'preflight';
}

/** The job phase a restore reports while it runs a step (parsed back by phaseOfRestore). */
export function restorePhase(step: RestoreStep): string {
  return `Restore: ${step}`;
}

/** The job phase a rollback reports while it runs a step. */
export function rollbackPhase(step: RollbackStep): string {
  return `Rollback: ${step}`;
}

/** Which step a restore job's phase names, if any. */
export function phaseOfRestore(
  phase: string,
):
  | { readonly kind: 'restore'; readonly step: RestoreStep }
  | { readonly kind: 'rollback'; readonly step: RollbackStep }
  | null {
  const [what, step] = phase.split(': ');
  const restore = restoreStepSchema.safeParse(step);
  if (what === 'Restore' && restore.success) {
    return { kind: 'restore', step: restore.data };
  }
  const rollback = rollbackStepSchema.safeParse(step);
  return what === 'Rollback' && rollback.success ? { kind: 'rollback', step: rollback.data } : null;
}

/**
 * The journal mode a database file carries in its header (bytes 18-19): write-ahead log, or one of
 * the rollback-journal modes (delete, truncate, persist: chosen per connection, not stored). A
 * restore gives the restored file the live file's, so an app that set WAL once keeps it.
 */
export const fileJournalModeSchema = z.enum(['wal', 'rollback']);
export type FileJournalMode = z.infer<typeof fileJournalModeSchema>;

/** How the live database's schema differs from the snapshot's: an object only in one, or changed (with a table's columns). */
export const schemaDifferenceSchema = z.object({
  type: z.enum(['table', 'index', 'view', 'trigger']),
  name: z.string(),
  change: z.enum(['only-live', 'only-snapshot', 'changed']),
  columnsOnlyLive: z.array(z.string()),
  columnsOnlySnapshot: z.array(z.string()),
});
export type SchemaDifference = z.infer<typeof schemaDifferenceSchema>;

export const tableDifferenceSchema = z.object({
  name: z.string(),
  liveRows: z.number().nullable(),
  snapshotRows: z.number().nullable(),
});
export type TableDifference = z.infer<typeof tableDifferenceSchema>;

const timedStep = <S extends z.ZodType>(step: S) =>
  z.object({ step, durationMs: z.number(), note: z.string().nullable() });

/** What a restore did: restored, or rolled back (with why), or found nothing to do; or what a rehearsal found. */
export const restoreResultSchema = z.object({
  outcome: z.enum(['restored', 'rolled-back', 'resumed', 'nothing-to-recover', 'rehearsed']),
  database: z.string(),
  snapshot: z.string().nullable(),
  /** The pinned, verified snapshot of the live database taken before it was replaced. */
  preRestoreSnapshot: z.string().nullable(),
  /** What the restore threw away: per table, rows in the live database and in the snapshot. */
  tables: z.array(tableDifferenceSchema),
  steps: z.array(timedStep(restoreStepSchema)),
  /** The rollback's own steps, when there was one. */
  rollbackSteps: z.array(timedStep(rollbackStepSchema)),
  /** Why it was rolled back (or, for a rehearsal, why the restore would fail). */
  error: lifeboatErrorSchema.nullable(),
});
export type RestoreResult = z.infer<typeof restoreResultSchema>;

/**
 * What a restore would do, found without changing anything: shown before the user confirms.
 * `blockers` are the reasons it cannot go ahead; `holders` may be overridden explicitly.
 */
export const restorePreviewSchema = z.object({
  snapshot: z.string(),
  database: z.string(),
  liveExists: z.boolean(),
  /** False when the snapshot failed verification: then nothing is said about what would change. */
  snapshotReadable: z.boolean(),
  tables: z.array(tableDifferenceSchema),
  /** What the restore changes in the schema (before any upgrade): empty when both are alike. */
  schemaDifferences: z.array(schemaDifferenceSchema),
  /** The snapshot's schema against the app's code: its badge, a sentence, the migrations the upgrade applies (id and message). */
  schema: z
    .object({
      badge: z.string(),
      summary: z.string(),
      pending: z.array(z.string()),
      tool: z.string(),
      /** The newest revision the snapshot records, and what its status is against. */
      revision: z.string().nullable(),
      reference: statusReferenceSchema,
      status: migrationStatusKindSchema,
    })
    .nullable(),
  /**
   * The journal mode the restored file is given: the live file's (`live`), or, with no live database,
   * the mode of the database the snapshot was taken from (`snapshot`, `rollback` when unknown).
   */
  journalMode: z.object({ mode: fileJournalModeSchema, from: z.enum(['live', 'snapshot']) }),
  /** The app's own commands, verbatim, in the order they run. */
  commands: z.array(z.object({ which: z.enum(['stop', 'upgrade', 'start']), text: z.string() })),
  /** No stop command: the user stops the app and Lifeboat checks that nothing holds the file. */
  manualStop: z.boolean(),
  healthUrl: z.string().nullable(),
  holders: z.array(z.object({ pid: z.number(), command: z.string() })),
  /** False where Lifeboat cannot see which processes hold a file (Windows, no lsof): then the user must make sure. */
  holdersKnown: z.boolean(),
  freeBytes: z.number(),
  neededBytes: z.number(),
  blockers: z.array(lifeboatErrorSchema),
});
export type RestorePreview = z.infer<typeof restorePreviewSchema>;

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

/** "Journal mode: wal, kept": what the preview says of the restored file's journal mode. */
export function describeJournalMode(journalMode: RestorePreview['journalMode']): string {
  const origin = journalMode.from === 'live' ? 'kept' : 'as the database the snapshot was taken from had it';
  return `Journal mode: ${journalMode.mode}, ${origin}`;
}

/** One schema difference in words, from the live database's point of view (for the preview, in the app and the CLI). */
export function describeSchemaDifference(d: SchemaDifference): string {
  const what = `${d.type} ${d.name}`;
  switch (d.change) {
    case 'only-live':
      return `The ${what} exists only in the live database: the restore removes it (an upgrade may create it again).`;
    case 'only-snapshot':
      return `The ${what} comes back with the snapshot.`;
    case 'changed': {
      const parts = [
        d.columnsOnlyLive.length > 0
          ? `columns ${d.columnsOnlyLive.join(', ')} only in the live database`
          : null,
        d.columnsOnlySnapshot.length > 0
          ? `columns ${d.columnsOnlySnapshot.join(', ')} only in the snapshot`
          : null,
      ].filter((p) => p !== null);
      return `The ${what} differs${parts.length > 0 ? `: ${parts.join('; ')}` : ' in its definition'}.`;
    }
  }
}
