import type { RecordedTool, Revision, RevisionGraph } from '../../contract/migrations';

/** A revision with what its file does to tables, used to tell a `partial` database. */
export interface CodeRevision extends Revision {
  readonly tablesCreated: readonly string[];
  readonly tablesDropped: readonly string[];
}

/** The code's revisions, ordered, with their heads: what every status is computed against. */
export interface CodeGraph {
  readonly tool: RecordedTool;
  readonly locations: readonly string[];
  /** Oldest first: every revision after its parents and dependencies. */
  readonly revisions: readonly CodeRevision[];
  readonly heads: readonly string[];
  /**
   * Heads that compete: several heads of one chain (Alembic's "multiple heads", Django's
   * "conflicting migrations" inside one app). Django's apps each have their own head, which is normal.
   */
  readonly competingHeads: readonly string[];
  readonly problems: readonly string[];
  /** What the status should mention beside the revisions (what was left out, and why). */
  readonly notes?: readonly string[];
  /** Django: each migration a squash replaces, and the squash that stands for it. */
  readonly replaced?: ReadonlyMap<string, string>;
}

/**
 * Orders revisions so that each comes after its parents and dependencies (Kahn's algorithm; ties
 * keep the order given, e.g. by version or file name). Revisions in a cycle, or whose parent is
 * missing, are still listed (last) and reported as problems.
 */
export function buildGraph(
  tool: RecordedTool,
  locations: readonly string[],
  revisions: readonly CodeRevision[],
  problems: readonly string[],
  chainOf: (id: string) => string = () => '',
): CodeGraph {
  const byId = new Map(revisions.map((r) => [r.id, r]));
  const found = [...problems];
  const children = new Map<string, string[]>();
  const waiting = new Map<string, number>();
  for (const revision of revisions) {
    const needs = [...revision.parents, ...revision.dependsOn].filter((id) => {
      if (byId.has(id)) {
        return true;
      }
      found.push(`${revision.file}: it follows ${id}, which no migration file declares.`);
      return false;
    });
    waiting.set(revision.id, new Set(needs).size);
    for (const need of new Set(needs)) {
      children.set(need, [...(children.get(need) ?? []), revision.id]);
    }
  }
  const ordered: CodeRevision[] = [];
  const ready = revisions.filter((r) => waiting.get(r.id) === 0).map((r) => r.id);
  const position = new Map(revisions.map((r, i) => [r.id, i]));
  while (ready.length > 0) {
    ready.sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
    const id = ready.shift() as string;
    ordered.push(byId.get(id) as CodeRevision);
    for (const child of children.get(id) ?? []) {
      const left = (waiting.get(child) ?? 0) - 1;
      waiting.set(child, left);
      if (left === 0) {
        ready.push(child);
      }
    }
  }
  for (const revision of revisions) {
    if (!ordered.includes(revision)) {
      found.push(`${revision.file}: part of a cycle of revisions.`);
      ordered.push(revision);
    }
  }
  const hasChild = new Set(revisions.flatMap((r) => r.parents));
  const heads = ordered.filter((r) => !hasChild.has(r.id)).map((r) => r.id);
  const competingHeads = heads.filter((head) =>
    heads.some((other) => other !== head && chainOf(other) === chainOf(head)),
  );
  return { tool, locations, revisions: ordered, heads, competingHeads, problems: found };
}

/** Every revision `ids` stand on (parents and dependencies, transitively), the ids included. */
export function withAncestors(graph: CodeGraph, ids: Iterable<string>): Set<string> {
  const byId = new Map(graph.revisions.map((r) => [r.id, r]));
  const seen = new Set<string>();
  const stack = [...ids];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (seen.has(id)) {
      continue;
    }
    seen.add(id);
    const revision = byId.get(id);
    if (revision !== undefined) {
      stack.push(...revision.parents, ...revision.dependsOn);
    }
  }
  return seen;
}

/** The graph as the contract shows it (without the table bookkeeping). */
export function publicGraph(graph: CodeGraph): RevisionGraph {
  return {
    tool: graph.tool,
    locations: [...graph.locations],
    revisions: graph.revisions.map(({ id, parents, dependsOn, branchLabels, message, createdAt, file }) => ({
      id,
      parents,
      dependsOn,
      branchLabels,
      message,
      createdAt,
      file,
    })),
    heads: [...graph.heads],
    problems: [...graph.problems],
  };
}
