import type { ReactNode } from 'react';
import type { SnapshotStatus } from '../../../electron/contract/snapshots';

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
