import { Fragment, type KeyboardEvent, type ReactNode } from 'react';
import type { AppSummary } from '#contract/apps';
import { formatBytes, formatLocalTime } from '#contract/format';
import { toolNames, type MigrationReport } from '#contract/migrations';
import { scheduleText } from '#contract/schedule';
import type { OffsiteMark, SnapshotEntry } from '#contract/snapshots';
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
import { useNow } from '../ui/use-now';
import { ageText, healthSentence, healthTone, healthWords } from '../ui/app-health';
import { useRememberedOpen } from '../ui/use-remembered-open';

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
  // Closed on a window under 800 px high, where the open card would leave the list fewer than eight rows.
  const [cardOpen, setCardOpen] = useRememberedOpen('lifeboat.liveCard', '(min-height: 800px)');
  if (app === null) {
    return <main className="app-view" />;
  }
  const tables = info?.tables ?? [];
  // The same newest snapshot as the sidebar's and the fleet's: the app's summary, reloaded with every change to the folder.
  const newest = app.newestSnapshot;
  const rowCount = tables.reduce((sum, t) => sum + t.rows, 0);
  return (
    <main className={hasDetails ? 'app-view with-details' : 'app-view'}>
      <section className={cardOpen ? 'card live' : 'card live collapsed'} aria-label="Live database">
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
        <div className="card-summary">
          <button
            type="button"
            className="disclosure"
            aria-expanded={cardOpen}
            aria-controls="live-card-more"
            onClick={() => setCardOpen(!cardOpen)}
          >
            {cardOpen ? 'Hide details' : 'Show details'}
          </button>
          {!cardOpen && (
            <CardSummary
              app={app}
              facts={[
                info?.exists === true ? formatBytes(info.size) : null,
                newest === null ? 'no snapshot yet' : `newest ${ageText(newest.time, now)}`,
                info?.exists === true ? schemaText(schema, app.migrationsFound?.detected === false) : null,
                `${healthWords[app.health]} · ${protectionText(app)}`,
              ]}
            />
          )}
        </div>
        <div className="card-more" id="live-card-more" hidden={!cardOpen}>
          {/* First: what cannot wait, where the open card's scrolling part shows it without a scroll. */}
          {app.interruptedRestore !== null && <InterruptedRestore app={app} />}
          {/* The dot's reason comes first (an interrupted restore says its own, above). */}
          {app.interruptedRestore === null && app.health !== 'ok' && app.health !== 'no-database' && (
            <p
              className={`freshness-alert ${healthTone[app.health]}`}
              role="status"
              data-testid="freshness-alert"
            >
              {app.health === 'stale' && app.freshness?.state === 'stale' && (
                <strong>No recent snapshot. </strong>
              )}
              {app.freshness?.state === 'failing' && app.health === 'failing' && (
                <strong>Scheduled snapshots are failing. </strong>
              )}
              {healthSentence(app, now)}
            </p>
          )}
          {app.lastRestore !== null && (
            <p className="muted last-restore" data-testid="last-restore">
              <LastRestoreText last={app.lastRestore} />
            </p>
          )}
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
                  {newest === null ? 'none yet' : ageText(newest.time, now)}
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
              <dd data-testid="protection" title={protectionTitle(app, now)}>
                <span className={`freshness-state ${healthTone[app.health]}`}>{healthWords[app.health]}</span>
                {` · ${protectionText(app)} `}
                <ChangeLink
                  dialog={{ kind: 'automation', appId: app.id }}
                  label="Change the schedule and retention"
                />
              </dd>
            </div>
            <OffsiteFact app={app} snapshots={snapshots} marks={loadedList?.offsite} />
          </dl>
        </div>
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

/** The schedule in a few words, then whether an offsite copy was proven restorable; the next run and the retention in the tooltip. */
function protectionText(app: AppSummary): string {
  const schedule = app.automation.schedule === null ? 'no schedule' : scheduleText(app.automation.schedule);
  return app.drill === null ? schedule : `${schedule} · ${app.drill.text}`;
}

function protectionTitle(app: AppSummary, now: number): string {
  const next = app.freshness?.nextRun ?? null;
  const { retention } = app.automation;
  const rules =
    retention === null
      ? 'every snapshot is kept'
      : `retention: ${Object.entries(retention)
          .map(([rule, n]) => `${rule.slice(4).toLowerCase()} ${String(n)}`)
          .join(', ')}`;
  return [
    healthSentence(app, now),
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

/**
 * The card closed: one line that names what needs attention first (an interrupted restore, a failing or
 * stale schedule, an ignored lifeboat.json, the last restore), then the facts; all of it on hover.
 */
function CardSummary(props: { app: AppSummary; facts: readonly (string | null)[] }): ReactNode {
  const { app } = props;
  const alerts = [
    app.interruptedRestore === null ? null : 'Restore interrupted',
    app.interruptedRestore === null && app.health === 'failing' ? 'Scheduled snapshots failing' : null,
    app.interruptedRestore === null && app.health === 'stale' && app.freshness?.state === 'stale'
      ? 'No recent snapshot'
      : null,
    app.interruptedRestore === null &&
    (app.health === 'problem' || (app.health === 'stale' && app.freshness?.state !== 'stale'))
      ? 'Needs attention'
      : null,
    app.settingsIgnored === null || app.settingsIgnored.adopted ? null : 'lifeboat.json ignored',
  ].filter((text) => text !== null);
  const restore = app.lastRestore === null ? null : lastRestoreWords(app.lastRestore);
  const facts = [restore, ...props.facts].filter((text) => text !== null);
  return (
    <>
      <p className="card-summary-line" data-testid="card-summary" title={[...alerts, ...facts].join('\n')}>
        {alerts.map((text) => (
          <Fragment key={text}>
            <span className="summary-alert">{text}</span>
            {' · '}
          </Fragment>
        ))}
        {facts.join(' · ')}
      </p>
      {app.interruptedRestore !== null && <InterruptedRestoreActions app={app} />}
    </>
  );
}

/** The last restore in a few words, for the closed card (the open card says it in full). */
function lastRestoreWords(last: NonNullable<AppSummary['lastRestore']>): string {
  const when = formatLocalTime(last.at);
  switch (last.action) {
    case 'undo':
      return `restore undone ${when}`;
    case 'redo':
      return `restore redone ${when}`;
    case 'restore':
      return `restored ${when}${last.snapshot === null ? '' : ` from ${last.snapshot}`}`;
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
      <InterruptedRestoreActions app={app} />
    </div>
  );
}

/** Finish or roll back the interrupted restore: on the open card's banner, and on the closed card's line. */
function InterruptedRestoreActions(props: { app: AppSummary }): ReactNode {
  const { app } = props;
  const snapshot = app.interruptedRestore?.snapshot ?? '';
  return (
    <div className="interrupted-actions">
      <button
        type="button"
        className="primary"
        onClick={() => void recoverRestore(app.id, snapshot, 'resume')}
      >
        Finish the restore
      </button>
      <button type="button" onClick={() => void recoverRestore(app.id, snapshot, 'rollback')}>
        Roll back
      </button>
    </div>
  );
}
