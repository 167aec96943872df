import { create, type StateCreator } from 'zustand';
import type { ActivityEntry } from '../../../electron/contract/activity';
import type { AppsOverview } from '../../../electron/contract/apps';
import type { LifeboatError } from '../../../electron/contract/errors';
import type { MigrationReport } from '../../../electron/contract/migrations';
import type { UiJobKind } from '../../../electron/contract/operations';
import type { RestorePreview, RestoreResult, AnyStep, StepEvent } from '../../../electron/contract/restore';
import type { DatabaseInfo, SnapshotDetails, SnapshotList } from '../../../electron/contract/snapshots';
import type { DiffResult } from '../../../electron/contract/diff';
import type { TablePage } from '../../../electron/contract/browse';

/** One store made of feature slices; components read it through narrow selectors. */

export interface AppsSlice {
  overview: AppsOverview | null;
  selectedAppId: string | null;
  /** The main area: the selected app, or the fleet (every app on every host at a glance). */
  page: 'app' | 'fleet';
}

export type SortColumn = 'time' | 'label' | 'size' | 'status';
export interface SnapshotsSlice {
  lists: Record<string, SnapshotList>;
  infos: Record<string, DatabaseInfo>;
  selectedFile: string | null;
  details: {
    readonly appId: string;
    readonly file: string;
    readonly value: SnapshotDetails | null;
    readonly error: LifeboatError | null;
  } | null;
  filter: string;
  sort: { readonly column: SortColumn; readonly descending: boolean };
  /** The row just created, highlighted once. */
  highlightFile: string | null;
  /** Show only snapshots at this revision (set from the Schema view). */
  revisionFilter: string | null;
}

export interface SchemaSlice {
  /** Per app: its migrations and the live database's place on them; null when none were found. */
  schemas: Record<string, MigrationReport | null>;
  /** Per app: its activity log, newest first. */
  activity: Record<string, readonly ActivityEntry[]>;
  view: 'snapshots' | 'schema' | 'activity';
}

export type JobStatus = 'running' | 'done' | 'failed' | 'cancelled';
export interface JobView {
  readonly jobId: string;
  readonly appId: string;
  readonly kind: UiJobKind;
  readonly phase: string;
  readonly fraction: number;
  readonly status: JobStatus;
  readonly error: LifeboatError | null;
  readonly summary: string | null;
  /** When the page first heard of it (ms since the epoch), to say how long is left. */
  readonly startedAt: number;
}
export interface JobsSlice {
  jobs: Record<string, JobView>;
  /** Jobs that bring a snapshot back from offsite to restore it: the restore opens when one ends. */
  pullsToRestore: readonly string[];
  /** Pulls that ended, by job id, with the file they brought back (a fast one ends before its id is back). */
  pulled: Readonly<Record<string, string>>;
  /** What finished comparisons found, by job id (the compare dialog and the restore preview read them). */
  diffResults: Record<string, DiffResult>;
}

/** What the restore dialog does: a restore, the undo of the last one, a rehearsal, or the recovery of an interrupted one. */
export type RestoreMode = 'restore' | 'undo' | 'rehearse' | 'resume' | 'rollback';

/** The restore the dialog shows: its preview, then its steps as the job reports them, then its result. */
export interface RestoreRun {
  readonly appId: string;
  /** The snapshot put in place (for resume and rollback: the one the journal names). */
  readonly file: string;
  readonly mode: RestoreMode;
  readonly preview: RestorePreview | null;
  /** Why the preview could not be made. */
  readonly previewError: LifeboatError | null;
  readonly jobId: string | null;
  /** Asked to start, its job id not back yet: the job's first events (a fast rollback's all) may arrive before it. */
  readonly starting: boolean;
  /** The step running now (the restore's or its rollback's), from the job's step events. */
  readonly current: AnyStep | null;
  /** When each step began (this window's clock). */
  readonly startedAt: Readonly<Partial<Record<AnyStep, number>>>;
  /** What the job said of its steps so far: done, skipped (with the reason), failed. */
  readonly said: readonly Exclude<StepEvent, { type: 'started' }>[];
  /** Sub-progress of the step running now (copying pages, verifying), with what it is doing. */
  readonly work: { readonly phase: string; readonly fraction: number } | null;
  /** What the app's commands printed. */
  readonly output: readonly string[];
  readonly result: RestoreResult | null;
  /** The job failed before changing anything (refused, stop command failed, cancelled early). */
  readonly error: LifeboatError | null;
  /** The comparison of the snapshot with the live database the preview shows (rows lost and got back). */
  readonly rowsJobId: string | null;
}
export interface RestoreSlice {
  restore: RestoreRun | null;
}

/** A comparison of two databases the compare dialog shows: its job, then its result. */
export interface CompareRun {
  readonly appId: string;
  /** Snapshot file names, or "live". */
  readonly a: string;
  readonly b: string;
  readonly jobId: string | null;
  /** Why it did not start. */
  readonly error: LifeboatError | null;
  /** The dialog to go back to when it closes (the restore's preview it was opened from). */
  readonly returnTo: Dialog;
}
export interface CompareSlice {
  compare: CompareRun | null;
}

/** What the browse grid shows: a source (a snapshot's file or "live"), a table, a filter, an order, a page. */
export interface BrowseQuery {
  readonly appId: string;
  readonly source: string;
  /** Null until the first page names the first table. */
  readonly table: string | null;
  readonly filter: string;
  readonly orderBy: string | null;
  readonly descending: boolean;
  readonly offset: number;
}
export interface BrowseSlice {
  browse: {
    readonly query: BrowseQuery;
    readonly page: TablePage | null;
    readonly error: LifeboatError | null;
  } | null;
}

export type Dialog =
  | { readonly kind: 'none' }
  | { readonly kind: 'add-app'; readonly initialPath: string }
  | { readonly kind: 'add-host' }
  | { readonly kind: 'confirm-remove-host'; readonly hostId: string }
  | { readonly kind: 'snapshot'; readonly appId: string; readonly jobId: string | null }
  | { readonly kind: 'confirm-delete'; readonly appId: string; readonly file: string }
  | { readonly kind: 'confirm-remove-app'; readonly appId: string }
  | { readonly kind: 'migrations'; readonly appId: string }
  | { readonly kind: 'restore' }
  | { readonly kind: 'run-settings'; readonly appId: string }
  | { readonly kind: 'automation'; readonly appId: string }
  | { readonly kind: 'compare' }
  | { readonly kind: 'browse' }
  | { readonly kind: 'copy'; readonly appId: string; readonly file: string }
  | { readonly kind: 'offsite'; readonly appId: string }
  | { readonly kind: 'remote'; readonly appId: string };

export interface UiSlice {
  dialog: Dialog;
  /** The last error, shown in a banner with what to do. */
  banner: LifeboatError | null;
  /** A short confirmation ("Snapshot verified"), shown briefly. */
  notice: string | null;
  loading: boolean;
  /** In a browser: the link to `lifeboat serve` dropped, and the page is retrying. */
  disconnected: boolean;
}

export type State = AppsSlice &
  SnapshotsSlice &
  SchemaSlice &
  JobsSlice &
  RestoreSlice &
  CompareSlice &
  BrowseSlice &
  UiSlice;

const createAppsSlice: StateCreator<State, [], [], AppsSlice> = () => ({
  overview: null,
  selectedAppId: null,
  page: 'app',
});
const createSnapshotsSlice: StateCreator<State, [], [], SnapshotsSlice> = () => ({
  lists: {},
  infos: {},
  selectedFile: null,
  details: null,
  filter: '',
  sort: { column: 'time', descending: true },
  highlightFile: null,
  revisionFilter: null,
});
const createSchemaSlice: StateCreator<State, [], [], SchemaSlice> = () => ({
  schemas: {},
  activity: {},
  view: 'snapshots',
});
const createJobsSlice: StateCreator<State, [], [], JobsSlice> = () => ({
  jobs: {},
  diffResults: {},
  pullsToRestore: [],
  pulled: {},
});
const createRestoreSlice: StateCreator<State, [], [], RestoreSlice> = () => ({ restore: null });
const createCompareSlice: StateCreator<State, [], [], CompareSlice> = () => ({ compare: null });
const createBrowseSlice: StateCreator<State, [], [], BrowseSlice> = () => ({ browse: null });
const createUiSlice: StateCreator<State, [], [], UiSlice> = () => ({
  dialog: { kind: 'none' },
  banner: null,
  notice: null,
  loading: true,
  disconnected: false,
});

export const useStore = create<State>()((...args) => ({
  ...createAppsSlice(...args),
  ...createSnapshotsSlice(...args),
  ...createSchemaSlice(...args),
  ...createJobsSlice(...args),
  ...createRestoreSlice(...args),
  ...createCompareSlice(...args),
  ...createBrowseSlice(...args),
  ...createUiSlice(...args),
}));
