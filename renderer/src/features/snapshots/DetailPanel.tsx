import { splitHostAppId } from '#contract/hosts';
import type { ReactNode } from 'react';
import { pushOffsite } from '../offsite/offsite-actions';
import { formatBytes, formatLocalTime } from '#contract/format';
import { toolNames } from '#contract/migrations';
import type { SnapshotEntry } from '#contract/snapshots';
import {
  canRevealFiles,
  openDialog,
  pinSnapshot,
  revealSnapshot,
  selectSnapshot,
  verifySnapshots,
} from '../../store/actions';
import { openRestore } from '../restore/restore-actions';
import { startCompare } from '../compare/compare-actions';
import { openBrowse } from '../browse/browse-actions';
import { useStore } from '../../store/store';
import { revisionText, StatusBadge } from '../../ui/StatusBadge';

/** Where a snapshot's time was read from, in words. */
const timeSourceText: Record<SnapshotEntry['timeSource'], string> = {
  recorded: 'recorded',
  name: 'from its name',
  file: 'file time',
};

/** One snapshot: its metadata, checksum, what it holds, and what can be done with it. */
export function DetailPanel(): ReactNode {
  const details = useStore((s) => s.details);
  const entry = useStore((s) =>
    s.details === null
      ? undefined
      : s.lists[s.details.appId]?.snapshots.find((e) => e.file === s.details?.file),
  );
  const report = useStore((s) => (s.details === null ? undefined : s.schemas[s.details.appId]));
  const list = useStore((s) => (s.details === null ? undefined : s.lists[s.details.appId]));
  const verifying = useStore((s) =>
    Object.values(s.jobs).some(
      (j) => j.kind === 'verify' && j.status === 'running' && j.appId === s.details?.appId,
    ),
  );
  if (details === null) {
    return null;
  }
  const { appId, file, value, error } = details;
  const reading = value === null && error === null;
  // The listing is the fresher of the two (it is reloaded after a pin, a verification, a change on
  // disk) and the one that reads each snapshot's revision; what inspecting found stands in until then.
  const marks = list?.offsite[file] ?? [];
  // Deleted since it was opened (by retention, a script, by hand): the panel follows the folder, as the table does.
  const gone = list !== undefined && entry === undefined;
  const shown = gone ? undefined : (entry ?? value?.entry);
  const pinned = shown?.pinned === true;
  const readable =
    !gone && (shown === undefined || shown.status === 'verified' || shown.status === 'unverified');
  const others = (list?.snapshots ?? []).filter(
    (s) => s.file !== file && (s.status === 'verified' || s.status === 'unverified'),
  );
  const migration = shown?.migration ?? null;
  // Each migration's message ("order notes"), from the app's migrations the Schema view reads.
  const messages = new Map((report?.graph.revisions ?? []).map((r) => [r.id, r.message]));
  return (
    <aside className="details" aria-label={`Details of ${file}`}>
      <div className="details-head">
        <h2>{shown?.label ?? file}</h2>
        <button
          type="button"
          className="ghost"
          onClick={() => void selectSnapshot(appId, null)}
          aria-label="Close details"
        >
          ✕
        </button>
      </div>
      {gone && (
        <p className="notice-text" role="status">
          This snapshot is no longer in the backups folder: it was deleted (by retention, a script or by
          hand). Nothing can be done with it here.
        </p>
      )}
      {shown !== undefined && (
        <p>
          <StatusBadge status={shown.status} reason={shown.statusReason} />
          {shown.statusReason !== null && <span className="reason"> {shown.statusReason}</span>}
        </p>
      )}
      <div className="details-actions">
        <button
          type="button"
          className="primary"
          onClick={() => void openRestore(appId, file, 'restore')}
          disabled={!readable}
          title="Replace the live database with this snapshot, guarded: preflight, pre-restore snapshot, swap, upgrade, verify"
        >
          Restore…
        </button>
        <button
          type="button"
          onClick={() => void verifySnapshots(appId, [file])}
          disabled={verifying || gone}
        >
          {verifying ? 'Verifying…' : 'Verify'}
        </button>
        {canRevealFiles() && splitHostAppId(appId) === null && !gone && (
          <button type="button" onClick={() => void revealSnapshot(appId, file)}>
            Reveal in folder
          </button>
        )}
        <button
          type="button"
          aria-pressed={pinned}
          onClick={() => void pinSnapshot(appId, file, !pinned)}
          disabled={gone}
          title={
            pinned
              ? 'Unpin: deletion and retention may then remove it'
              : 'Pin: keep this snapshot until you unpin it; it cannot be deleted'
          }
        >
          {pinned ? 'Unpin' : 'Pin'}
        </button>
        <button
          type="button"
          onClick={() => openBrowse(appId, file)}
          disabled={!readable}
          title="Look at this snapshot's tables and rows, read only; export rows as CSV or SQL"
        >
          Browse…
        </button>
        <button
          type="button"
          onClick={() => openDialog({ kind: 'copy', appId, file })}
          disabled={!readable}
          title="Write this snapshot to a new file, to open with any SQLite tool; nothing live changes"
        >
          Restore as a copy…
        </button>
        <select
          aria-label="Compare with"
          value=""
          onChange={(event) => {
            if (event.target.value !== '') void startCompare(appId, file, event.target.value);
          }}
          disabled={!readable}
        >
          <option value="">Compare with…</option>
          <option value="live">the live database</option>
          {others.map((s) => (
            <option key={s.file} value={s.file}>
              {s.label}, {formatLocalTime(s.time)}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="danger"
          onClick={() => openDialog({ kind: 'confirm-delete', appId, file })}
          disabled={pinned || gone}
          title={pinned ? 'Pinned snapshots cannot be deleted: unpin it first' : 'Delete this snapshot file'}
        >
          Delete…
        </button>
      </div>
      {error !== null && (
        <p className="error-text" role="alert">
          {error.message}
        </p>
      )}
      {shown !== undefined && (
        <dl className="meta">
          <dt>File</dt>
          <dd className="path">{shown.file}</dd>
          <dt>Taken</dt>
          <dd>
            {formatLocalTime(shown.time)} <span className="muted">({timeSourceText[shown.timeSource]})</span>
          </dd>
          <dt>Size</dt>
          <dd>{formatBytes(shown.size)}</dd>
          {marks.length > 0 && (
            <>
              <dt>Offsite</dt>
              <dd data-testid="detail-offsite">
                <ul className="marks">
                  {marks.map((m) => (
                    <li key={m.target} className={m.state}>
                      {m.target}: {m.state === 'not-sent' ? 'not sent' : m.state}
                      {m.reason === null ? '' : ` (${m.reason})`}
                    </li>
                  ))}
                </ul>
                {marks.some((m) => m.state === 'pending' || m.state === 'failed') && (
                  <button type="button" className="link" onClick={() => void pushOffsite(appId, [file])}>
                    Send it offsite now
                  </button>
                )}
              </dd>
            </>
          )}
          {shown.note !== null && (
            <>
              <dt>Note</dt>
              <dd>{shown.note}</dd>
            </>
          )}
          {pinned && shown !== undefined && (
            <>
              <dt>Pinned</dt>
              <dd>
                Kept until you unpin it: it cannot be deleted
                {['pre-restore', 'pre-undo', 'pre-redo', 'pre-upgrade'].includes(shown.label)
                  ? ' (Lifeboat pins the snapshot it keeps before every restore, undo, redo and upgrade)'
                  : ''}
                .
              </dd>
            </>
          )}
          {migration !== null && (
            <>
              <dt>Schema</dt>
              <dd data-testid="detail-schema">
                <strong className={`revision-${migration.status}`}>{revisionText(migration)}</strong>
                <br />
                <span className="muted">
                  {' '}
                  {toolNames[migration.tool]}, against{' '}
                  {migration.reference === 'code' ? 'the migration files' : 'the live database'}.
                </span>
                <br />
                {migration.summary}
                {migration.reference === 'code' && migration.pending.length > 0 && (
                  <>
                    <br />
                    <span className="muted">
                      A restore upgrades it with:{' '}
                      {migration.pending
                        .map((id) => (messages.get(id) ? `${id} ${messages.get(id) ?? ''}` : id))
                        .join(' → ')}
                    </span>
                  </>
                )}
              </dd>
            </>
          )}
          <dt>Made by</dt>
          <dd>{shown.madeBy === 'lifeboat' ? 'Lifeboat' : 'another tool'}</dd>
          <dt>SHA-256</dt>
          <dd className="checksum">
            {shown.sha256 ?? <span className="muted">not recorded yet — verify to record it</span>}
          </dd>
          {value !== null && value.source !== null && (
            <>
              <dt>Source</dt>
              <dd className="path">
                {value.source.path} <span className="muted">({value.source.journalMode})</span>
              </dd>
            </>
          )}
          {value !== null && value.pageCount !== null && value.pageSize !== null && (
            <>
              <dt>Pages</dt>
              <dd>
                {value.pageCount.toLocaleString()} × {value.pageSize} bytes
              </dd>
            </>
          )}
          {value !== null && value.lastVerified !== null && (
            <>
              <dt>Last verified</dt>
              <dd>
                {formatLocalTime(value.lastVerified.at)} —{' '}
                {value.lastVerified.ok ? 'ok' : (value.lastVerified.problem ?? 'failed')}
              </dd>
            </>
          )}
        </dl>
      )}
      <h3>Tables</h3>
      {reading && <p className="muted">Reading…</p>}
      {!reading && (value === null || value.tables === null) && (
        <p className="muted">{value?.problem ?? 'This file cannot be read as a database.'}</p>
      )}
      {value?.tables?.length === 0 && <p className="muted">No tables.</p>}
      {value !== null && value.tables !== null && value.tables.length > 0 && (
        <table className="tables">
          <thead>
            <tr>
              <th scope="col">Table</th>
              <th scope="col">Rows</th>
            </tr>
          </thead>
          <tbody>
            {value.tables.map((t) => (
              <tr key={t.name}>
                <td>{t.name}</td>
                <td>{t.rows.toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </aside>
  );
}
