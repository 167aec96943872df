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
import type { AppSettings, PreviewRequest } from '../restore/restore-preflight';
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

/** What a job is asked to do; each kind runs in a worker thread. */
export type JobRequest =
  | { readonly kind: 'snapshot'; readonly input: SnapshotRequest }
  | { readonly kind: 'verify'; readonly input: VerifyRequest }
  | { readonly kind: 'info'; readonly input: DatabaseLocation }
  | { readonly kind: 'inspect'; readonly input: InspectRequest }
  | { readonly kind: 'demo'; readonly input: { readonly dataDir: string } }
  | {
      readonly kind: 'list';
      readonly input: {
        readonly location: DatabaseLocation;
        readonly setup: MigrationSetup | null;
        /** The app's offsite targets by name, for each snapshot's marks (none: no marks). */
        readonly offsiteTargets?: readonly string[];
      };
    }
  | {
      readonly kind: 'migrations';
      readonly input: { readonly databasePath: string; readonly setup: MigrationSetup };
    }
  | { readonly kind: 'migrate'; readonly input: MigrateRequest }
  | { readonly kind: 'restore'; readonly input: RestoreRequest }
  | { readonly kind: 'restore-recover'; readonly input: RecoverRequest }
  | { readonly kind: 'restore-preview'; readonly input: PreviewRequest }
  | { readonly kind: 'rehearse'; readonly input: PreviewRequest }
  | {
      readonly kind: 'upgrade';
      readonly input: { readonly location: DatabaseLocation; readonly app: AppSettings };
    }
  | { readonly kind: 'pin'; readonly input: PinRequest }
  | { readonly kind: 'delete'; readonly input: DeleteRequest }
  | { readonly kind: 'prune'; readonly input: PruneRequest }
  | { readonly kind: 'diff'; readonly input: DiffRequest }
  | { readonly kind: 'rows'; readonly input: RowsQuery & { readonly offset: number; readonly limit: number } }
  | {
      readonly kind: 'export';
      readonly input: RowsQuery & { readonly format: ExportFormat; readonly target: string | null };
    }
  | { readonly kind: 'copy'; readonly input: { readonly snapshotPath: string; readonly target: string } }
  | { readonly kind: 'push'; readonly input: PushRequest }
  | { readonly kind: 'pull'; readonly input: PullRequest }
  | { readonly kind: 'remote-list'; readonly input: RemoteListRequest };

/** The request of one kind of job. */
export type JobRequestOf<K extends JobRequest['kind']> = Extract<JobRequest, { readonly kind: K }>;

/** What each kind of job produces. */
export interface JobOutputs {
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
}

/** The data a worker is started with. */
export interface WorkerData {
  readonly jobId: string;
  readonly request: JobRequest;
  /** One Int32: set to 1 by the starting thread to cancel. */
  readonly cancelBuffer: SharedArrayBuffer;
}
