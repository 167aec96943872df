import type { ReactNode } from 'react';
import { openDemo, openDialog } from '../store/actions';

/** First run: what Lifeboat does, and the ways in. */
export function EmptyState(): ReactNode {
  return (
    <main className="empty-state">
      <img src="./icon.svg" alt="" width={72} height={72} />
      <h1>Lifeboat keeps your app's SQLite database safe</h1>
      <p className="lead">
        Take consistent snapshots while your app keeps running, see every snapshot with its status, and know
        that each one is intact before you ever need it.
      </p>
      <div className="actions">
        <button
          type="button"
          className="primary"
          onClick={() => openDialog({ kind: 'add-app', initialPath: '' })}
        >
          Add an app…
        </button>
        <button type="button" onClick={() => void openDemo()}>
          Open the demo
        </button>
      </div>
      <ul className="ways-in">
        <li>
          <strong>Choose the database file</strong> of a FastAPI, Django, Flask or Node app — or paste its
          path or an <code>sqlite:///</code> URL.
        </li>
        <li>
          <strong>Drop a .db file</strong> anywhere on this window (desktop app).
        </li>
        <li>
          <strong>Open the demo</strong>: a small shop with a dozen snapshots from the last six weeks, to
          click through everything first.
        </li>
      </ul>
    </main>
  );
}
