import { z } from 'zod';
import type { ActivityEntry } from './activity';
import type { JobKind } from './jobs';
import type { AppsOverview, AppSummary, SettingsReview } from './apps';
import type { OperationName } from './names';
import { appRunSchema } from './app-run';
import { migrationToolSchema, type MigrationReport } from './migrations';
import type { RestorePreview } from './restore';
import { retentionRulesSchema, type PruneResult } from './retention';
import { durationSchema, scheduleSchema } from './schedule';
import { exportFormatSchema, type TablePage } from './browse';
import { offsiteTargetSchema, type RemoteList } from './offsite';
import { hostAddressSchema, hostCommandSchema, type HostStatus } from './hosts';
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
  .refine(
    (name) => !/[/\\]/.test(name) && name !== '.' && name !== '..',
    'must be a file name from the snapshot list',
  );

/** Where a read comes from: a snapshot's file name, or "live" for the live database (opened read-only). */
const source = z.union([z.literal('live'), snapshotFile]);
const rowsQuery = {
  source,
  table: z.string().min(1).max(1000).optional(),
  /** Rows whose text, in any column, contains this. */
  filter: z.string().max(1000).default(''),
  orderBy: z.string().min(1).max(1000).optional(),
  descending: z.boolean().default(false),
};
/** A new file the user names (it must not exist): the full path. */
const newFilePath = z.string().trim().min(1, 'Enter the full path of a new file.').max(4096);

export const operationInputs = {
  'apps:list': z.object({}),
  'apps:add': z.object({
    database: z.string().trim().min(1, 'Enter the path of the database file or an sqlite:/// URL.').max(4096),
    name: z.string().trim().max(100).optional(),
    backupsDir: z.string().trim().max(4096).optional(),
    /** Add it even though the database's folder does not exist (a volume not mounted yet). */
    allowMissingFolder: z.boolean().optional(),
    /** Add it on this host (its id) rather than on this computer: the paths are the host's. */
    host: z.string().min(1).max(40).optional(),
  }),
  'apps:remove': z.object({ appId }),
  /** The app's lifeboat.json as it reads now, with what adopting it would take into Lifeboat's settings. */
  'apps:reviewSettings': z.object({ appId }),
  /** Takes the settings of the lifeboat.json a person reviewed (its SHA-256) into Lifeboat's own. */
  'apps:adoptSettings': z.object({ appId, sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  /** Choose the migrations folder and tool; both absent: go back to detection. */
  'apps:setMigrations': z.object({
    appId,
    dir: z.string().trim().max(4096).optional(),
    tool: migrationToolSchema.optional(),
  }),
  /** How to run the app: its folder (for lifeboat.json and the commands) and its run settings; absent: none. */
  'apps:setRun': z.object({
    appId,
    appDir: z.string().trim().max(4096).optional(),
    run: appRunSchema.optional(),
  }),
  /** The app's schedule, retention rules and staleness limit in Lifeboat's settings; an absent part: none. */
  'apps:setAutomation': z.object({
    appId,
    schedule: scheduleSchema.optional(),
    retention: retentionRulesSchema.optional(),
    staleAfter: durationSchema.optional(),
  }),
  /** What these rules would keep and delete among the app's snapshots now, and why (nothing is deleted). */
  /** `schedule`: the one the person is choosing; its next run's snapshot is planned in before the rules. */
  'retention:preview': z.object({ appId, rules: retentionRulesSchema, schedule: scheduleSchema.optional() }),
  'demo:open': z.object({}),
  'database:info': z.object({ appId }),
  'snapshots:list': z.object({ appId }),
  'migrations:status': z.object({ appId }),
  'snapshots:inspect': z.object({ appId, file: snapshotFile }),
  'snapshots:create': z.object({
    appId,
    label: z.string().max(200).optional(),
    note: z.string().max(2000).optional(),
  }),
  'snapshots:verify': z.object({ appId, files: z.array(snapshotFile).min(1).max(10000) }),
  'snapshots:delete': z.object({ appId, file: snapshotFile }),
  /** Pin (kept until unpinned, never deleted) or unpin one snapshot. */
  'snapshots:pin': z.object({ appId, file: snapshotFile, pinned: z.boolean() }),
  /** What changed from A to B: snapshot file names, or "live" for the live database (read only). */
  'snapshots:diff': z.object({
    appId,
    a: z.union([z.literal('live'), snapshotFile]),
    b: z.union([z.literal('live'), snapshotFile]),
    table: z.string().max(1000).optional(),
  }),
  /** A page of a table of a snapshot or the live database (read only); no table: the first. */
  'snapshots:rows': z.object({
    appId,
    ...rowsQuery,
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(500).default(200),
  }),
  /** The rows the filter shows, written as CSV or SQL INSERTs to a new file at `path`. */
  'snapshots:export': z.object({
    appId,
    ...rowsQuery,
    table: z.string().min(1).max(1000),
    format: exportFormatSchema,
    path: newFilePath,
  }),
  /** Restore as a copy: the snapshot written to a new file at `path`, for inspection; nothing live changes. */
  'snapshots:copy': z.object({ appId, file: snapshotFile, path: newFilePath }),
  'jobs:cancel': z.object({ jobId: z.string().min(1).max(100) }),
  'jobs:list': z.object({}),
  'activity:list': z.object({ appId }),
  /** undo: the preview of *Undo last restore* (the pre-restore snapshot goes back as it was, not upgraded). */
  'restore:preview': z.object({ appId, file: snapshotFile, undo: z.boolean().default(false) }),
  /** allowOpen: the user explicitly chose to restore although a process holds the database open. */
  'restore:start': z.object({ appId, file: snapshotFile, allowOpen: z.boolean().default(false) }),
  'restore:rehearse': z.object({ appId, file: snapshotFile }),
  'restore:recover': z.object({ appId, mode: z.enum(['resume', 'rollback']) }),
  /** Puts back the pre-restore snapshot of the last restore (`file`: the one the user was shown). */
  'restore:undo': z.object({ appId, file: snapshotFile }),
  /** The app's offsite targets in Lifeboat's settings (all of them: the dialog sends what it shows), and S3 keys to keep (null: forget). */
  'apps:setOffsite': z.object({
    appId,
    targets: z.array(offsiteTargetSchema).max(20),
    keys: z
      .record(
        z.string().max(64),
        z
          .object({
            accessKeyId: z.string().trim().min(1).max(256),
            secretAccessKey: z.string().min(1).max(256),
          })
          .nullable(),
      )
      .default({}),
  }),
  /** Sends the app's verified snapshots (these, or all not there yet) to each of its targets. */
  'offsite:push': z.object({ appId, files: z.array(snapshotFile).max(10000).default([]) }),
  /** What one of the app's targets holds: for this app on this machine, or every host and app. */
  'offsite:list': z.object({
    appId,
    target: z.string().min(1).max(64),
    allHosts: z.boolean().default(false),
  }),
  /** Brings a snapshot back from a target into the backups folder, checked and verified (then restore it). */
  'offsite:pull': z.object({
    appId,
    target: z.string().min(1).max(64),
    id: z.string().min(1).max(400),
    identities: z
      .array(
        z
          .string()
          .trim()
          .regex(/^AGE-SECRET-KEY-[0-9A-Z]+$/, 'an age identity (AGE-SECRET-KEY-…)'),
      )
      .max(10)
      .default([]),
    /**
     * For an app on another host: the host the person confirmed the identities may be sent to. The
     * hub sends them to no host but this one, and only when it is the app's.
     */
    sendIdentitiesTo: z.string().min(1).max(64).optional(),
  }),
  /** Shows another machine's apps here: reached with `ssh ADDRESS`, where its Lifeboat answers. */
  'hosts:add': z.object({
    address: hostAddressSchema,
    /** The Lifeboat command there; absent: "lifeboat". */
    command: hostCommandSchema.optional(),
  }),
  'hosts:remove': z.object({ hostId: z.string().min(1).max(40) }),
  /** Tries to reach the host again now (it is retried every minute anyway). */
  'hosts:reconnect': z.object({ hostId: z.string().min(1).max(40) }),
} as const satisfies { readonly [K in OperationName]: z.ZodType };
export type OperationInput<K extends OperationName> = z.input<(typeof operationInputs)[K]>;
export type ParsedInput<K extends OperationName> = z.output<(typeof operationInputs)[K]>;

export interface JobStarted {
  readonly jobId: string;
}

/** The kinds of job the UI starts and follows (the others answer a call and are not shown as jobs). */
export const uiJobKinds = [
  'snapshot',
  'verify',
  'restore',
  'rehearse',
  'restore-recover',
  'diff',
  'export',
  'copy',
  'push',
  'pull',
] as const satisfies readonly JobKind[];
export type UiJobKind = (typeof uiJobKinds)[number];

/** Jobs that change the live database (a restore, a recovery): one at a time per app; quitting asks first. */
export function changesLiveDatabase(kind: UiJobKind): boolean {
  return kind === 'restore' || kind === 'restore-recover';
}

/** The UI's kind of a job, or null for one it does not follow. */
export function uiJobKindOf(kind: JobKind): UiJobKind | null {
  return uiJobKinds.find((k) => k === kind) ?? null;
}

/** A job the UI can follow: started by snapshots:create, snapshots:verify or a restore:* operation. */
export interface JobState {
  readonly jobId: string;
  readonly kind: UiJobKind;
  readonly appId: string;
  readonly phase: string;
  readonly fraction: number;
}

export interface OperationOutputs {
  'apps:list': AppsOverview;
  'apps:add': AppSummary;
  'apps:remove': { readonly removed: string };
  'apps:reviewSettings': SettingsReview;
  'apps:adoptSettings': AppSummary;
  'apps:setMigrations': AppSummary;
  'apps:setRun': AppSummary;
  'apps:setAutomation': AppSummary;
  'retention:preview': PruneResult;
  'demo:open': AppSummary;
  'database:info': DatabaseInfo;
  'snapshots:list': SnapshotList;
  /** Null when no migrations are found for the app. */
  'migrations:status': MigrationReport | null;
  'snapshots:inspect': SnapshotDetails;
  'snapshots:create': JobStarted;
  'snapshots:verify': JobStarted;
  'snapshots:delete': { readonly deleted: string };
  'snapshots:pin': { readonly file: string; readonly pinned: boolean };
  'snapshots:diff': JobStarted;
  'snapshots:rows': TablePage;
  'snapshots:export': JobStarted;
  'snapshots:copy': JobStarted;
  'jobs:cancel': { readonly cancelled: boolean };
  'jobs:list': readonly JobState[];
  /** Newest first. */
  'activity:list': readonly ActivityEntry[];
  'restore:preview': RestorePreview;
  'restore:start': JobStarted;
  'restore:rehearse': JobStarted;
  'restore:recover': JobStarted;
  'restore:undo': JobStarted;
  'apps:setOffsite': AppSummary;
  'offsite:push': JobStarted;
  'offsite:list': RemoteList;
  'offsite:pull': JobStarted;
  'hosts:add': HostStatus;
  'hosts:remove': { readonly removed: string };
  'hosts:reconnect': HostStatus;
}

export type OperationOutput<K extends OperationName> = OperationOutputs[K];
