import { z } from 'zod';
import { commandOriginSchema, commandUserSchema } from './app-run';
import { lifeboatErrorSchema } from './errors';
import { migrationStatusKindSchema, statusReferenceSchema } from './migrations';

/**
 * The steps a rollback can take, after a restore failed at or after the swap (or was interrupted).
 * Each may be skipped: there may be no command to run, or nothing to put back.
 */
export const rollbackStepTable = [
  { id: 'stop-app', title: 'Stop the app', skippable: true },
  { id: 'put-back', title: 'Put the database back', skippable: true },
  { id: 'start-app', title: 'Start the app again', skippable: true },
] as const;
export const rollbackStepSchema = z.enum(rollbackStepTable.map((s) => s.id));
export type RollbackStep = z.infer<typeof rollbackStepSchema>;

/** The stages a person sees in the restore's stepper; the steps name theirs. */
export const restoreStages = [
  { stage: 'preflight', title: 'Preflight' },
  { stage: 'stop', title: 'Stop the app' },
  { stage: 'pre-restore', title: 'Pre-restore snapshot' },
  { stage: 'swap', title: 'Swap' },
  { stage: 'upgrade', title: 'Upgrade' },
  { stage: 'check', title: 'Verify' },
  { stage: 'start', title: 'Start the app' },
  { stage: 'health', title: 'Health' },
  { stage: 'clean-up', title: 'Clean up' },
] as const;
export type RestoreStage = (typeof restoreStages)[number]['stage'];

/**
 * The restore, step by step, in order: the one place the order is written. Each step says the stage
 * it shows under, what it does (for a person), whether it may be skipped (with a reason), whether a
 * rehearsal runs it on its scratch copy, and the rollback that undoes a restore that failed (or was
 * interrupted) at it. The journal records the step about to run.
 */
export const restoreStepTable = [
  {
    id: 'preflight',
    stage: 'preflight',
    title: 'Preflight',
    skippable: false,
    rehearsed: true,
    rollback: [],
  },
  {
    id: 'stop',
    stage: 'stop',
    title: 'Stop the app',
    skippable: true,
    rehearsed: false,
    rollback: ['put-back'],
  },
  {
    id: 'pre-restore',
    stage: 'pre-restore',
    title: 'Pre-restore snapshot',
    skippable: true,
    rehearsed: false,
    rollback: ['put-back', 'start-app'],
  },
  ...(['stage', 'set-aside', 'put-in-place', 'verify'] as const).map((id) => ({
    id,
    stage: 'swap' as const,
    title: `Swap: ${id}`,
    skippable: false,
    rehearsed: id === 'stage' || id === 'verify',
    rollback: ['put-back', 'start-app'] as const,
  })),
  {
    id: 'upgrade',
    stage: 'upgrade',
    title: 'Upgrade',
    skippable: true,
    rehearsed: true,
    rollback: ['put-back', 'start-app'],
  },
  {
    id: 'check',
    stage: 'check',
    title: 'Verify',
    skippable: false,
    rehearsed: true,
    rollback: ['put-back', 'start-app'],
  },
  {
    id: 'start',
    stage: 'start',
    title: 'Start the app',
    skippable: true,
    rehearsed: false,
    rollback: ['stop-app', 'put-back', 'start-app'],
  },
  {
    id: 'health',
    stage: 'health',
    title: 'Health',
    skippable: true,
    rehearsed: false,
    rollback: ['stop-app', 'put-back', 'start-app'],
  },
  {
    id: 'discard-old',
    stage: 'clean-up',
    title: 'Clean up',
    skippable: false,
    rehearsed: false,
    rollback: ['stop-app', 'put-back', 'start-app'],
  },
] as const satisfies readonly {
  id: string;
  stage: RestoreStage;
  title: string;
  skippable: boolean;
  rehearsed: boolean;
  rollback: readonly RollbackStep[];
}[];
export const restoreStepSchema = z.enum(restoreStepTable.map((s) => s.id));
export type RestoreStep = z.infer<typeof restoreStepSchema>;
type StepRow = (typeof restoreStepTable)[number];

/** The steps of a restore, in order. */
export const restoreSteps: readonly RestoreStep[] = restoreStepTable.map((s) => s.id);

/** A step's row in its table. */
function rowOf<T extends { readonly id: string }>(table: readonly T[], id: string): T {
  const row = table.find((s) => s.id === id);
  if (row === undefined) {
    throw new Error(`No step ${id}`);
  }
  return row;
}

/** A restore step's row in the table. */
export function restoreStep(step: RestoreStep): StepRow {
  return rowOf(restoreStepTable, step);
}

/** The stage a step shows under. */
export function stageOfStep(step: RestoreStep): RestoreStage {
  return restoreStep(step).stage;
}

/** The steps a rehearsal runs, on a scratch copy: the app is not stopped and nothing is swapped in. */
export const rehearsalSteps: readonly RestoreStep[] = restoreStepTable
  .filter((s) => s.rehearsed)
  .map((s) => s.id);

/** The stages a rehearsal shows. */
export const rehearsalStages: readonly RestoreStage[] = restoreStages
  .map((s) => s.stage)
  .filter((stage) => rehearsalSteps.some((step) => stageOfStep(step) === stage));

/** Any step a restore job runs: the restore's, or its rollback's (their names never overlap). */
export type AnyStep = RestoreStep | RollbackStep;
const anyStepSchema = z.union([restoreStepSchema, rollbackStepSchema]);

export function isRollbackStep(step: AnyStep): step is RollbackStep {
  return rollbackStepSchema.safeParse(step).success;
}

/** Any step's row: its title and whether it may be skipped. */
function anyRow(step: AnyStep): { readonly title: string; readonly skippable: boolean } {
  return isRollbackStep(step) ? rowOf(rollbackStepTable, step) : restoreStep(step);
}

/** What a person reads for a step. */
export function stepTitle(step: AnyStep): string {
  return anyRow(step).title;
}

/** Whether the table lets the step be skipped (the runner refuses a skip it does not allow). */
export function mayBeSkipped(step: AnyStep): boolean {
  return anyRow(step).skippable;
}

/**
 * What the step runner says as it goes, in order and never dropped (they travel with the job's
 * progress): a step started, finished (with a note), was skipped (with the reason), or failed.
 */
export const stepEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('started'), step: anyStepSchema }),
  z.object({
    type: z.literal('done'),
    step: anyStepSchema,
    durationMs: z.number(),
    note: z.string().nullable(),
  }),
  z.object({ type: z.literal('skipped'), step: anyStepSchema, durationMs: z.number(), reason: z.string() }),
  z.object({ type: z.literal('failed'), step: anyStepSchema, error: lifeboatErrorSchema }),
]);
export type StepEvent = z.infer<typeof stepEventSchema>;

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

/** A step that ran: how long it took, and its note (for a skipped step, why it was skipped). */
const timedStep = <S extends z.ZodType>(step: S) =>
  z.object({ step, durationMs: z.number(), note: z.string().nullable(), skipped: z.boolean() });

/** What a restore did: restored, or rolled back (with why), or found nothing to do; or what a rehearsal found. */
export const restoreResultSchema = z.object({
  outcome: z.enum(['restored', 'rolled-back', 'resumed', 'nothing-to-recover', 'rehearsed']),
  /** An undo of the last restore, or the redo of an undo: a snapshot Lifeboat kept, put back as it was. */
  putBack: z.enum(['undo', 'redo']).optional(),
  database: z.string(),
  snapshot: z.string().nullable(),
  /** The pinned, verified snapshot of the live database taken before it was replaced. */
  preRestoreSnapshot: z.string().nullable(),
  /** What the restore threw away: per table, rows in the live database and in the snapshot. */
  tables: z.array(tableDifferenceSchema),
  steps: z.array(timedStep(restoreStepSchema)),
  /** The rollback's own steps, when there was one. */
  rollbackSteps: z.array(timedStep(rollbackStepSchema)),
  /** A rehearsal's steps that the restore would run but the rehearsal could not try, with why (else empty). */
  notTried: z.array(z.object({ step: restoreStepSchema, reason: z.string() })),
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
  commands: z.array(
    z.object({
      which: z.enum(['stop', 'upgrade', 'start']),
      text: z.string(),
      /** Where it comes from (a lifeboat.json, Lifeboat's settings, a preset, the tool's default) and who runs it. */
      origin: commandOriginSchema,
      user: commandUserSchema,
    }),
  ),
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

/** "the upgrade was not tried: …": what a rehearsal that passed did not prove, or null when it tried every step. */
export function notTriedText(result: Pick<RestoreResult, 'notTried'>): string | null {
  const parts = result.notTried.map(
    (n) => `the ${rowOf(restoreStepTable, n.step).title.toLowerCase()} was not tried: ${n.reason}`,
  );
  return parts.length === 0 ? null : parts.join('; ');
}
