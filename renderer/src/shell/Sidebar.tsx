import type { ReactNode } from 'react';
import type { AppSummary } from '#contract/apps';
import type { HostStatus } from '#contract/hosts';
import { openDialog, selectApp } from '../store/actions';
import { reconnectHost, showFleet } from '../features/hosts/host-actions';
import { useStore } from '../store/store';
import { hostStateText } from '../features/hosts/host-text';
import { useNow } from '../ui/use-now';
import { ageText, healthSentence } from '../ui/app-health';

const noApps: readonly AppSummary[] = [];
const noHosts: readonly HostStatus[] = [];

/**
 * The apps of one machine: name, a status dot, the age of the newest snapshot. A host out of reach
 * keeps its apps here, greyed, as it last listed them, with when it was last seen.
 */
function AppList(props: { apps: readonly AppSummary[]; label: string; host: HostStatus | null }): ReactNode {
  const selectedAppId = useStore((s) => (s.page === 'app' ? s.selectedAppId : null));
  const now = useNow();
  const away =
    props.host !== null && props.host.state !== 'online' ? hostStateText(props.host, now).seen : null;
  return (
    <ul aria-label={props.label}>
      {props.apps.map((app) => (
        <li key={app.id}>
          <button
            type="button"
            className={`app-item${app.id === selectedAppId ? ' selected' : ''}${away === null ? '' : ' out-of-reach'}`}
            title={
              away === null ? undefined : `${props.host?.id ?? ''} is out of reach: as it was when ${away}`
            }
            aria-current={app.id === selectedAppId ? 'page' : undefined}
            onClick={() => void selectApp(app.id)}
          >
            <span
              className={`dot health-${app.health}`}
              title={healthSentence(app, now)}
              aria-label={healthSentence(app, now)}
              role="img"
            />
            <span className="app-name">{app.name}</span>
            {app.interruptedRestore !== null ? (
              <span className="app-age warn">restore interrupted</span>
            ) : (
              <span className="app-age">
                {app.newestSnapshot === null ? 'no snapshot' : ageText(app.newestSnapshot.time, now)}
                {away !== null && ` · ${away}`}
              </span>
            )}
          </button>
        </li>
      ))}
    </ul>
  );
}

/** A host's heading: its name, whether it answers (and if not, why and when it last did), and "Try again". */
function HostHeading(props: { host: HostStatus; editHosts: boolean }): ReactNode {
  const { host } = props;
  const now = useNow();
  const text = hostStateText(host, now);
  return (
    <div className={`host-heading host-${host.state}`} title={host.error?.message ?? host.address}>
      <span className={`dot host-dot-${host.state}`} role="img" aria-label={text.short} />
      <span className="host-name">{host.id}</span>
      <span className="host-state" data-testid={`host-state-${host.id}`}>
        {text.short}
        {host.state === 'unreachable' && ` · ${text.seen}`}
      </span>
      <span className="host-actions">
        {host.state !== 'online' && (
          <button type="button" className="link" onClick={() => void reconnectHost(host.id)}>
            Try again
          </button>
        )}
        {props.editHosts && (
          <button
            type="button"
            className="link"
            aria-label={`Remove the host ${host.id}`}
            onClick={() => openDialog({ kind: 'confirm-remove-host', hostId: host.id })}
          >
            Remove
          </button>
        )}
      </span>
    </div>
  );
}

/** The fleet, then the apps: this computer's, then each host's under its heading. */
export function Sidebar(): ReactNode {
  const apps = useStore((s) => s.overview?.apps ?? noApps);
  const hosts = useStore((s) => s.overview?.hosts ?? noHosts);
  const editHosts = useStore((s) => s.overview?.host.editHosts ?? false);
  const onFleet = useStore((s) => s.page === 'fleet');
  const local = apps.filter((app) => app.host === null);
  return (
    <nav className="sidebar" aria-label="Apps">
      <div className="sidebar-title">
        <img src="./icon.svg" alt="" width={22} height={22} />
        <span>Lifeboat</span>
      </div>
      <button
        type="button"
        className={onFleet ? 'fleet-item selected' : 'fleet-item'}
        aria-current={onFleet ? 'page' : undefined}
        onClick={() => void showFleet()}
      >
        Fleet <span className="fleet-hint">every app at a glance</span>
      </button>
      <div className="app-lists">
        {hosts.length > 0 && <div className="group-heading">This computer</div>}
        {local.length === 0 && hosts.length > 0 ? (
          <p className="muted group-empty">No apps here.</p>
        ) : (
          <AppList apps={local} label="Apps on this computer" host={null} />
        )}
        {hosts.map((host) => (
          <section key={host.id} aria-label={`Host ${host.id}`}>
            <HostHeading host={host} editHosts={editHosts} />
            <AppList
              apps={apps.filter((app) => app.host === host.id)}
              label={`Apps on ${host.id}`}
              host={host}
            />
          </section>
        ))}
      </div>
      <button
        type="button"
        className="ghost add-app"
        onClick={() => openDialog({ kind: 'add-app', initialPath: '' })}
      >
        + Add an app
      </button>
      {editHosts && (
        <button type="button" className="ghost add-app" onClick={() => openDialog({ kind: 'add-host' })}>
          + Add a host…
        </button>
      )}
    </nav>
  );
}
