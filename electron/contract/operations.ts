import { z } from 'zod';
import type { ActivityEntry } from './activity';
import type { AppsOverview, AppSummary } from './apps';
import type { OperationName } from './names';
import { migrationToolSchema, type MigrationReport } from './migrations';
import type { DatabaseInfo, SnapshotDetails, SnapshotList } from './snapshots';

export type { OperationName } from './names';

/**
 * Every operation the UI can ask of the Node side, declared once: its name (`area:verb`), the schema
 * of its input, and the type of its output. The Electron binding, the preload, the web host and the
 * renderer's client are all derived from this map. Inputs name things (an app id, a snapshot's file
 * name), never paths to write or commands to run.
 */

const appId = z.string().min(1).max(100);
/** A file name inside the app's backups folder: no separators, so it cannot name anything else. */
const snapshotFile = z
  .string()
  .min(1)
  .max(255)
  .refine((name) => !/[/\\]/.test(name) && name !== '.' && name !== '..', 'must be a file name from the snapshot list');

export const operationInputs = {
  'apps:list': z.object({}),
  'apps:add': z.object({
    database: z.string().trim().min(1, 'Enter the path of the database file or an sqlite:/// URL.').max(4096),
    name: z.string().trim().max(100).optional(),
    backupsDir: z.string().trim().max(4096).optional(),
  }),
  'apps:remove': z.object({ appId }),
  /** Choose the migrations folder and tool; both absent: go back to detection. */
  'apps:setMigrations': z.object({ appId, dir: z.string().trim().max(4096).optional(), tool: migrationToolSchema.optional() }),
  'demo:open': z.object({}),
  'database:info': z.object({ appId }),
  'snapshots:list': z.object({ appId }),
  'migrations:status': z.object({ appId }),
  'snapshots:inspect': z.object({ appId, file: snapshotFile }),
  'snapshots:create': z.object({ appId, label: z.string().max(200).optional(), note: z.string().max(2000).optional() }),
  'snapshots:verify': z.object({ appId, files: z.array(snapshotFile).min(1).max(10000) }),
  'snapshots:delete': z.object({ appId, file: snapshotFile }),
  'jobs:cancel': z.object({ jobId: z.string().min(1).max(100) }),
  'jobs:list': z.object({}),
  'activity:list': z.object({ appId }),
} as const satisfies { readonly [K in OperationName]: z.ZodType };
export type OperationInput<K extends OperationName> = z.input<(typeof operationInputs)[K]>;
export type ParsedInput<K extends OperationName> = z.output<(typeof operationInputs)[K]>;

export interface JobStarted {
  readonly jobId: string;
}

/** A job the UI can follow: started by snapshots:create or snapshots:verify. */
export interface JobState {
  readonly jobId: string;
  readonly kind: 'snapshot' | 'verify';
  readonly appId: string;
  readonly phase: string;
  readonly fraction: number;
}

export interface OperationOutputs {
  'apps:list': AppsOverview;
  'apps:add': AppSummary;
  'apps:remove': { readonly removed: string };
  'apps:setMigrations': AppSummary;
  'demo:open': AppSummary;
  'database:info': DatabaseInfo;
  'snapshots:list': SnapshotList;
  /** Null when no migrations are found for the app. */
  'migrations:status': MigrationReport | null;
  'snapshots:inspect': SnapshotDetails;
  'snapshots:create': JobStarted;
  'snapshots:verify': JobStarted;
  'snapshots:delete': { readonly deleted: string };
  'jobs:cancel': { readonly cancelled: boolean };
  'jobs:list': readonly JobState[];
  /** Newest first. */
  'activity:list': readonly ActivityEntry[];
}

export type OperationOutput<K extends OperationName> = OperationOutputs[K];
