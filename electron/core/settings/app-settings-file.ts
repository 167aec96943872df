import { createHash } from 'node:crypto';
import type * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { appRunSchema, type AppRun } from '../../contract/app-run';
import { appMigrationsSchema } from '../../contract/apps';
import { drillSettingsSchema, type DrillSettings } from '../../contract/drill';
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
import { settingsTrustProblem } from './settings-trust';

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
  /** Drills of the offsite copies: {"every": "7d", "targets": ["nas"], "identity": "/etc/lifeboat/age.key"}. */
  drill: drillSettingsSchema.optional(),
});

export interface AppSettingsFile {
  readonly dir: string;
  /** The file itself (in `dir`, or kept elsewhere with --settings). */
  readonly path: string;
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
  readonly drill: DrillSettings | undefined;
}

/** A lifeboat.json Lifeboat takes nothing from: someone other than Lifeboat's user or root can change it. */
export interface IgnoredSettingsFile {
  readonly path: string;
  /** Why, e.g. "it is owned by uid 65534" or "its folder /srv/app is writable by every user". */
  readonly reason: string;
  /** Of its text as read: whether it is still the one a person adopted. */
  readonly sha256: string;
}

/** What an app's lifeboat.json says: its settings when Lifeboat may act on them, else why it is ignored. */
export interface AppSettingsRead {
  readonly file: AppSettingsFile | null;
  readonly ignored: IgnoredSettingsFile | null;
}

function sha256Of(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** One sentence for a person: which file is ignored, why, and what that protects against. */
export function ignoredSettingsText(ignored: IgnoredSettingsFile): string {
  return `${ignored.path} is ignored: ${ignored.reason}, so whoever can change it could make Lifeboat run commands, delete files or send the data elsewhere.`;
}

/** The settings file as untrusted text (no link, no FIFO, a size cap) and its descriptor's stat; null when there is none. */
function readSettingsText(file: string): { text: string; stat: fs.Stats } | null {
  const read = readUntrustedText(file, maxSettingsBytes);
  if (read.kind === 'missing') {
    return null;
  }
  if (read.kind === 'refused') {
    throw new LifeboatFailure('INVALID_ARGUMENT', `${file} was not read: ${read.reason}.`, file);
  }
  return { text: read.text, stat: read.stat };
}

/**
 * Reads an app's lifeboat.json (`settingsPath`, by default the one in `appDir`; relative paths in it
 * are the app folder's). Its settings are taken only when Lifeboat's user or root alone can change it
 * and the folders above it (settings-trust.ts); otherwise it is ignored, and `ignored` says why. A
 * damaged file of Lifeboat's own is an error, not ignored.
 */
export function readAppSettings(
  appDir: string,
  settingsPath: string = path.join(appDir, appSettingsFileName),
): AppSettingsRead {
  const read = readSettingsText(settingsPath);
  if (read === null) {
    return { file: null, ignored: null };
  }
  const reason = settingsTrustProblem(settingsPath, read.stat);
  if (reason !== null) {
    return { file: null, ignored: { path: settingsPath, reason, sha256: sha256Of(read.text) } };
  }
  return { file: parseSettings(appDir, settingsPath, read.text), ignored: null };
}

/**
 * A lifeboat.json to show a person before they adopt it into Lifeboat's own settings, whoever owns
 * it: its text as read, its SHA-256 (so what is adopted is what was read) and what it sets.
 */
export function reviewAppSettings(appDir: string): {
  path: string;
  text: string;
  sha256: string;
  /** Why Lifeboat ignores it, judged on the same read; null when it acts on it. */
  ignoredBecause: string | null;
  settings: AppSettingsFile;
} | null {
  const settingsPath = path.join(appDir, appSettingsFileName);
  const read = readSettingsText(settingsPath);
  if (read === null) {
    return null;
  }
  return {
    path: settingsPath,
    text: read.text,
    sha256: sha256Of(read.text),
    ignoredBecause: settingsTrustProblem(settingsPath, read.stat),
    settings: parseSettings(appDir, settingsPath, read.text),
  };
}

function parseSettings(appDir: string, file: string, text: string): AppSettingsFile {
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
    path: file,
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
    drill:
      settings.drill === undefined
        ? undefined
        : {
            ...settings.drill,
            ...(settings.drill.identity === undefined
              ? {}
              : { identity: path.resolve(appDir, settings.drill.identity) }),
          },
  };
}
