import type { ReactNode } from 'react';
import type { SnapshotMigration, SnapshotStatus } from '../../../electron/contract/snapshots';

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
    <span className={`badge status-${props.status}`} title={props.reason ?? 'Integrity checked and checksum recorded; unchanged since.'}>
      {labels[props.status]}
    </span>
  );
}

/** The schema revision a snapshot holds, relative to the code ("at head", "3 behind"); its sentence on hover. */
export function RevisionBadge(props: { migration: SnapshotMigration | null }): ReactNode {
  const { migration } = props;
  if (migration === null) {
    return <span className="muted">–</span>;
  }
  const revision = migration.current.length === 0 ? 'no revision' : `revision ${migration.current.join(' + ')}`;
  return (
    <span className={`badge revision revision-${migration.status}`} title={`${revision}: ${migration.summary}`}>
      {migration.badge}
    </span>
  );
}
