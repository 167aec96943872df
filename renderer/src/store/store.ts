import { create } from 'zustand';
import type { ActivityEntry } from '#contract/activity';
import type { AppsOverview } from '#contract/apps';
import type { LifeboatError } from '#contract/errors';
import type { MigrationReport } from '#contract/migrations';
import type { DatabaseInfo, SnapshotDetails, SnapshotList } from '#contract/snapshots';
import { initialBrowse, type BrowseSlice } from './browse-state';
import { initialCompare, type CompareSlice } from './compare-state';
import { initialJobs, type JobsSlice } from './jobs-state';
import { initialRestore, type RestoreSlice } from './restore-state';

/**
 * One store made of feature slices; components read it through narrow selectors. The slices' types
 * live here, below the features that change them, so that the store imports no feature.
 */

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
  | { readonly kind: 'adopt-settings'; readonly appId: string }
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
  /** The page's one clock (ms), which every age on screen is read against; ticked by `startClock`. */
  now: number;
}

export type State = AppsSlice &
  SnapshotsSlice &
  SchemaSlice &
  JobsSlice &
  RestoreSlice &
  CompareSlice &
  BrowseSlice &
  UiSlice;

const initialApps: AppsSlice = {
  overview: null,
  selectedAppId: null,
  page: 'app',
};
const initialSnapshots: SnapshotsSlice = {
  lists: {},
  infos: {},
  selectedFile: null,
  details: null,
  filter: '',
  sort: { column: 'time', descending: true },
  highlightFile: null,
  revisionFilter: null,
};
const initialSchema: SchemaSlice = {
  schemas: {},
  activity: {},
  view: 'snapshots',
};
const initialUi: UiSlice = {
  dialog: { kind: 'none' },
  banner: null,
  notice: null,
  loading: true,
  disconnected: false,
  now: Date.now(),
};

/** The store starts from each slice's initial state; actions (plain functions) change it with setState. */
export const useStore = create<State>()(() => ({
  ...initialApps,
  ...initialSnapshots,
  ...initialSchema,
  ...initialJobs,
  ...initialRestore,
  ...initialCompare,
  ...initialBrowse,
  ...initialUi,
}));
