import type { MigrateResult } from '../../contract/migrate';
import type { MigrationReport } from '../../contract/migrations';
import type {
  BackupOutcome,
  DatabaseInfo,
  DeleteResult,
  PinResult,
  SnapshotDetails,
  SnapshotList,
  VerifyResult,
} from '../../contract/snapshots';
import type { MigrationSetup } from '../migrations/migration-reader';
import type { MigrateRequest } from '../migrations/sql-migrate';
import type { RestorePreview, RestoreResult, UpgradeOutcome } from '../../contract/restore';
import type { RecoverRequest, RestoreRequest } from '../restore/guarded-restore';
import type { AppSettings } from '../restore/app-plan';
import type { PreviewRequest } from '../restore/restore-preflight';
import type { DatabaseLocation } from '../database-location';
import type { SnapshotRequest } from '../snapshot/create-snapshot';
import type { InspectRequest } from '../snapshot/inspect-snapshot';
import type { DeleteRequest, PinRequest } from '../snapshot/pin-snapshots';
import type { VerifyRequest } from '../snapshot/verify-snapshots';
import type { PruneResult } from '../../contract/retention';
import type { PruneRequest } from '../retention/prune-snapshots';
import type { DiffResult } from '../../contract/diff';
import type { DiffRequest } from '../diff/diff-databases';
import type { ExportFormat, TablePage, WrittenFile } from '../../contract/browse';
import type { RowsQuery } from '../browse/table-rows';
import type { PulledSnapshot, PushResult, RemoteList } from '../../contract/offsite';
import type { PushRequest } from '../offsite/push-snapshots';
import type { PullRequest } from '../offsite/pull-snapshot';
import type { RemoteListRequest } from '../offsite/remote-snapshots';
import type { DrillResult } from '../../contract/drill';
import type { DrillRequest } from '../offsite/drill-offsite';

/** What each kind of job is given. */
export interface JobInputs {
  snapshot: SnapshotRequest;
  verify: VerifyRequest;
  info: DatabaseLocation;
  inspect: InspectRequest;
  demo: { readonly dataDir: string };
  list: {
    readonly location: DatabaseLocation;
    readonly setup: MigrationSetup | null;
    /** The app's offsite targets by name, for each snapshot's marks (none: no marks). */
    readonly offsiteTargets?: readonly string[];
  };
  migrations: { readonly databasePath: string; readonly setup: MigrationSetup };
  migrate: MigrateRequest;
  restore: RestoreRequest;
  'restore-recover': RecoverRequest;
  'restore-preview': PreviewRequest;
  rehearse: PreviewRequest;
  upgrade: { readonly location: DatabaseLocation; readonly app: AppSettings };
  pin: PinRequest;
  delete: DeleteRequest;
  prune: PruneRequest;
  diff: DiffRequest;
  rows: RowsQuery & { readonly offset: number; readonly limit: number };
  export: RowsQuery & { readonly format: ExportFormat; readonly target: string | null };
  copy: { readonly snapshotPath: string; readonly target: string };
  push: PushRequest;
  pull: PullRequest;
  'remote-list': RemoteListRequest;
  drill: DrillRequest;
}

/** The kinds of job, each run in a worker thread. */
export type JobKind = keyof JobInputs;

/** What a job is asked to do: its kind and that kind's input. */
export type JobRequestOf<K extends JobKind> = { readonly kind: K; readonly input: JobInputs[K] };

/** The request as one of `kind`, if it is one (null otherwise). */
export function isJobOf<K extends JobKind>(request: JobRequestOf<JobKind>, kind: K): JobRequestOf<K> | null {
  return request.kind === kind ? (request as JobRequestOf<K>) : null;
}

/** What each kind of job produces. */
export interface JobOutputs extends Record<JobKind, unknown> {
  snapshot: BackupOutcome;
  verify: VerifyResult;
  info: DatabaseInfo;
  inspect: SnapshotDetails;
  demo: DatabaseLocation;
  list: SnapshotList;
  migrations: { readonly report: MigrationReport | null };
  migrate: MigrateResult;
  restore: RestoreResult;
  'restore-recover': RestoreResult;
  'restore-preview': RestorePreview;
  rehearse: RestoreResult;
  upgrade: UpgradeOutcome;
  pin: PinResult;
  delete: DeleteResult;
  prune: PruneResult;
  diff: DiffResult;
  rows: TablePage;
  export: WrittenFile;
  copy: WrittenFile;
  push: PushResult;
  pull: PulledSnapshot;
  'remote-list': RemoteList;
  drill: DrillResult;
}

/** The data a worker is started with. */
export interface WorkerData {
  readonly jobId: string;
  readonly request: JobRequestOf<JobKind>;
  /** One Int32: set to 1 by the starting thread to cancel. */
  readonly cancelBuffer: SharedArrayBuffer;
}
