import type { ReactNode } from 'react';
import type { AppSummary } from '#contract/apps';
import type { HostStatus } from '#contract/hosts';
import { formatWhen } from '#contract/format';
import { selectApp } from '../../store/actions';
import { reconnectHost } from './host-actions';
import { useStore } from '../../store/store';
import { hostStateText } from './host-text';
import { offsiteCounts } from '../offsite/offsite-counts';
import { useNow } from '../../ui/use-now';
import { ageText, healthSentence, healthTone, healthWords } from '../../ui/app-health';

const noApps: readonly AppSummary[] = [];
const noHosts: readonly HostStatus[] = [];

/** Where the app's verified snapshots also are, per target; "…" until its listing is read. */
function OffsiteCell(props: { app: AppSummary }): ReactNode {
  const list = useStore((s) => s.lists[props.app.id]);
  const targets = props.app.automation.offsite;
  if (targets.length === 0) {
    return <span className="warn">only on its machine</span>;
  }
  if (list === undefined) {
    return <span className="muted">…</span>;
  }
  return offsiteCounts(targets, list.snapshots, list.offsite).map((t, index) => (
    <span key={t.name} title={t.failure?.reason ?? t.display}>
      {index > 0 && ' · '}
      {t.name}{' '}
      {t.failure === undefined ? `${t.held}/${t.of}` : <span className="warn">last push failed</span>}
    </span>
  ));
}

/** The newest verified snapshot's age once the listing is read (the newest restorable one until then). */
function NewestCell(props: { app: AppSummary; now: number }): ReactNode {
  const list = useStore((s) => s.lists[props.app.id]);
  const newest =
    list === undefined ? props.app.newestSnapshot : list.snapshots.find((s) => s.status === 'verified');
  if (newest === null || newest === undefined) {
    return <span className="warn">{list === undefined ? 'none' : 'none verified'}</span>;
  }
  return <span title={newest.file}>{ageText(newest.time, props.now)}</span>;
}

/** The live database's place among its migrations: "at head", "2 behind", … */
function SchemaCell(props: { appId: string }): ReactNode {
  const report = useStore((s) => s.schemas[props.appId]);
  if (report === undefined) {
    return <span className="muted">…</span>;
  }
  if (report === null) {
    return <span className="muted">no migrations found</span>;
  }
  const atHead = report.status.status === 'at-head';
  return (
    <span className={atHead ? undefined : 'warn'} title={report.status.summary}>
      {report.status.badge}
    </span>
  );
}

function RestoreCell(props: { app: AppSummary; now: number }): ReactNode {
  const { app } = props;
  if (app.interruptedRestore !== null) {
    return (
      <span className="warn">interrupted at “{app.interruptedRestore.step}”: open the app to finish it</span>
    );
  }
  if (app.lastRestore !== null) {
    return <span>restored {formatWhen(app.lastRestore.at, props.now)}</span>;
  }
  return <span className="muted">—</span>;
}

function hostsText(count: number): string {
  if (count === 0) {
    return 'Every app on this computer.';
  }
  return `Every app on this computer and on ${count === 1 ? 'one host' : `${count} hosts`}.`;
}

/**
 * Every app on this computer and on each host at a glance: how fresh its protection is, its newest
 * snapshot, its offsite copies, its schema against the code, and any restore to finish. Hosts out
 * of reach say why and when they were last seen.
 */
export function FleetView(): ReactNode {
  const apps = useStore((s) => s.overview?.apps ?? noApps);
  const hosts = useStore((s) => s.overview?.hosts ?? noHosts);
  const now = useNow();
  const down = hosts.filter((host) => host.state === 'unreachable');
  return (
    <main className="app-view fleet" aria-labelledby="fleet-title">
      <h1 id="fleet-title">Fleet</h1>
      <p className="muted">
        {hostsText(hosts.length)} Choose one to see its snapshots, schema and activity, or to restore it.
      </p>
      {down.map((host) => {
        const text = hostStateText(host, now);
        return (
          <div key={host.id} className="host-down" role="status" data-testid={`fleet-down-${host.id}`}>
            <strong>{host.id}</strong> ({host.address}): {text.short}, {text.seen}. {host.error?.message}{' '}
            <button type="button" className="link" onClick={() => void reconnectHost(host.id)}>
              Try again
            </button>
          </div>
        );
      })}
      <table className="activity-table fleet-table" aria-label="Every app on every host">
        <thead>
          <tr>
            <th scope="col">Host</th>
            <th scope="col">App</th>
            <th scope="col">Protection</th>
            <th scope="col">Newest verified</th>
            <th scope="col">Offsite</th>
            <th scope="col">Schema</th>
            <th scope="col">Restore</th>
          </tr>
        </thead>
        <tbody>
          {apps.map((app) => {
            const host = hosts.find((h) => h.id === app.host);
            // A host out of reach: its apps as it last listed them, greyed, with when that was.
            const away = host === undefined || host.state === 'online' ? null : hostStateText(host, now).seen;
            return (
              <tr key={app.id} data-testid="fleet-row" className={away === null ? undefined : 'out-of-reach'}>
                <td>
                  {app.host ?? 'this computer'}
                  {away !== null && <span className="muted"> · {away}</span>}
                </td>
                <td>
                  <button type="button" className="link app-link" onClick={() => void selectApp(app.id)}>
                    <span
                      className={`dot health-${app.health}`}
                      role="img"
                      aria-label={healthSentence(app, now)}
                    />{' '}
                    {app.name}
                  </button>
                </td>
                <td title={healthSentence(app, now)}>
                  <span className={`freshness-state ${healthTone[app.health]}`}>
                    {app.freshness === null ? 'unreadable' : healthWords[app.health].toLowerCase()}
                  </span>
                </td>
                <td>
                  <NewestCell app={app} now={now} />
                </td>
                <td>
                  <OffsiteCell app={app} />
                </td>
                <td>
                  <SchemaCell appId={app.id} />
                </td>
                <td>
                  <RestoreCell app={app} now={now} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </main>
  );
}
