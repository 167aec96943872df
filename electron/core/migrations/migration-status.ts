import {
  toolNames,
  type MigrationStatus,
  type MigrationStatusKind,
  type RecordedTool,
} from '../../contract/migrations';
import { withAncestors, type CodeGraph } from './revision-graph';

/** What a database says about its migrations, read by a tool's adapter. */
export type AppliedState =
  | { readonly kind: 'no-database' }
  /** No table at all. */
  | { readonly kind: 'empty' }
  /** Tables, but none of the tool's bookkeeping. */
  | { readonly kind: 'unstamped'; readonly tables: readonly string[] }
  /** Another tool's bookkeeping: the migrations found are not this database's. */
  | { readonly kind: 'foreign'; readonly tool: RecordedTool }
  | {
      readonly kind: 'stamped';
      /** What the tool recorded as applied. */
      readonly recorded: readonly string[];
      /** True when the tool records only where it is (Alembic's heads, a single version number). */
      readonly recordsPositionOnly: boolean;
      readonly tables: readonly string[];
      readonly failed: readonly string[];
      readonly dirty: readonly string[];
      readonly locked: boolean;
    };

/** Tells, for revisions the code does not have, whether they are all newer than the code's. */
export type AheadTest = (unknown: readonly string[], graph: CodeGraph) => boolean;

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The revision a person is shown: the newest of what the database records, in the code's order when it has them. */
function newestRevision(graph: CodeGraph, current: readonly string[], positionOnly: boolean): string | null {
  if (current.length === 0) {
    return null;
  }
  if (positionOnly) {
    return current.join(' + ');
  }
  const order = new Map(graph.revisions.map((r, i) => [r.id, i]));
  const known = current
    .filter((id) => order.has(id))
    .sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  return known[known.length - 1] ?? current[current.length - 1] ?? null;
}

/** What a tool flagged in its record, in the order it matters: a failed migration, a dirty one, a held lock. */
export function flaggedByTool(record: {
  readonly failed: readonly string[];
  readonly dirty: readonly string[];
  readonly locked: boolean;
}): {
  readonly status: 'failed' | 'dirty' | 'locked';
  readonly summary: string;
  readonly problemRevisions: string[];
} | null {
  if (record.failed.length > 0) {
    return {
      status: 'failed',
      summary: `The tool recorded a failed migration (${record.failed.join(', ')}): it may have half-applied. Fix it before upgrading.`,
      problemRevisions: [...record.failed],
    };
  }
  if (record.dirty.length > 0) {
    return {
      status: 'dirty',
      summary: `The database is marked dirty at ${record.dirty.join(', ')}: a migration failed part-way. Repair it, then force the version.`,
      problemRevisions: [...record.dirty],
    };
  }
  if (record.locked) {
    return {
      status: 'locked',
      summary: 'The migration lock is held: a migration is running, or one crashed while holding the lock.',
      problemRevisions: [],
    };
  }
  return null;
}

/**
 * What the database records, as the code's graph names it: a migration that a squash replaces
 * stands for the squash, which counts as applied when everything it replaces is recorded (Django's
 * loader does the same).
 */
function throughSquashes(graph: CodeGraph, recorded: readonly string[]): string[] {
  const replaced = graph.replaced;
  if (replaced === undefined || replaced.size === 0) {
    return [...recorded];
  }
  const seen = new Set(recorded);
  const squashes = [...new Set(replaced.values())].filter(
    (squash) => !seen.has(squash) && [...replaced].every(([old, by]) => by !== squash || seen.has(old)),
  );
  return [...recorded.filter((id) => !replaced.has(id)), ...squashes];
}

/** What a recorded position has applied: a position past the code's newest migration has all of it. */
function positionApplied(
  graph: CodeGraph,
  current: readonly string[],
  known: ReadonlySet<string>,
  ahead: boolean,
): ReadonlySet<string> {
  return ahead
    ? known
    : withAncestors(
        graph,
        current.filter((id) => known.has(id)),
      );
}

/**
 * The status of a database against the code's graph. Pure: adapters read files and tables, this
 * decides. Precedence: what the tool flagged (failed, dirty, locked) first, then revisions the code
 * does not know, then missing tables, then several heads, then how far behind.
 */
export function migrationStatus(
  graph: CodeGraph,
  applied: AppliedState,
  rules: { readonly isAhead: AheadTest; readonly bookkeeping: string },
): MigrationStatus {
  const recorded = applied.kind === 'stamped' ? throughSquashes(graph, applied.recorded) : [];
  const base = {
    tool: graph.tool,
    reference: 'code' as const,
    revision:
      applied.kind === 'stamped' ? newestRevision(graph, recorded, applied.recordsPositionOnly) : null,
    current: [] as string[],
    pending: [] as string[],
    unknown: [] as string[],
    heads: [...graph.heads],
    hasAllHeads: null as boolean | null,
    missingTables: [] as string[],
    problemRevisions: [] as string[],
  };
  const notes = (graph.notes ?? []).map((n) => ` ${n}`).join('');
  const make = (
    status: MigrationStatusKind,
    badge: string,
    summary: string,
    extra: Partial<typeof base> = {},
  ): MigrationStatus => ({
    ...base,
    ...extra,
    status,
    badge,
    summary: `${summary}${notes}`,
  });
  switch (applied.kind) {
    case 'no-database':
      return make('no-database', 'no database', 'The database file does not exist yet.');
    case 'empty':
      return make('empty', 'empty', 'The database has no tables yet: nothing has been migrated.', {
        pending: graph.revisions.map((r) => r.id),
      });
    case 'unstamped':
      return make(
        'unstamped',
        'unstamped',
        `The database has tables but no record of its ${graph.tool} migrations (it has no ${rules.bookkeeping.replace(/^(a|an|the) /, '')}): it was made without them, or its record was removed. Stamp it before upgrading.`,
      );
    case 'foreign':
      return make(
        'unknown-revision',
        `${toolNames[applied.tool]}, not ${toolNames[graph.tool]}`,
        `The database records its migrations with ${toolNames[applied.tool]}, not with ${toolNames[graph.tool]}: the migrations found are not this database's. Point Lifeboat at the app's own migrations, or leave them out to compare snapshots with the live database.`,
      );
    case 'stamped':
      break;
  }
  const current = recorded;
  const known = new Set(graph.revisions.map((r) => r.id));
  const unknown = current.filter((id) => !known.has(id));
  const ahead = unknown.length > 0 && rules.isAhead(unknown, graph);
  const appliedSet = applied.recordsPositionOnly
    ? positionApplied(graph, current, known, ahead)
    : new Set(current);
  const pending = graph.revisions.filter((r) => !appliedSet.has(r.id)).map((r) => r.id);
  const facts = { current, unknown, pending };
  const flag = flaggedByTool(applied);
  if (flag !== null) {
    return make(flag.status, flag.status, flag.summary, {
      ...facts,
      problemRevisions: flag.problemRevisions,
    });
  }
  if (unknown.length > 0) {
    return ahead
      ? make(
          'ahead',
          'ahead',
          `The database has ${plural(unknown.length, 'migration')} newer than the code (${unknown.join(', ')}): it was upgraded by a newer version of the app.`,
          facts,
        )
      : make(
          'unknown-revision',
          'unknown revision',
          `The database names ${unknown.join(', ')}, which the code does not have ("Can't locate revision"): the file was deleted, or the database comes from another branch.`,
          facts,
        );
  }
  const tables = new Set(applied.tables.map((t) => t.toLowerCase()));
  const expected = new Set<string>();
  for (const revision of graph.revisions) {
    if (appliedSet.has(revision.id)) {
      revision.tablesCreated.forEach((t) => expected.add(t.toLowerCase()));
      revision.tablesDropped.forEach((t) => expected.delete(t.toLowerCase()));
    }
  }
  const missingTables = [...expected].filter((t) => !tables.has(t)).sort();
  if (missingTables.length > 0) {
    return make(
      'partial',
      'partial',
      `The version table says migrations ran, but ${plural(missingTables.length, 'table')} they create ${missingTables.length === 1 ? 'is' : 'are'} missing (${missingTables.join(', ')}).`,
      { ...facts, missingTables },
    );
  }
  if (graph.competingHeads.length > 1) {
    const competing = graph.competingHeads;
    const hasAllHeads = competing.every((head) => appliedSet.has(head));
    const advice =
      graph.tool === 'django'
        ? 'Merge them (makemigrations --merge).'
        : 'Merge them (alembic merge heads), or upgrade to "heads".';
    return make(
      'multiple-heads',
      `${competing.length} heads`,
      `The code has ${competing.length} heads (${competing.join(', ')}), so an upgrade "to head" is ambiguous; ${hasAllHeads ? 'the database has all of them applied' : `the database is missing ${plural(pending.length, 'revision')}`}. ${advice}`,
      { ...facts, heads: [...competing], hasAllHeads },
    );
  }
  if (pending.length > 0) {
    return make(
      'behind',
      `${pending.length} behind`,
      `The database is ${plural(pending.length, 'revision')} behind the code: an upgrade applies ${pending.join(', ')}.`,
      facts,
    );
  }
  if (graph.problems.length > 0) {
    return make(
      'at-head',
      'at head',
      `The database is at the newest revision Lifeboat could read, but ${plural(graph.problems.length, 'migration file')} could not be read: ${graph.problems.join(' ')}`,
      facts,
    );
  }
  return make('at-head', 'at head', 'The database is at the newest revision the code has.', facts);
}
