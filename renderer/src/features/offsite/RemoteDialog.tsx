import { useEffect, useState, type ReactNode } from 'react';
import type { LifeboatError } from '#contract/errors';
import { formatBytes, formatLocalTime } from '#contract/format';
import type { RemoteList, RemoteSnapshot } from '#contract/offsite';
import { closeDialog } from '../../store/actions';
import { listRemote, pullToRestore } from './offsite-actions';
import { useStore } from '../../store/store';
import { ErrorText } from '../../ui/ErrorText';
import { Modal } from '../../ui/Modal';
import { JobProgressLine } from '../../ui/JobProgressLine';

/** How a copy is stored ("gzip, age", "plain"), or what is wrong with it. */
function storedText(snapshot: RemoteSnapshot): string {
  if (snapshot.state === 'missing') {
    return 'object missing';
  }
  if (snapshot.state === 'wrong-size') {
    return 'wrong size';
  }
  const { stored, pinned } = snapshot.manifest;
  const marks = [stored.gzip && 'gzip', stored.encrypted && 'age', pinned && 'pinned'];
  return marks.filter((mark) => mark !== false).join(', ') || 'plain';
}

function revisionOf(snapshot: RemoteSnapshot): string {
  const migration = snapshot.manifest.migration;
  return migration === null ? '–' : `${migration.tool} ${migration.revision ?? '–'}`;
}

/**
 * Restore from offsite: what one of the app's targets holds (for this app on this machine, or for
 * every host and app), one chosen, brought back (checked against its manifest, verified), then the
 * same guarded restore as any snapshot.
 */
export function RemoteDialog(props: { appId: string }): ReactNode {
  const app = useStore((s) => s.overview?.apps.find((a) => a.id === props.appId));
  const targets = app?.automation.offsite ?? [];
  const [target, setTarget] = useState(targets[0]?.name ?? '');
  const [allHosts, setAllHosts] = useState(false);
  const [listing, setListing] = useState<{
    key: string;
    list: RemoteList | null;
    error: LifeboatError | null;
  } | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);
  const [identity, setIdentity] = useState('');
  const [keyToHost, setKeyToHost] = useState(false);
  const [error, setError] = useState<LifeboatError | null>(null);
  const [pullJob, setPullJob] = useState(false);
  const pulling = useStore((s) =>
    Object.values(s.jobs).find((j) => j.kind === 'pull' && j.appId === props.appId && j.status === 'running'),
  );
  const key = `${target}|${String(allHosts)}`;
  useEffect(() => {
    if (target === '') {
      return;
    }
    let current = true;
    void listRemote(props.appId, target, allHosts).then((result) => {
      if (current) {
        setListing({ key, list: result.ok ? result.value : null, error: result.ok ? null : result.error });
      }
    });
    return () => {
      current = false;
    };
  }, [props.appId, target, allHosts, key]);
  if (app === undefined) {
    return null;
  }
  const shown = listing?.key === key ? listing : null;
  const snapshots = shown?.list?.snapshots ?? [];
  const selected = snapshots.find((s) => s.id === chosen) ?? null;
  const identities = identity
    .split(/\s+/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  // On another host the copy is decrypted there: the key goes to that host only when the person says so.
  const keyNeedsConfirming = app.host !== null && identities.length > 0;
  const start = async (): Promise<void> => {
    if (selected === null) {
      return;
    }
    setPullJob(true);
    const failure = await pullToRestore(
      app.id,
      target,
      selected.id,
      identities,
      app.host !== null && keyToHost ? app.host : undefined,
    );
    setError(failure);
    if (failure !== null) {
      setPullJob(false);
    }
  };
  return (
    <Modal title={`Restore ${app.name} from offsite`} onClose={closeDialog} wide>
      {targets.length === 0 ? (
        <p className="muted">This app has no offsite target yet. Add one in its Offsite settings first.</p>
      ) : (
        <>
          <div className="field-row">
            <label htmlFor="remote-target">Target</label>
            <select id="remote-target" value={target} onChange={(event) => setTarget(event.target.value)}>
              {targets.map((t) => (
                <option key={t.name} value={t.name}>
                  {t.name} ({t.display})
                </option>
              ))}
            </select>
            <label className="checkbox">
              <input
                type="checkbox"
                checked={allHosts}
                onChange={(event) => setAllHosts(event.target.checked)}
              />{' '}
              Every host and app on it
            </label>
          </div>
          {shown === null && (
            <p className="muted">
              <progress aria-label={`Listing ${target}`} /> Listing {target}…
            </p>
          )}
          {shown !== null && shown.error !== null && <ErrorText error={shown.error} />}
          {shown !== null && shown.error === null && snapshots.length === 0 && (
            <p className="muted" data-testid="remote-empty">
              {target} holds no snapshot {allHosts ? 'at all' : `of ${app.name} from this machine`} yet. Send
              some with <em>Send offsite now</em>
              {allHosts ? '' : ', or look at every host and app'}.
            </p>
          )}
          {shown !== null && shown.error === null && snapshots.length > 0 && (
            <div className="remote-list" role="radiogroup" aria-label={`Snapshots on ${target}`}>
              <div className="remote-row header" aria-hidden="true">
                <span>Snapshot</span>
                <span>Taken</span>
                <span>Size</span>
                <span>Schema</span>
                <span>Stored</span>
              </div>
              {snapshots.map((s) => {
                const usable = s.state === 'complete';
                const m = s.manifest;
                return (
                  <label key={s.id} className={`remote-row${usable ? '' : ' unusable'}`}>
                    <span>
                      <input
                        type="radio"
                        name="remote-snapshot"
                        value={s.id}
                        checked={chosen === s.id}
                        disabled={!usable}
                        onChange={() => setChosen(s.id)}
                      />{' '}
                      <span title={s.id}>
                        {allHosts ? `${m.host}/${m.app} · ` : ''}
                        {m.label}
                      </span>
                    </span>
                    <span>{formatLocalTime(m.time)}</span>
                    <span>{formatBytes(m.plain.size)}</span>
                    <span>{revisionOf(s)}</span>
                    <span>{storedText(s)}</span>
                  </label>
                );
              })}
            </div>
          )}
          {shown?.list !== null && shown?.list !== undefined && shown.list.problems.length > 0 && (
            <p className="notice-text">
              {shown.list.problems.length} manifest(s) could not be read and are not shown:{' '}
              {shown.list.problems.map((p) => `${p.key} (${p.reason})`).join('; ')}
            </p>
          )}
          {selected?.manifest.stored.encrypted === true && (
            <>
              <label htmlFor="remote-identity">age identity to decrypt it (used once, not kept)</label>
              <textarea
                id="remote-identity"
                className="mono"
                rows={2}
                value={identity}
                onChange={(event) => setIdentity(event.target.value)}
                placeholder="AGE-SECRET-KEY-1…"
                autoComplete="off"
              />
              {keyNeedsConfirming && (
                <label className="checkbox" data-testid="identity-to-host">
                  <input
                    type="checkbox"
                    checked={keyToHost}
                    onChange={(event) => setKeyToHost(event.target.checked)}
                  />{' '}
                  Send this key to the host <strong>{app.host}</strong>: its Lifeboat brings the copy back and
                  decrypts it there, for this restore only, and does not keep the key.
                </label>
              )}
            </>
          )}
          {pulling !== undefined && <JobProgressLine job={pulling} label="Bringing the snapshot back" />}
        </>
      )}
      <ErrorText error={error} />
      <div className="dialog-actions">
        <button type="button" onClick={closeDialog}>
          Cancel
        </button>
        {targets.length > 0 && (
          <button
            type="button"
            className="primary"
            disabled={
              selected === null || pulling !== undefined || pullJob || (keyNeedsConfirming && !keyToHost)
            }
            onClick={() => void start()}
            title="Download it, check it against its manifest and verify it, then preview the restore"
          >
            Bring back and restore…
          </button>
        )}
      </div>
    </Modal>
  );
}
