import type { KeyboardEvent, ReactNode } from 'react';
import type { AppSummary } from '#contract/apps';
import { formatAge, formatBytes, formatLocalTime } from '#contract/format';
import { toolNames, type MigrationReport } from '#contract/migrations';
import { scheduleText, type FreshnessState } from '#contract/schedule';
import { newestRestorable, type OffsiteMark, type SnapshotEntry } from '#contract/snapshots';
import { pushOffsite } from '../features/offsite/offsite-actions';
import { openDialog, showView } from '../store/actions';
import { openRestore, recoverRestore } from '../features/restore/restore-actions';
import { LastRestoreText } from '../features/restore/LastRestoreText';
import { openBrowse } from '../features/browse/browse-actions';
import { useStore, type Dialog } from '../store/store';
import { DetailPanel } from '../features/snapshots/DetailPanel';
import { offsiteCounts } from '../features/offsite/offsite-counts';
import { JobProgressLine } from '../ui/JobProgressLine';
import { ActivityView } from '../features/activity/ActivityView';
import { SchemaView } from '../features/schema/SchemaView';
import { SnapshotTable } from '../features/snapshots/SnapshotTable';
import { referenceText, revisionText } from '../ui/StatusBadge';

const emptyList: readonly SnapshotEntry[] = [];
import { ageSeconds, useNow } from '../ui/use-now';

/** The selected app: the live database's card with Snapshot now, the snapshots, and the details. */
export function AppView(): ReactNode {
  const app = useStore((s) => s.overview?.apps.find((a) => a.id === s.selectedAppId) ?? null);
  const info = useStore((s) => (s.selectedAppId === null ? undefined : s.infos[s.selectedAppId]));
  const hasDetails = useStore((s) => s.details !== null && s.view === 'snapshots');
  const view = useStore((s) => s.view);
  const activity = useStore((s) => (s.selectedAppId === null ? undefined : s.activity[s.selectedAppId]));
  const schema = useStore((s) => (s.selectedAppId === null ? undefined : s.schemas[s.selectedAppId]));
  const loadedList = useStore((s) => (s.selectedAppId === null ? undefined : s.lists[s.selectedAppId]));
  const snapshots = loadedList?.snapshots ?? emptyList;
  const now = useNow();
  if (app === null) {
    return <main className="app-view" />;
  }
  const tables = info?.tables ?? [];
  // The same listing as the table's, once it is there: the card and the table never disagree.
  const newest =
    loadedList === undefined
      ? (info?.newestSnapshot ?? null)
      : (newestRestorable(loadedList.snapshots) ?? null);
  const rowCount = tables.reduce((sum, t) => sum + t.rows, 0);
  return (
    <main className={hasDetails ? 'app-view with-details' : 'app-view'}>
      <section className="card live" aria-label="Live database">
        <div className="card-head">
          <div>
            <h1>{app.name}</h1>
            <p
              className="path"
              title={app.host === null ? app.databasePath : `${app.databasePath} on ${app.host}`}
            >
              {app.host !== null && <span className="host-tag">{app.host}</span>}
              {app.databasePath}
            </p>
            {app.lastRestore !== null && (
              <p className="muted last-restore" data-testid="last-restore">
                <LastRestoreText last={app.lastRestore} />
              </p>
            )}
          </div>
          <div className="card-actions">
            {app.lastRestore !== null && (
              <button
                type="button"
                onClick={() =>
                  void openRestore(
                    app.id,
                    app.lastRestore?.preRestore ?? '',
                    app.lastRestore?.action === 'undo' ? 'redo' : 'undo',
                  )
                }
                title={`Put back ${app.lastRestore.preRestore}, the database as it was before the ${app.lastRestore.action} of ${formatLocalTime(app.lastRestore.at)}`}
              >
                {app.lastRestore.action === 'undo' ? 'Redo restore' : 'Undo last restore'}
              </button>
            )}
            <button
              type="button"
              onClick={() => openDialog({ kind: 'confirm-remove-app', appId: app.id })}
              title="Stop showing this app in Lifeboat; every file is kept"
            >
              Remove app…
            </button>
            <button
              type="button"
              className="primary"
              onClick={() => openDialog({ kind: 'snapshot', appId: app.id, jobId: null })}
              disabled={info !== undefined && !info.exists}
              title="Take a consistent snapshot now (Ctrl+N)"
              aria-keyshortcuts="Control+N Meta+N"
            >
              Snapshot now
            </button>
          </div>
        </div>
        {app.interruptedRestore !== null && <InterruptedRestore app={app} />}
        {app.settingsIgnored !== null && (
          <p
            className={
              app.settingsIgnored.adopted
                ? 'muted settings-ignored'
                : 'freshness-alert stale settings-ignored'
            }
            role="status"
            data-testid="settings-ignored"
            title={app.settingsIgnored.path}
          >
            {app.settingsIgnored.adopted ? (
              <>
                Its lifeboat.json is ignored ({app.settingsIgnored.reason}); Lifeboat uses the copy of its
                settings you adopted.
              </>
            ) : (
              <>
                <strong>Its lifeboat.json is ignored:</strong> {app.settingsIgnored.reason}, so whoever can
                change it could make Lifeboat run commands, delete files or send the data elsewhere.
              </>
            )}{' '}
            <button
              type="button"
              className="link"
              onClick={() => openDialog({ kind: 'adopt-settings', appId: app.id })}
            >
              {app.settingsIgnored.adopted ? 'Review it' : 'Review and adopt…'}
            </button>
          </p>
        )}
        {(app.freshness?.state === 'stale' || app.freshness?.state === 'failing') && (
          <p className={`freshness-alert ${app.freshness.state}`} role="status" data-testid="freshness-alert">
            <strong>
              {app.freshness.state === 'failing' ? 'Scheduled snapshots are failing.' : 'No recent snapshot.'}
            </strong>{' '}
            {app.freshness.reason}
          </p>
        )}
        {info === undefined && (
          <p className="muted">
            <progress aria-label="Reading the database" /> Reading the database…
          </p>
        )}
        {info?.exists === false && app.interruptedRestore === null && (
          <p className="muted">
            This database does not exist yet, so there is nothing to back up. It appears here once the app
            creates it.
          </p>
        )}
        {info?.exists === true && (
          <dl className="facts">
            <div>
              <dt>Size</dt>
              <dd>
                {formatBytes(info.size)}
                {info.walSize > 0 && <span className="muted"> + {formatBytes(info.walSize)} WAL</span>}
              </dd>
            </div>
            <div>
              <dt>Journal mode</dt>
              <dd>{info.journalMode ?? '–'}</dd>
            </div>
            <div>
              <dt>Tables</dt>
              <dd title={tables.map((t) => `${t.name}: ${t.rows} rows`).join('\n')}>
                {tables.length} ({rowCount.toLocaleString()} {rowCount === 1 ? 'row' : 'rows'}){' '}
                <button
                  type="button"
                  className="link"
                  onClick={() => openBrowse(app.id, 'live')}
                  aria-label="Browse the live database's tables, read only"
                >
                  Browse…
                </button>
              </dd>
            </div>
            <div>
              <dt>Newest snapshot</dt>
              <dd className={newest === null ? 'warn' : undefined} data-testid="newest-snapshot">
                {newest === null ? 'none yet' : formatAge(ageSeconds(newest.time, now))}
              </dd>
            </div>
            <div>
              <dt>Schema</dt>
              <dd
                data-testid="live-schema"
                title={
                  schema === undefined || schema === null
                    ? undefined
                    : `${referenceText(schema.status)}: ${schema.status.summary}`
                }
              >
                {schemaText(schema, app.migrationsFound?.detected === false)}{' '}
                <ChangeLink
                  dialog={{ kind: 'migrations', appId: app.id }}
                  label="Change where the migrations are"
                />
              </dd>
            </div>
            <div>
              <dt>Stop and start</dt>
              <dd>
                {runText(app)}{' '}
                <ChangeLink
                  dialog={{ kind: 'run-settings', appId: app.id }}
                  label="Change how the app is stopped, started and upgraded"
                />
              </dd>
            </div>
            <div>
              <dt>Backups folder</dt>
              <dd className="path" title={info.backupsDir}>
                {info.backupsDir}
              </dd>
            </div>
          </dl>
        )}
        {/* Even when the database cannot be read: a failing schedule is news then most of all. */}
        <dl className="facts">
          <div>
            <dt>Protection</dt>
            <dd data-testid="protection" title={protectionTitle(app)}>
              <span className={`freshness-state ${app.freshness?.state ?? ''}`}>
                {freshnessWords[app.freshness?.state ?? 'never']}
              </span>
              {` · ${protectionText(app)} `}
              <ChangeLink
                dialog={{ kind: 'automation', appId: app.id }}
                label="Change the schedule and retention"
              />
            </dd>
          </div>
          <OffsiteFact app={app} snapshots={snapshots} marks={loadedList?.offsite} />
        </dl>
      </section>
      <ViewTabs
        view={view}
        schemaBadge={
          schema !== undefined && schema !== null && schema.status.status !== 'recorded'
            ? schema.status.badge
            : null
        }
      />
      {view === 'snapshots' && <SnapshotTable appId={app.id} />}
      {view === 'schema' && (
        <section
          className="snapshots"
          role="tabpanel"
          id="view-schema"
          aria-labelledby="tab-schema"
          aria-label="Schema"
        >
          <SchemaView report={schema} snapshots={snapshots} />
        </section>
      )}
      {view === 'activity' && (
        <section
          className="snapshots"
          role="tabpanel"
          id="view-activity"
          aria-labelledby="tab-activity"
          aria-label="Activity"
        >
          <ActivityView entries={activity} />
        </section>
      )}
      {hasDetails && <DetailPanel />}
    </main>
  );
}

/** Where the verified snapshots also are: the targets, how many are there, the last push's trouble, and its progress. */
function OffsiteFact(props: {
  app: AppSummary;
  snapshots: readonly SnapshotEntry[];
  marks: Readonly<Record<string, readonly OffsiteMark[]>> | undefined;
}): ReactNode {
  const { app } = props;
  const pushing = useStore((s) =>
    Object.values(s.jobs).find((j) => j.kind === 'push' && j.appId === app.id && j.status === 'running'),
  );
  const targets = app.automation.offsite;
  const perTarget = offsiteCounts(targets, props.snapshots, props.marks);
  return (
    <div>
      <dt>Offsite</dt>
      <dd data-testid="offsite">
        {targets.length === 0 ? (
          <span className="warn">only on {app.host ?? 'this machine'}</span>
        ) : (
          perTarget.map((t, index) => (
            <span key={t.name} title={t.failure?.reason ?? t.display}>
              {index > 0 && ' · '}
              {t.name}:{' '}
              {t.failure === undefined ? (
                `${t.held} of ${t.of}`
              ) : (
                <span className="warn">last push failed</span>
              )}
            </span>
          ))
        )}
        {pushing !== undefined ? (
          <JobProgressLine job={pushing} label="Sending snapshots offsite" className="inline-progress" />
        ) : (
          targets.length > 0 && (
            <>
              {' '}
              <button type="button" className="link" onClick={() => void pushOffsite(app.id)}>
                Send offsite now
              </button>{' '}
              <button
                type="button"
                className="link"
                onClick={() => openDialog({ kind: 'remote', appId: app.id })}
              >
                Restore from offsite…
              </button>{' '}
            </>
          )
        )}
        <ChangeLink
          dialog={{ kind: 'offsite', appId: app.id }}
          label="Change where snapshots are sent offsite"
        />
      </dd>
    </div>
  );
}

/** "Change…" beside a fact of the live card: opens the dialog that changes it. */
function ChangeLink(props: { dialog: Dialog; label: string }): ReactNode {
  return (
    <button type="button" className="link" onClick={() => openDialog(props.dialog)} aria-label={props.label}>
      Change…
    </button>
  );
}

/** The schema fact: "reading…", "no migrations found", or the tool and revision, and where it was read from. */
function schemaText(schema: MigrationReport | null | undefined, chosenByHand: boolean): string {
  if (schema === undefined) {
    return 'reading…';
  }
  if (schema === null) {
    return 'no migrations found';
  }
  const { status } = schema;
  let source = chosenByHand ? ' (chosen)' : '';
  if (status.reference === 'live') {
    source = ' (from the database)';
  }
  return `${toolNames[status.tool]} ${revisionText(status)}${source}`;
}

type View = 'snapshots' | 'schema' | 'activity';
const views: readonly View[] = ['snapshots', 'schema', 'activity'];
const viewTitles: Record<View, string> = { snapshots: 'Snapshots', schema: 'Schema', activity: 'Activity' };

/** The view's tabs: one tab stop (the selected tab), arrow keys, Home and End move between them. */
function ViewTabs(props: { view: View; schemaBadge: string | null }): ReactNode {
  const move = (event: KeyboardEvent<HTMLDivElement>): void => {
    const index = views.indexOf(props.view);
    // Where each key moves: the next or previous tab (round the ends), the first, the last.
    const targets = new Map([
      ['ArrowRight', (index + 1) % views.length],
      ['ArrowLeft', (index + views.length - 1) % views.length],
      ['Home', 0],
      ['End', views.length - 1],
    ]);
    const target = targets.get(event.key);
    const next = target === undefined ? undefined : views[target];
    if (next !== undefined) {
      event.preventDefault();
      showView(next);
      document.getElementById(`tab-${next}`)?.focus();
    }
  };
  return (
    <div className="view-switch" role="tablist" aria-label="View" onKeyDown={move}>
      {views.map((v) => (
        <button
          key={v}
          id={`tab-${v}`}
          type="button"
          role="tab"
          aria-selected={props.view === v}
          aria-controls={`view-${v}`}
          tabIndex={props.view === v ? 0 : -1}
          className={props.view === v ? 'tab selected' : 'tab'}
          onClick={() => showView(v)}
        >
          {viewTitles[v]}
          {v === 'schema' && props.schemaBadge !== null ? ` · ${props.schemaBadge}` : ''}
        </button>
      ))}
    </div>
  );
}

const freshnessWords: Record<FreshnessState, string> = {
  fresh: 'Fresh',
  stale: 'Stale',
  never: 'No snapshot',
  failing: 'Failing',
};

/** The schedule in a few words, then whether an offsite copy was proven restorable; the next run and the retention in the tooltip. */
function protectionText(app: AppSummary): string {
  const schedule = app.automation.schedule === null ? 'no schedule' : scheduleText(app.automation.schedule);
  return app.drill === null ? schedule : `${schedule} · ${app.drill.text}`;
}

function protectionTitle(app: AppSummary): string {
  const next = app.freshness?.nextRun ?? null;
  const { retention } = app.automation;
  const rules =
    retention === null
      ? 'every snapshot is kept'
      : `retention: ${Object.entries(retention)
          .map(([rule, n]) => `${rule.slice(4).toLowerCase()} ${String(n)}`)
          .join(', ')}`;
  return [
    app.freshness?.reason ?? '',
    next === null ? '' : `Next scheduled snapshot: ${formatLocalTime(next)}.`,
    `${rules.charAt(0).toUpperCase()}${rules.slice(1)}.`,
  ]
    .filter((line) => line !== '')
    .join('\n');
}

/** How the app is stopped and started around a restore, in a few words. */
function runText(app: AppSummary): string {
  const from = app.runFromFile !== null ? ' (lifeboat.json)' : '';
  switch ((app.runFromFile ?? app.run)?.preset ?? 'manual') {
    case 'manual':
      return app.runProblem === null ? `by hand${from}` : 'lifeboat.json is damaged';
    case 'docker-compose':
      return `Docker Compose${from}`;
    case 'systemd':
      return `systemd${from}`;
    case 'commands':
      return `own commands${from}`;
  }
}

/** A restore was interrupted (the app or the machine stopped mid-way): finish it or roll it back. */
function InterruptedRestore(props: { app: AppSummary }): ReactNode {
  const { app } = props;
  const interrupted = app.interruptedRestore;
  if (interrupted === null) {
    return null;
  }
  return (
    <div className="interrupted" role="alert">
      <p>
        <strong>A restore was interrupted</strong>
        {interrupted.snapshot === ''
          ? ''
          : ` (of ${interrupted.snapshot}, at the step “${interrupted.step}”${interrupted.startedAt === '' ? '' : `, started ${formatLocalTime(interrupted.startedAt)}`})`}
        , perhaps by a crash or a power cut. Finish it, or roll it back to the database as it was; the
        pre-restore snapshot is kept either way. No other restore starts until then.
      </p>
      <div className="interrupted-actions">
        <button
          type="button"
          className="primary"
          onClick={() => void recoverRestore(app.id, interrupted.snapshot, 'resume')}
        >
          Finish the restore
        </button>
        <button type="button" onClick={() => void recoverRestore(app.id, interrupted.snapshot, 'rollback')}>
          Roll back
        </button>
      </div>
    </div>
  );
}
