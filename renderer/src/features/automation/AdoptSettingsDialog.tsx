import { useEffect, useState, type ReactNode } from 'react';
import type { SettingsReview } from '#contract/apps';
import type { LifeboatError } from '#contract/errors';
import { closeDialog, lifeboat, loadApps } from '../../store/actions';
import { useStore } from '../../store/store';
import { ErrorText } from '../../ui/ErrorText';
import { Modal } from '../../ui/Modal';

/**
 * A lifeboat.json that Lifeboat ignores (someone else can change it), shown in full so the person can
 * read it before its settings are copied into Lifeboat's own; what is adopted is the text shown here.
 */
export function AdoptSettingsDialog(props: { appId: string }): ReactNode {
  const app = useStore((s) => s.overview?.apps.find((a) => a.id === props.appId));
  const [review, setReview] = useState<SettingsReview | null>(null);
  const [error, setError] = useState<LifeboatError | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    void lifeboat()
      .call('apps:reviewSettings', { appId: props.appId })
      .then((result) => (result.ok ? setReview(result.value) : setError(result.error)));
  }, [props.appId]);
  if (app === undefined) {
    return null;
  }
  const adopt = async (sha256: string): Promise<void> => {
    setBusy(true);
    const result = await lifeboat().call('apps:adoptSettings', { appId: props.appId, sha256 });
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    closeDialog();
    await loadApps();
  };
  return (
    <Modal title={`Review ${app.name}’s lifeboat.json`} onClose={closeDialog} wide>
      {review === null && error === null && (
        <p className="muted">
          <progress aria-label="Reading the file" /> Reading the file…
        </p>
      )}
      {review !== null && (
        <>
          <p className="help">
            <code>{review.path}</code>
            {review.ignoredBecause === null
              ? ' is used as it is: nobody but Lifeboat’s user or root can change it.'
              : ` is ignored: ${review.ignoredBecause}. Read it: adopting copies its settings into Lifeboat’s own, where that user cannot change them, and they take effect.`}
          </p>
          <pre className="commands settings-text" data-testid="settings-text">
            {review.text}
          </pre>
          <h3>Adopting takes</h3>
          {review.adopts.length === 0 ? (
            <p className="muted">Nothing: the file sets nothing Lifeboat acts on.</p>
          ) : (
            <ul data-testid="adopts">
              {review.adopts.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          )}
          {review.leftOut.length > 0 && (
            <>
              <h3>Left as it is</h3>
              <ul>
                {review.leftOut.map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            </>
          )}
          {review.refused !== null && <p className="notice-text">{review.refused}</p>}
        </>
      )}
      <ErrorText error={error} />
      <div className="dialog-actions">
        <button type="button" onClick={closeDialog}>
          Cancel
        </button>
        <button
          type="button"
          className="primary"
          disabled={busy || review === null || review.refused !== null || review.ignoredBecause === null}
          onClick={() => review !== null && void adopt(review.sha256)}
        >
          Adopt these settings
        </button>
      </div>
    </Modal>
  );
}
