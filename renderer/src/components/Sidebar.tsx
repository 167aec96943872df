import type { ReactNode } from 'react';
import { formatAge } from '../../../electron/contract/format';
import { openDialog, selectApp } from '../store/actions';
import { useStore } from '../store/store';
import { ageSeconds, useNow } from './use-now';

/** The apps: name, a status dot, the age of the newest snapshot. */
export function Sidebar(): ReactNode {
  const apps = useStore((s) => s.overview?.apps ?? []);
  const selectedAppId = useStore((s) => s.selectedAppId);
  const now = useNow();
  return (
    <nav className="sidebar" aria-label="Apps">
      <div className="sidebar-title">
        <img src="./icon.svg" alt="" width={22} height={22} />
        <span>Lifeboat</span>
      </div>
      <ul>
        {apps.map((app) => (
          <li key={app.id}>
            <button
              type="button"
              className={app.id === selectedAppId ? 'app-item selected' : 'app-item'}
              aria-current={app.id === selectedAppId ? 'page' : undefined}
              onClick={() => void selectApp(app.id)}
            >
              <span
                className={`dot health-${app.health}`}
                title={app.healthText}
                aria-label={app.healthText}
                role="img"
              />
              <span className="app-name">{app.name}</span>
              {app.interruptedRestore !== null ? (
                <span className="app-age warn">restore interrupted</span>
              ) : (
                <span className="app-age">
                  {app.newestSnapshot === null
                    ? 'no snapshot'
                    : formatAge(ageSeconds(app.newestSnapshot.time, now))}
                </span>
              )}
            </button>
          </li>
        ))}
      </ul>
      <button
        type="button"
        className="ghost add-app"
        onClick={() => openDialog({ kind: 'add-app', initialPath: '' })}
      >
        + Add an app
      </button>
    </nav>
  );
}
