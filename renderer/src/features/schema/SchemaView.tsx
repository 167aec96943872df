import type { ReactNode } from 'react';
import { toolNames, type MigrationReport, type Revision } from '#contract/migrations';
import type { SnapshotEntry } from '#contract/snapshots';
import { showSnapshotsAt } from '../../store/actions';
import { revisionText } from '../../ui/StatusBadge';

const rowHeight = 48;
const laneWidth = 22;
const dot = 6;

interface Placed {
  readonly revision: Revision;
  readonly lane: number;
  readonly row: number;
}

/**
 * Lays the revision graph out newest on top: each revision on a lane, a child's first parent
 * continuing its lane, other parents (merges, branches) on lanes of their own. Pure.
 */
export function layoutGraph(revisions: readonly Revision[]): Placed[] {
  const newestFirst = [...revisions].reverse();
  const laneOf = new Map<string, number>();
  const reserved: (string | null)[] = [];
  const placed: Placed[] = [];
  newestFirst.forEach((revision, row) => {
    let lane = laneOf.get(revision.id);
    if (lane === undefined) {
      lane = reserved.indexOf(null);
      lane = lane === -1 ? reserved.length : lane;
    }
    reserved[lane] = null;
    placed.push({ revision, lane, row });
    revision.parents.forEach((parent, index) => {
      if (laneOf.has(parent)) {
        return;
      }
      let parentLane = index === 0 ? lane : reserved.indexOf(null);
      if (parentLane === -1 || (index > 0 && parentLane === lane)) {
        parentLane = reserved.length;
      }
      laneOf.set(parent, parentLane);
      reserved[parentLane] = parent;
    });
  });
  return placed;
}

/** The app's migrations as a graph, with the live database, the heads and the snapshots on it. */
export function SchemaView(props: {
  report: MigrationReport | null | undefined;
  snapshots: readonly SnapshotEntry[];
}): ReactNode {
  const { report } = props;
  if (report === undefined) {
    return <p className="muted pad">Reading the app’s migrations…</p>;
  }
  if (report === null) {
    return (
      <div className="table-empty">
        <p>No migrations found for this app, and its database records none Lifeboat knows.</p>
        <p className="muted">
          Lifeboat reads the bookkeeping of Alembic, Django, Rails, Prisma, Drizzle, Knex, TypeORM, Sequelize,
          Diesel, EF Core, FluentMigrator, goose, golang-migrate, sqlx, dbmate, Laravel and more, and the
          schema numbers of Home Assistant, Gitea, Authelia, Memos and Uptime Kuma. If the app keeps its
          migrations elsewhere, choose the folder with <em>Change…</em> beside Schema, or from the command
          line: <code>lifeboat status --app DIR</code> or <code>--migrations DIR --tool NAME</code>.
        </p>
      </div>
    );
  }
  const { graph, status } = report;
  const placed = layoutGraph(graph.revisions);
  const lanes = Math.max(1, ...placed.map((p) => p.lane + 1));
  const position = new Map(placed.map((p) => [p.revision.id, p]));
  const current = new Set(status.current);
  const pending = new Set(status.pending);
  const nodeClass = (id: string): string => {
    if (current.has(id)) {
      return 'node live';
    }
    return pending.has(id) ? 'node pending' : 'node';
  };
  const heads = new Set(graph.heads);
  const counts = new Map<string, number>();
  for (const snapshot of props.snapshots) {
    for (const id of snapshot.migration?.current ?? []) {
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  const x = (lane: number): number => 14 + lane * laneWidth;
  const y = (row: number): number => row * rowHeight + rowHeight / 2;
  const width = x(lanes - 1) + 14;
  return (
    <div className="schema">
      <div className={`schema-summary revision-${status.status}`} role="status" aria-label="Schema status">
        <strong>{revisionText(status)}</strong> — {status.summary}
        <span className="muted">
          {' '}
          ({toolNames[graph.tool]}, {graph.revisions.length}{' '}
          {graph.revisions.length === 1 ? 'revision' : 'revisions'}
          {status.reference === 'live' ? ', as the live database records them' : ''})
        </span>
      </div>
      {graph.problems.length > 0 && (
        <ul className="schema-problems">
          {graph.problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
      <div className="schema-graph" role="list" aria-label="Revisions, newest first">
        <svg width={width} height={placed.length * rowHeight} aria-hidden="true" className="schema-lines">
          {placed.flatMap((p) =>
            [...p.revision.parents, ...p.revision.dependsOn].map((parentId) => {
              const parent = position.get(parentId);
              if (parent === undefined) {
                return null;
              }
              const dashed = !p.revision.parents.includes(parentId);
              const midY = y(parent.row) - rowHeight / 2;
              return (
                <path
                  key={`${p.revision.id}-${parentId}`}
                  d={`M ${x(p.lane)} ${y(p.row)} L ${x(p.lane)} ${Math.max(y(p.row), midY)} L ${x(parent.lane)} ${y(parent.row)}`}
                  className={dashed ? 'edge depends' : 'edge'}
                  fill="none"
                />
              );
            }),
          )}
          {placed.map((p) => (
            <circle
              key={p.revision.id}
              cx={x(p.lane)}
              cy={y(p.row)}
              r={dot}
              className={nodeClass(p.revision.id)}
            />
          ))}
        </svg>
        {placed.map((p) => {
          const count = counts.get(p.revision.id) ?? 0;
          return (
            <div
              key={p.revision.id}
              role="listitem"
              className={pending.has(p.revision.id) ? 'schema-row pending' : 'schema-row'}
              style={{ top: p.row * rowHeight, left: width + 8, height: rowHeight }}
            >
              <code className="rev-id">{p.revision.id}</code>
              <span className="rev-message">
                {p.revision.message || <span className="muted">(no message)</span>}
              </span>
              {p.revision.branchLabels.map((label) => (
                <span key={label} className="tag">
                  {label}
                </span>
              ))}
              {heads.has(p.revision.id) && <span className="tag head">head</span>}
              {current.has(p.revision.id) && <span className="tag live">live database</span>}
              {pending.has(p.revision.id) && <span className="tag pending">pending</span>}
              {count > 0 && (
                <button
                  type="button"
                  className="chip"
                  onClick={() => showSnapshotsAt(p.revision.id)}
                  aria-label={`Show the ${count} snapshot${count === 1 ? '' : 's'} at revision ${p.revision.id}`}
                >
                  {count} snapshot{count === 1 ? '' : 's'}
                </button>
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}
