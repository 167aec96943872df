import { toolNames, type MigrationStatus, type MigrationStatusKind } from '../../contract/migrations';
import { flaggedByTool, plural } from './migration-status';
import type { RecognisedApp } from './known-apps';
import type { Recorded } from './recorded-migrations';
import { buildGraph, type CodeGraph } from './revision-graph';
import { compareOrder } from '../compare-order';

/**
 * When the app's migrations are not at hand (the app runs from a container image, or is compiled),
 * the live database is the reference: an app that migrates on start keeps it at its head. Each
 * snapshot is then "same as live", "N behind live" (naming them), "ahead of live" or "unknown to
 * live". Pure: the readers read, this compares.
 */

/** What the live database records, as a line of revisions (oldest first) for the Schema view. */
export function recordedGraph(live: Recorded): CodeGraph {
  const revisions = live.applied.map((m, i) => ({
    id: m.id,
    parents: i === 0 ? [] : [live.applied[i - 1]?.id ?? ''],
    dependsOn: [],
    branchLabels: [],
    message: m.name ?? (m.appliedAt === null ? '' : `applied ${m.appliedAt}`),
    createdAt: m.appliedAt,
    file: '',
    tablesCreated: [],
    tablesDropped: [],
  }));
  return buildGraph(live.tool, [], revisions, []);
}

function newest(recorded: Recorded): string | null {
  return recorded.applied.length === 0
    ? null
    : recorded.applied
        .map((m) => m.id)
        .slice(recorded.positionOnly ? 0 : -1)
        .join(' + ');
}

function status(
  recorded: Recorded | null,
  kind: MigrationStatusKind,
  badge: string,
  summary: string,
  extra: Partial<MigrationStatus> = {},
): MigrationStatus {
  return {
    status: kind,
    tool: recorded?.tool ?? 'user-version',
    reference: 'live',
    revision: recorded === null ? null : newest(recorded),
    current: recorded?.applied.map((m) => m.id) ?? [],
    pending: [],
    unknown: [],
    heads: [],
    hasAllHeads: null,
    missingTables: [],
    problemRevisions: [],
    badge,
    summary,
    ...extra,
  };
}

/** What the tool flagged in a record (failed, dirty, locked), or null when nothing. */
function flagged(recorded: Recorded): MigrationStatus | null {
  const flag = flaggedByTool(recorded);
  return flag === null
    ? null
    : status(recorded, flag.status, flag.status, flag.summary, { problemRevisions: flag.problemRevisions });
}

/** The live database described by its own record, for `lifeboat status` and the Schema view. */
export function liveRecordStatus(live: Recorded): MigrationStatus {
  const name = toolNames[live.tool];
  const latest = live.applied[live.applied.length - 1];
  const what = live.positionOnly
    ? `schema ${newest(live) ?? 'unknown'}`
    : `${plural(live.applied.length, 'migration')}, the newest ${latest?.id ?? 'none'}`;
  const when =
    latest?.appliedAt === null || latest?.appliedAt === undefined ? '' : ` (applied ${latest.appliedAt})`;
  return (
    flagged(live) ??
    status(
      live,
      'recorded',
      'recorded',
      `${name} records ${what}${when}. The app's migration files are not at hand, so snapshots are compared with this live database; point Lifeboat at the migrations (--app DIR or --migrations DIR) to compare with the code.`,
    )
  );
}

/** A known app's tables without its bookkeeping: unstamped, with nothing to compare with. */
export function unrecordedAppStatus(app: RecognisedApp): MigrationStatus {
  return status(
    null,
    'unstamped',
    'unstamped',
    `The tables are ${app.name}'s (${app.tables.join(', ')}), but the database holds no ${toolNames[app.tool]} record of its schema: unstamped. ${app.name} may take it for a new install; point Lifeboat at the migrations (--app DIR or --migrations DIR) to see what an upgrade would run.`,
    { tool: app.tool },
  );
}

const listed = (ids: readonly string[]): string =>
  ids.length <= 5 ? ids.join(', ') : `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more`;

function comparePositions(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    return compareOrder(BigInt(a), BigInt(b));
  }
  return a === b ? 0 : a.localeCompare(b, 'en', { numeric: true });
}

/** A snapshot's record against the live database's; null when neither records anything. */
export function statusAgainstLive(snapshot: Recorded | null, live: Recorded | null): MigrationStatus | null {
  if (snapshot === null) {
    return live === null
      ? null
      : status(
          null,
          'unstamped',
          'no record',
          `The snapshot has no record of its migrations, while the live database records ${toolNames[live.tool]} migrations.`,
          { tool: live.tool },
        );
  }
  const problem = flagged(snapshot);
  if (problem !== null) {
    return problem;
  }
  const name = toolNames[snapshot.tool];
  if (live === null) {
    return status(
      snapshot,
      'recorded',
      'recorded',
      `${name} records ${newest(snapshot) ?? 'nothing'}; the live database has no record to compare it with.`,
    );
  }
  if (live.tool !== snapshot.tool) {
    return status(
      snapshot,
      'unknown-revision',
      'unknown to live',
      `The snapshot records ${name} migrations; the live database records ${toolNames[live.tool]} migrations.`,
    );
  }
  if (snapshot.positionOnly || live.positionOnly) {
    const [mine, theirs] = [newest(snapshot) ?? '', newest(live) ?? ''];
    const order = comparePositions(mine, theirs);
    if (order === 0) {
      return status(
        snapshot,
        'at-head',
        'same as live',
        `The snapshot is at ${mine}, as the live database is.`,
      );
    }
    return order < 0
      ? status(
          snapshot,
          'behind',
          'behind live',
          `The snapshot is at ${mine}; the live database is at ${theirs}: the app would upgrade it when it starts.`,
          { pending: [theirs] },
        )
      : status(
          snapshot,
          'ahead',
          'ahead of live',
          `The snapshot is at ${mine}, newer than the live database's ${theirs}: a newer version of the app made it.`,
          { unknown: [mine] },
        );
  }
  const mine = new Set(snapshot.applied.map((m) => m.id));
  const theirs = new Set(live.applied.map((m) => m.id));
  const pending = live.applied.map((m) => m.id).filter((id) => !mine.has(id));
  const unknown = snapshot.applied.map((m) => m.id).filter((id) => !theirs.has(id));
  const facts = { pending, unknown };
  if (pending.length === 0 && unknown.length === 0) {
    return status(
      snapshot,
      'at-head',
      'same as live',
      `The snapshot has the same ${plural(mine.size, 'migration')} applied as the live database.`,
      facts,
    );
  }
  if (unknown.length === 0) {
    return status(
      snapshot,
      'behind',
      `${pending.length} behind live`,
      `The live database has ${plural(pending.length, 'migration')} the snapshot lacks: ${listed(pending)}.`,
      facts,
    );
  }
  if (pending.length === 0) {
    return status(
      snapshot,
      'ahead',
      'ahead of live',
      `The snapshot has ${plural(unknown.length, 'migration')} the live database lacks (${listed(unknown)}): a newer version of the app made it.`,
      facts,
    );
  }
  return status(
    snapshot,
    'unknown-revision',
    'unknown to live',
    `The snapshot has ${plural(unknown.length, 'migration')} the live database does not know (${listed(unknown)}) and lacks ${plural(pending.length, 'migration')} it has: it comes from another line of the app.`,
    facts,
  );
}
