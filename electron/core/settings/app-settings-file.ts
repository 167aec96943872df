import * as path from 'node:path';
import { z } from 'zod';
import { appRunSchema, type AppRun } from '../../contract/app-run';
import { appMigrationsSchema } from '../../contract/apps';
import { offsiteTargetSchema, type OffsiteTarget } from '../../contract/offsite';
import { retentionRulesSchema, type RetentionRules } from '../../contract/retention';
import {
  durationSchema,
  notifyTargetSchema,
  scheduleSchema,
  type NotifyTarget,
  type Schedule,
} from '../../contract/schedule';
import { readUntrustedText } from '../fs/untrusted-file';
import { LifeboatFailure } from '../lifeboat-failure';

const maxSettingsBytes = 256 * 1024;

/**
 * `lifeboat.json` in an app's own folder (committed with the app, like alembic.ini): its database,
 * backups folder, migrations and how to run it. Read alike by the CLI (`--app DIR`) and the desktop app.
 */
export const appSettingsFileName = 'lifeboat.json';

const appSettingsFileSchema = z.object({
  /** A path (relative to the app folder) or an sqlite:/// URL. */
  database: z.string().min(1).optional(),
  backupsDir: z.string().min(1).optional(),
  migrations: appMigrationsSchema.optional(),
  run: appRunSchema.optional(),
  /** Which snapshots `lifeboat prune` (and the keeper, after each scheduled snapshot) keeps. */
  retention: retentionRulesSchema.optional(),
  /** When the keeper takes a snapshot: {"every": "6h"}, {"daily": "03:30"} or {"cron": "0 *\/4 * * *"}. */
  schedule: scheduleSchema.optional(),
  /** Stale after this long without a snapshot ("2d"); default 1.25 times the schedule's period, else a week. */
  staleAfter: durationSchema.optional(),
  /** Who hears when a scheduled run fails, when the app turns stale, and when it recovers. */
  notify: z.array(notifyTargetSchema).max(20).optional(),
  /** The app's name in offsite keys (default: the folder this file is in). */
  name: z.string().min(1).max(63).optional(),
  /** Where each verified snapshot is also sent (S3, SFTP, a folder), by name. */
  offsite: z
    .array(offsiteTargetSchema)
    .max(20)
    .refine(
      (targets) => new Set(targets.map((t) => t.name)).size === targets.length,
      'target names must differ',
    )
    .optional(),
});

export interface AppSettingsFile {
  readonly dir: string;
  readonly database: string | undefined;
  readonly backupsDir: string | undefined;
  readonly migrations:
    { readonly dir: string; readonly tool: z.infer<typeof appMigrationsSchema>['tool'] } | undefined;
  readonly run: AppRun | undefined;
  readonly retention: RetentionRules | undefined;
  readonly schedule: Schedule | undefined;
  readonly staleAfter: string | undefined;
  readonly notify: readonly NotifyTarget[] | undefined;
  readonly name: string | undefined;
  readonly offsite: readonly OffsiteTarget[] | undefined;
  /** Who owns the file: one of another user (the app's) may not send the data anywhere on its own. */
  readonly ownerUid: number;
}

/** Whether the file belongs to the user Lifeboat runs as, or to root. */
export function isOwnSettingsFile(file: AppSettingsFile): boolean {
  const uid = process.getuid?.();
  return uid === undefined || file.ownerUid === uid || file.ownerUid === 0;
}

/** The lifeboat.json in `dir` as untrusted text (no link, no FIFO, a size cap); null when there is none. */
function readSettingsText(dir: string): { file: string; text: string; ownerUid: number } | null {
  const file = path.join(dir, appSettingsFileName);
  const read = readUntrustedText(file, maxSettingsBytes);
  if (read.kind === 'missing') {
    return null;
  }
  if (read.kind === 'refused') {
    throw new LifeboatFailure('INVALID_ARGUMENT', `${file} was not read: ${read.reason}.`, file);
  }
  return { file, text: read.text, ownerUid: read.stat.uid };
}

/** Reads the app folder's lifeboat.json; null when there is none. A damaged one is an error, not ignored. */
export function readAppSettingsFile(appDir: string): AppSettingsFile | null {
  const read = readSettingsText(appDir);
  return read === null ? null : parseSettings(appDir, read.file, read.text, read.ownerUid);
}

/**
 * The lifeboat.json beside a database, when no app folder was named: used only if it belongs to the
 * user running Lifeboat (or root). One the app's user wrote must not steer what root deletes.
 */
export function readSettingsBesideDatabase(databasePath: string): AppSettingsFile | null {
  const dir = path.dirname(databasePath);
  const read = readSettingsText(dir);
  if (read === null) {
    return null;
  }
  const uid = process.getuid?.();
  if (uid !== undefined && read.ownerUid !== uid && read.ownerUid !== 0) {
    throw new LifeboatFailure(
      'PERMISSION_DENIED',
      `${read.file} belongs to another user (uid ${read.ownerUid}), so Lifeboat does not take its settings on its own: name the folder with --app ${dir} if you trust it, or pass the rules as flags.`,
      read.file,
    );
  }
  return parseSettings(dir, read.file, read.text, read.ownerUid);
}

function parseSettings(appDir: string, file: string, text: string, ownerUid: number): AppSettingsFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `${file} is not valid JSON: ${(error as Error).message}`,
      file,
    );
  }
  const parsed = appSettingsFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; ')}`,
      file,
    );
  }
  const settings = parsed.data;
  return {
    dir: appDir,
    database: settings.database,
    backupsDir: settings.backupsDir === undefined ? undefined : path.resolve(appDir, settings.backupsDir),
    migrations:
      settings.migrations === undefined
        ? undefined
        : { dir: path.resolve(appDir, settings.migrations.dir), tool: settings.migrations.tool },
    run: settings.run,
    retention: settings.retention,
    schedule: settings.schedule,
    staleAfter: settings.staleAfter,
    notify: settings.notify,
    name: settings.name,
    offsite: settings.offsite,
    ownerUid,
  };
}
