import type { ReactNode } from 'react';
import { toolNames, type MigrationStatus } from '#contract/migrations';
import type { SnapshotMigration, SnapshotStatus } from '#contract/snapshots';

const labels: Record<SnapshotStatus, string> = {
  verified: 'Verified',
  unverified: 'Unverified',
  corrupt: 'Corrupt',
  'not-a-database': 'Not a database',
  incomplete: 'Incomplete',
};

/** A snapshot's status as a word and a colour; the reason is its tooltip. */
export function StatusBadge(props: { status: SnapshotStatus; reason: string | null }): ReactNode {
  return (
    <span
      className={`badge status-${props.status}`}
      title={props.reason ?? 'Integrity checked and checksum recorded; unchanged since.'}
    >
      {labels[props.status]}
    </span>
  );
}

type Revisioned = Pick<MigrationStatus, 'tool' | 'revision' | 'badge' | 'reference' | 'status' | 'summary'>;

/**
 * A revision short enough for a table cell: a timestamped id by its day (`20240313101500` →
 * `20240313`, `2024-01-22-0000-add-status.js` → `20240122`, a millisecond timestamp the same), a
 * Django migration by its app and number. The full id is in the tooltip and the details.
 */
export function shortRevision(id: string): string {
  const stamp = /^(\d{4})[-_]?(\d{2})[-_]?(\d{2})(?:[-_]?\d{2,6})?(?:[-_.]|$)/.exec(id);
  if (stamp !== null) {
    return `${stamp[1] ?? ''}${stamp[2] ?? ''}${stamp[3] ?? ''}`;
  }
  if (/^1\d{12}$/.test(id)) {
    return new Date(Number(id)).toISOString().slice(0, 10).replaceAll('-', '');
  }
  return /^(\w+\.\d{4})_/.exec(id)?.[1] ?? id;
}

/** "4 · 1 behind", "20240313 · same as live": the revision, then where it stands against the reference. */
export function revisionText(m: Pick<Revisioned, 'revision' | 'badge' | 'status'>, short = false): string {
  const badge = m.status === 'recorded' ? '' : m.badge;
  let revision = m.revision ?? 'no revision';
  if (m.revision !== null && short) {
    revision = m.revision.split(' + ').map(shortRevision).join(' + ');
  }
  return [revision, badge].filter((part) => part !== '').join(' · ');
}

/** What a status is measured against, for its tooltip. */
export function referenceText(m: Pick<Revisioned, 'tool' | 'reference'>): string {
  return m.reference === 'code'
    ? `${toolNames[m.tool]}, against the app's migration files`
    : `${toolNames[m.tool]}, against the live database (no migration files at hand)`;
}

/** The schema revision a snapshot holds and where it stands ("4 · 1 behind"); the sentence and the reference on hover. */
export function RevisionBadge(props: { migration: SnapshotMigration | null; short?: boolean }): ReactNode {
  const { migration } = props;
  if (migration === null) {
    return <span className="muted">–</span>;
  }
  return (
    <span
      className={`badge revision revision-${migration.status}`}
      title={`${migration.revision ?? 'No revision'} (${referenceText(migration)}): ${migration.summary}`}
    >
      {revisionText(migration, props.short === true)}
    </span>
  );
}
