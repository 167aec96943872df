import type { ReactNode } from 'react';
import type { ActivityEntry } from '#contract/activity';
import { formatLocalTime, formatWhen } from '#contract/format';
import { useNow } from '../../ui/use-now';

const actionNames: Record<ActivityEntry['action'], string> = {
  snapshot: 'Snapshot',
  verify: 'Verify',
  restore: 'Restore',
  undo: 'Undo restore',
  redo: 'Redo restore',
  rollback: 'Rollback',
  rehearse: 'Rehearsal',
  upgrade: 'Upgrade',
  migrate: 'Migrate',
  delete: 'Delete',
  pin: 'Pin',
  unpin: 'Unpin',
  prune: 'Prune',
  push: 'Offsite copy',
  pull: 'Brought back',
  drill: 'Drill',
};

const originNames: Record<ActivityEntry['origin'], string> = {
  desktop: 'desktop app',
  cli: 'command line',
  web: 'web',
  schedule: 'schedule',
};

/** Every snapshot, verification, restore, rollback and upgrade of the app, newest first. */
export function ActivityView(props: { entries: readonly ActivityEntry[] | undefined }): ReactNode {
  const now = useNow();
  if (props.entries === undefined) {
    return <p className="muted pad">Reading the activity log…</p>;
  }
  if (props.entries.length === 0) {
    return (
      <div className="table-empty">
        <p>Nothing has happened here yet.</p>
        <p className="muted">
          Snapshots, verifications, restores, rollbacks and upgrades appear here — from this window, the
          command line or the web host.
        </p>
      </div>
    );
  }
  return (
    <div className="activity">
      <table className="activity-table" aria-label="Activity, newest first">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">What</th>
            <th scope="col">Snapshot</th>
            <th scope="col">Result</th>
            <th scope="col">Detail</th>
            <th scope="col">By</th>
          </tr>
        </thead>
        <tbody>
          {props.entries.map((entry, index) => (
            <tr key={`${entry.at}-${index}`}>
              <td title={formatLocalTime(entry.at)}>{formatWhen(entry.at, now)}</td>
              <td>{actionNames[entry.action]}</td>
              <td className="path">{entry.target ?? '–'}</td>
              <td>
                <span className={`badge outcome-${entry.outcome}`}>{entry.outcome}</span>
              </td>
              <td className="detail">{entry.detail}</td>
              <td className="muted">{originNames[entry.origin]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
