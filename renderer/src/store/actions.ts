import type { AppRun } from '#contract/app-run';
import { finishedSummary, jobsAfterFinished, jobsAfterProgress } from './job-events';
import type { LifeboatError, Result } from '#contract/errors';
import type { JobEvents, JobFinished } from '#contract/events';
import type { MigrationTool } from '#contract/migrations';
import type { SnapshotEntry } from '#contract/snapshots';
import type { RetentionRules } from '#contract/retention';
import type { Schedule } from '#contract/schedule';
import type { LifeboatClient } from '../client/lifeboat-client';
import { askToNotify, notifyIfHidden } from '../client/page-notifications';
import type { JobView } from './jobs-state';
import { useStore, type Dialog, type SortColumn } from './store';

/** Actions are plain functions outside components; they talk to the client and update the store. */

let client: LifeboatClient | null = null;

/** The client, for the actions of other store files. */
export function lifeboat(): LifeboatClient {
  if (client === null) {
    throw new Error('startActions was not called');
  }
  return client;
}

function showError(error: LifeboatError): void {
  // While the host is unreachable, its banner already says so: not once more per failed call.
  if (error.code !== 'IO_ERROR' || !useStore.getState().disconnected) {
    useStore.setState({ banner: error });
  }
}

/** Unwraps a result; on failure shows the banner and returns null. */
export function valueOr<T>(result: Result<T>, onError: (error: LifeboatError) => void = showError): T | null {
  if (result.ok) {
    return result.value;
  }
  onError(result.error);
  return null;
}

export function dismissBanner(): void {
  useStore.setState({ banner: null });
}

export function openDialog(dialog: Dialog): void {
  useStore.setState({ dialog });
}

export function closeDialog(): void {
  useStore.setState({ dialog: { kind: 'none' } });
}

// Loads overlap (a job finishing while a deletion reloads): only the newest answer may land, or an
// older listing arriving late would show a snapshot that is already gone.
let appsLoads = 0;
const appLoads = new Map<string, number>();

export async function loadApps(): Promise<void> {
  const load = ++appsLoads;
  const overview = valueOr(await lifeboat().call('apps:list', {}));
  if (load !== appsLoads) {
    return;
  }
  if (overview === null) {
    useStore.setState({ loading: false });
    return;
  }
  const { selectedAppId } = useStore.getState();
  const stillThere = overview.apps.some((a) => a.id === selectedAppId);
  // At start-up an app whose restore was interrupted comes first: its banner offers to finish or roll back.
  const first = overview.apps.find((a) => a.interruptedRestore !== null) ?? overview.apps[0];
  useStore.setState({
    overview,
    loading: false,
    // Ages are read against the moment the overview came, not the clock's last tick.
    now: Date.now(),
    ...(stillThere ? {} : showingApp(first?.id ?? null)),
  });
  const selected = useStore.getState().selectedAppId;
  if (selected !== null && !stillThere) {
    await loadApp(selected);
  }
}

export async function loadApp(appId: string): Promise<void> {
  const load = (appLoads.get(appId) ?? 0) + 1;
  appLoads.set(appId, load);
  const [list, info, schema] = await Promise.all([
    lifeboat().call('snapshots:list', { appId }),
    lifeboat().call('database:info', { appId }),
    lifeboat().call('migrations:status', { appId }),
  ]);
  if (appLoads.get(appId) !== load) {
    return;
  }
  const listValue = valueOr(list);
  const infoValue = valueOr(info);
  const schemaValue = valueOr(schema);
  useStore.setState((s) => ({
    lists: listValue === null ? s.lists : { ...s.lists, [appId]: listValue },
    infos: infoValue === null ? s.infos : { ...s.infos, [appId]: infoValue },
    schemas: schema.ok ? { ...s.schemas, [appId]: schemaValue } : s.schemas,
  }));
}

export function showView(view: 'snapshots' | 'schema' | 'activity'): void {
  useStore.setState({ view });
  const { selectedAppId } = useStore.getState();
  if (view === 'activity' && selectedAppId !== null) {
    void loadActivity(selectedAppId);
  }
}

export async function loadActivity(appId: string): Promise<void> {
  const entries = valueOr(await lifeboat().call('activity:list', { appId }));
  if (entries !== null) {
    useStore.setState((s) => ({ activity: { ...s.activity, [appId]: entries } }));
  }
}

/** From the Schema view: show the snapshots that hold one revision. */
export function showSnapshotsAt(revision: string | null): void {
  useStore.setState({ view: 'snapshots', revisionFilter: revision });
}

/** Another app on show: nothing of the last one's selected snapshot, details or filters stays. */
function showingApp(appId: string | null) {
  return { selectedAppId: appId, selectedFile: null, details: null, filter: '', revisionFilter: null };
}

/**
 * Shows an app. The one already on show keeps its place (the snapshot open in the details, the filter):
 * a click on it in the sidebar, or an add that listed it first, must not close what the user opened.
 */
export async function selectApp(appId: string): Promise<void> {
  useStore.setState((s) => ({ page: 'app', ...(s.selectedAppId === appId ? {} : showingApp(appId)) }));
  await loadApp(appId);
}

/** Adds an app; returns an error for the dialog to show next to the field, or null when added. */
export async function addApp(
  database: string,
  name: string,
  backupsDir: string,
  allowMissingFolder = false,
  /** The host to add it on (its id); null: this computer. */
  host: string | null = null,
): Promise<LifeboatError | null> {
  const result = await lifeboat().call('apps:add', {
    database,
    name,
    backupsDir,
    allowMissingFolder,
    ...(host === null ? {} : { host }),
  });
  if (!result.ok) {
    return result.error;
  }
  closeDialog();
  await loadApps();
  await selectApp(result.value.id);
  return null;
}

/** Forgets an app: nothing on disk is touched (the database, its backups folder and every snapshot stay). */
export async function removeApp(appId: string): Promise<void> {
  const removed = valueOr(await lifeboat().call('apps:remove', { appId }));
  closeDialog();
  if (removed !== null) {
    const name = useStore.getState().overview?.apps.find((a) => a.id === appId)?.name ?? 'The app';
    useStore.setState((s) => ({
      ...(s.selectedAppId === appId ? showingApp(null) : {}),
      notice: `${name} was removed from Lifeboat; its files were kept.`,
    }));
    await loadApps();
  }
}

/** Chooses an app's migrations folder and tool (both empty: detect); returns an error for the dialog. */
export async function setAppMigrations(
  appId: string,
  dir: string,
  tool: MigrationTool | '',
): Promise<LifeboatError | null> {
  const result = await lifeboat().call(
    'apps:setMigrations',
    tool === '' ? { appId, dir } : { appId, dir, tool },
  );
  if (!result.ok) {
    return result.error;
  }
  closeDialog();
  await Promise.all([loadApps(), loadApp(appId)]);
  return null;
}

export async function openDemo(): Promise<void> {
  useStore.setState({ notice: 'Preparing the demo shop…' });
  const app = valueOr(await lifeboat().call('demo:open', {}));
  useStore.setState({ notice: null });
  if (app !== null) {
    await loadApps();
    await selectApp(app.id);
  }
}

export async function chooseDatabaseFile(): Promise<string | null> {
  const desktop = lifeboat().desktop;
  if (desktop === null) {
    return null;
  }
  return valueOr(await desktop.chooseDatabase())?.path ?? null;
}

/** True in the desktop app, which can open native dialogs and reveal files. */
export function canRevealFiles(): boolean {
  return lifeboat().desktop !== null;
}

export function pathOfDroppedFile(file: File): string | null {
  return lifeboat().desktop?.pathForFile(file) ?? null;
}

export function setFilter(filter: string): void {
  useStore.setState({ filter });
}

export function sortBy(column: SortColumn): void {
  useStore.setState((s) => ({
    sort: {
      column,
      descending: s.sort.column === column ? !s.sort.descending : column === 'time' || column === 'size',
    },
  }));
}

export async function selectSnapshot(appId: string, file: string | null): Promise<void> {
  useStore.setState({
    selectedFile: file,
    details: file === null ? null : { appId, file, value: null, error: null },
  });
  if (file === null) {
    return;
  }
  const result = await lifeboat().call('snapshots:inspect', { appId, file });
  // Only if the user has not moved on meanwhile.
  if (useStore.getState().selectedFile === file) {
    useStore.setState({
      details: {
        appId,
        file,
        value: result.ok ? result.value : null,
        error: result.ok ? null : result.error,
      },
    });
  }
}

export async function startSnapshot(appId: string, label: string, note: string): Promise<void> {
  askToNotifyInBrowser();
  const started = valueOr(await lifeboat().call('snapshots:create', { appId, label, note }));
  if (started === null) {
    return;
  }
  useStore.setState((s) => {
    // A small snapshot can finish before the call that started it returns: its events came first.
    const known = s.jobs[started.jobId];
    if (known?.status === 'done') {
      return { dialog: s.dialog.kind === 'snapshot' ? { kind: 'none' } : s.dialog };
    }
    return {
      dialog: { kind: 'snapshot', appId, jobId: started.jobId },
      jobs:
        known === undefined
          ? { ...s.jobs, [started.jobId]: startingJob(started.jobId, appId, 'snapshot') }
          : s.jobs,
    };
  });
}

/** In a browser (no desktop bridge), asks once for leave to notify when long work ends. */
function askToNotifyInBrowser(): void {
  if (lifeboat().desktop === null) {
    askToNotify();
  }
}

export function startingJob(jobId: string, appId: string, kind: JobView['kind']): JobView {
  return {
    jobId,
    appId,
    kind,
    phase: 'Starting',
    fraction: 0,
    status: 'running',
    error: null,
    summary: null,
    startedAt: Date.now(),
  };
}

export async function verifySnapshots(appId: string, files: string[]): Promise<void> {
  askToNotifyInBrowser();
  const started = valueOr(await lifeboat().call('snapshots:verify', { appId, files }));
  if (started !== null) {
    useStore.setState((s) =>
      s.jobs[started.jobId] === undefined
        ? { jobs: { ...s.jobs, [started.jobId]: startingJob(started.jobId, appId, 'verify') } }
        : {},
    );
  }
}

export async function cancelJob(jobId: string): Promise<void> {
  valueOr(await lifeboat().call('jobs:cancel', { jobId }));
}

export async function deleteSnapshot(appId: string, file: string): Promise<void> {
  closeDialog();
  const deleted = valueOr(await lifeboat().call('snapshots:delete', { appId, file }));
  if (deleted !== null) {
    useStore.setState({ selectedFile: null, details: null, notice: `Deleted ${file}` });
    await Promise.all([loadApp(appId), loadApps(), loadActivity(appId)]);
  }
}

/** Pins (kept until unpinned, never deleted) or unpins a snapshot. */
export async function pinSnapshot(appId: string, file: string, pinned: boolean): Promise<void> {
  const done = valueOr(await lifeboat().call('snapshots:pin', { appId, file, pinned }));
  if (done !== null) {
    useStore.setState({
      notice: pinned ? `Pinned ${file}: it is kept until you unpin it` : `Unpinned ${file}`,
    });
    await Promise.all([loadApp(appId), loadActivity(appId)]);
  }
}

export async function revealSnapshot(appId: string, file: string): Promise<void> {
  const desktop = lifeboat().desktop;
  if (desktop !== null) {
    valueOr(await desktop.revealSnapshot(appId, file));
  }
}

// The features that follow their own jobs (a restore's steps, a pull that opens a restore) subscribe
// here at start-up: the store calls them without importing them, so no feature is below the store.
const progressFollowers: ((progress: JobEvents['job:progress']) => void)[] = [];
const finishedFollowers: ((event: JobFinished) => void)[] = [];

/** Calls `follow` with every job's progress, after the jobs list has it. */
export function onJobProgress(follow: (progress: JobEvents['job:progress']) => void): void {
  progressFollowers.push(follow);
}

/** Calls `follow` with every job's end, before the jobs list, the notice and the loads that follow it. */
export function onJobFinished(follow: (event: JobFinished) => void): void {
  finishedFollowers.push(follow);
}

/** Ticks the page's one clock, once at start-up: every age on screen moves on together. */
export function startClock(intervalMs = 15_000): void {
  window.setInterval(() => useStore.setState({ now: Date.now() }), intervalMs);
}

/** Wires the client's job events into the store, once at start-up. */
export function startActions(newClient: LifeboatClient): void {
  client = newClient;
  newClient.on('job:progress', (progress) => {
    useStore.setState((s) => ({ jobs: jobsAfterProgress(s.jobs, progress, Date.now()) }));
    progressFollowers.forEach((follow) => follow(progress));
  });
  newClient.onConnection((connected) => {
    useStore.setState((s) => ({
      disconnected: !connected,
      banner: s.banner?.code === 'IO_ERROR' ? null : s.banner,
    }));
    if (connected) {
      // Back after a restart of the host: what it has now, not what the page last saw.
      void loadApps();
      const { selectedAppId } = useStore.getState();
      if (selectedAppId !== null) {
        void loadApp(selectedAppId);
      }
    }
  });
  // The keeper's news (a scheduled snapshot failed, the app turned stale or recovered): the dots and cards change.
  newClient.on('keeper:alert', ({ appId }) => {
    void loadApps();
    if (useStore.getState().selectedAppId === appId) {
      void loadApp(appId);
    }
  });
  // A host was added or removed, went out of reach or came back: its apps come and go.
  newClient.on('hosts:changed', () => void loadApps());
  // A script added, deleted or changed a snapshot: show the folder as it is now.
  newClient.on('snapshots:changed', ({ appId }) => {
    void loadApps();
    if (useStore.getState().selectedAppId === appId) {
      void loadApp(appId);
    }
  });
  newClient.on('menu:command', ({ command }) => {
    const { selectedAppId } = useStore.getState();
    switch (command) {
      case 'add-app':
        openDialog({ kind: 'add-app', initialPath: '' });
        break;
      case 'snapshot-now':
        if (selectedAppId !== null) {
          openDialog({ kind: 'snapshot', appId: selectedAppId, jobId: null });
        }
        break;
      case 'open-demo':
        void openDemo();
        break;
    }
  });
  newClient.on('job:finished', (event) => {
    finishedFollowers.forEach((follow) => follow(event));
    if (event.kind === 'diff' && event.result.ok) {
      const found = event.result.value;
      useStore.setState((s) => ({ diffResults: { ...s.diffResults, [event.jobId]: found } }));
    }
    useStore.setState((s) => {
      const { jobs, summary, file, status } = jobsAfterFinished(s.jobs, event, Date.now());
      const dialog =
        s.dialog.kind === 'snapshot' && s.dialog.jobId === event.jobId && status === 'done'
          ? { kind: 'none' as const }
          : s.dialog;
      return { jobs, dialog, highlightFile: file ?? s.highlightFile, notice: summary ?? s.notice };
    });
    const { summary } = finishedSummary(event);
    if (summary !== null && newClient.desktop === null) {
      notifyIfHidden(summary);
    }
    const { selectedAppId, selectedFile } = useStore.getState();
    void loadApps();
    if (selectedAppId === event.appId) {
      void loadApp(event.appId);
      void loadActivity(event.appId);
      if (event.kind === 'verify' && selectedFile !== null) {
        void selectSnapshot(event.appId, selectedFile);
      }
    }
  });
}

/** Sorted and filtered rows for the table; pure. */
export function visibleSnapshots(
  snapshots: readonly SnapshotEntry[],
  filter: string,
  sort: { column: SortColumn; descending: boolean },
  revision: string | null = null,
): SnapshotEntry[] {
  const needle = filter.trim().toLowerCase();
  const atRevision =
    revision === null ? snapshots : snapshots.filter((s) => s.migration?.current.includes(revision) === true);
  const rows =
    needle === ''
      ? [...atRevision]
      : atRevision.filter(
          (s) =>
            s.label.toLowerCase().includes(needle) ||
            (s.note ?? '').toLowerCase().includes(needle) ||
            s.file.toLowerCase().includes(needle),
        );
  const key = (s: SnapshotEntry): string | number => {
    switch (sort.column) {
      case 'time':
        return s.time;
      case 'label':
        return s.label.toLowerCase();
      case 'size':
        return s.size;
      case 'status':
        return s.status;
    }
  };
  rows.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    const order = ka === kb ? a.file.localeCompare(b.file) : Number(ka > kb) - Number(ka < kb);
    return sort.descending ? -order : order;
  });
  return rows;
}

/** Saves an app's schedule, retention and staleness limit (absent parts: none); returns an error for the dialog. */
export async function setAppAutomation(
  appId: string,
  automation: { schedule: Schedule | undefined; retention: RetentionRules; staleAfter: string | undefined },
): Promise<LifeboatError | null> {
  const { schedule, retention, staleAfter } = automation;
  const result = await lifeboat().call('apps:setAutomation', {
    appId,
    retention,
    ...(schedule === undefined ? {} : { schedule }),
    ...(staleAfter === undefined ? {} : { staleAfter }),
  });
  if (!result.ok) {
    return result.error;
  }
  closeDialog();
  await loadApps();
  return null;
}

/** Saves how to run an app (its folder and run settings; run absent: none); returns an error for the dialog. */
export async function setAppRun(
  appId: string,
  appDir: string,
  run: AppRun | undefined,
): Promise<LifeboatError | null> {
  const result = await lifeboat().call(
    'apps:setRun',
    run === undefined ? { appId, appDir } : { appId, appDir, run },
  );
  if (!result.ok) {
    return result.error;
  }
  closeDialog();
  await loadApps();
  return null;
}
