import { z } from 'zod';
import { drillStatusSchema } from './drill';
import { appRunSchema } from './app-run';
import { hostStatusSchema } from './hosts';
import { migrationToolSchema } from './migrations';
import { offsiteTargetSchema, targetSummarySchema } from './offsite';
import { retentionRulesSchema } from './retention';
import { durationSchema, freshnessSchema, notifyTargetSchema, scheduleSchema } from './schedule';

/** An app whose database Lifeboat looks after, as kept in the settings file. */
/** Where an app's migrations are, when the user chose them rather than leaving them to detection. */
export const appMigrationsSchema = z.object({ dir: z.string().min(1), tool: migrationToolSchema });

export const appSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  databasePath: z.string().min(1),
  backupsDir: z.string().min(1),
  /** Absent: detected from the database's folder. */
  migrations: appMigrationsSchema.optional(),
  /** The app's own folder: where its lifeboat.json is and its commands run. Absent: the database's folder. */
  appDir: z.string().min(1).optional(),
  /** How to run the app around a restore, kept in Lifeboat's settings (a lifeboat.json in appDir wins). */
  run: appRunSchema.optional(),
  /** Automatic snapshots, retention and staleness, kept in Lifeboat's settings (a lifeboat.json in appDir wins, rule by rule). */
  schedule: scheduleSchema.optional(),
  retention: retentionRulesSchema.optional(),
  staleAfter: durationSchema.optional(),
  /** Offsite targets kept in Lifeboat's settings (a lifeboat.json's targets of the same name win). */
  offsite: z.array(offsiteTargetSchema).max(20).optional(),
  /** Who hears about this app's failures and staleness, besides the global targets (a lifeboat.json's win). */
  notify: z.array(notifyTargetSchema).max(20).optional(),
  /** The lifeboat.json (one Lifeboat ignores: another user can change it) whose settings a person read and adopted. */
  adoptedSettings: z.object({ path: z.string(), sha256: z.string(), at: z.string() }).optional(),
});
export type App = z.infer<typeof appSchema>;

/**
 * The colour of an app's status dot: `ok` (fresh: a restorable snapshot within its schedule, or the
 * last 7 days; no damaged file), `stale` (the newest is older), `failing` (the last scheduled snapshot
 * failed), `no-snapshots`, `problem` (a corrupt or incomplete file in the folder, an interrupted
 * restore), `no-database` (the live file does not exist yet).
 */
export const appHealthSchema = z.enum(['ok', 'stale', 'failing', 'no-snapshots', 'problem', 'no-database']);
export type AppHealth = z.infer<typeof appHealthSchema>;

export const appSummarySchema = appSchema.extend({
  /** The host it lives on (its id in `hosts`), or null for this computer. */
  host: z.string().nullable().default(null),
  health: appHealthSchema,
  /** One sentence explaining the health, for the dot's tooltip. */
  healthText: z.string(),
  newestSnapshot: z.object({ file: z.string(), time: z.string() }).nullable(),
  snapshotCount: z.number().int().nonnegative(),
  /** The migrations in use (chosen or detected), or null when none were found. */
  migrationsFound: z
    .object({ tool: migrationToolSchema, locations: z.array(z.string()), detected: z.boolean() })
    .nullable(),
  /** Where the app's run settings come from: its lifeboat.json (the path), Lifeboat's settings, or nowhere yet. */
  runSource: z.union([
    z.object({ kind: z.literal('file'), path: z.string() }),
    z.object({ kind: z.enum(['settings', 'none']) }),
  ]),
  /** The run settings of its lifeboat.json, which win over `run`; null without one. */
  runFromFile: appRunSchema.nullable(),
  /** Set when a damaged lifeboat.json was found: what is wrong with it. */
  runProblem: z.string().nullable(),
  /**
   * A lifeboat.json Lifeboat takes nothing from, because someone other than Lifeboat's user or root
   * can change it: where it is and why (a person may read it and adopt it into Lifeboat's settings).
   */
  settingsIgnored: z
    .object({
      path: z.string(),
      reason: z.string(),
      text: z.string(),
      /** Its settings were adopted as it reads now (false: never, or it changed since). */
      adopted: z.boolean(),
    })
    .nullable()
    .default(null),
  /**
   * The lifeboat.json a person writes by hand what this page may not save (targets, alerts, commands):
   * its path, and why Lifeboat would ignore a file there (null: it would take it). Null on another host.
   */
  settingsHome: z
    .object({ path: z.string(), ignoredBecause: z.string().nullable() })
    .nullable()
    .default(null),
  /** A restore that was interrupted (its journal is beside the database): finish it or roll it back. */
  interruptedRestore: z.object({ step: z.string(), snapshot: z.string(), startedAt: z.string() }).nullable(),
  /** What runs without anyone clicking, and where each part is set (lifeboat.json parts cannot be changed in the UI). */
  automation: z.object({
    schedule: scheduleSchema.nullable(),
    retention: retentionRulesSchema.nullable(),
    staleAfter: durationSchema.nullable(),
    fromFile: z.array(z.enum(['schedule', 'retention', 'staleAfter'])),
    /** Where each verified snapshot also goes. */
    offsite: z.array(targetSummarySchema).default([]),
    /** Where alerts go, secrets masked ("ntfy https://ntfy.sh/…opic"). */
    notify: z.array(z.string()),
  }),
  /** How fresh its protection is; null when Lifeboat cannot read its folders. */
  freshness: freshnessSchema.nullable(),
  /** Whether an offsite copy was proven restorable lately (the drills); null when no drill is set and none ran. */
  drill: drillStatusSchema.nullable(),
  /**
   * The newest restore, undo or redo, while the snapshot that reverses it still exists: a restore or a
   * redo is undone by putting `preRestore` back; an undo is redone the same way.
   */
  lastRestore: z
    .object({
      at: z.string(),
      /** What it was; absent in what an older Lifeboat sent: a restore. */
      action: z.enum(['restore', 'undo', 'redo']).default('restore'),
      snapshot: z.string().nullable(),
      preRestore: z.string(),
    })
    .nullable(),
});
export type AppSummary = z.infer<typeof appSummarySchema>;

export const appsOverviewSchema = z.object({
  apps: z.array(appSummarySchema),
  /** Set when the settings file was damaged and kept aside: what happened and where the file is. */
  settingsProblem: z.string().nullable(),
  /** The other machines this Lifeboat shows, with how each is doing (their apps are in `apps`). */
  hosts: z.array(hostStatusSchema).default([]),
  /** What this host lets the UI change: the web host never sends data to new places or keeps keys. */
  host: z
    .object({
      /** Offsite targets may be added and changed here (not through lifeboat serve). */
      editOffsite: z.boolean(),
      /** S3 keys can be kept here (the desktop app's keychain). */
      keepsKeys: z.boolean(),
      /** Hosts may be added and removed here (not through lifeboat serve: it would run ssh for a token holder). */
      editHosts: z.boolean().default(false),
      /** An app's commands and their environment may be set here (not through lifeboat serve: no shell for a token holder). */
      editCommands: z.boolean().default(false),
      /** `lifeboat serve --admin`: the page may do what the desktop app does, and says so in a banner. */
      admin: z.boolean().default(false),
    })
    .default({ editOffsite: false, keepsKeys: false, editHosts: false, editCommands: false, admin: false }),
});
export type AppsOverview = z.infer<typeof appsOverviewSchema>;

/** A lifeboat.json shown to a person before they adopt it into Lifeboat's own settings. */
export interface SettingsReview {
  readonly path: string;
  /** Its text, exactly as read. */
  readonly text: string;
  /** Of that text: adopting names it, so what is adopted is what was read. */
  readonly sha256: string;
  /** Why Lifeboat ignores it; null when it does not (a file Lifeboat trusts needs no adopting). */
  readonly ignoredBecause: string | null;
  /** What adopting puts into Lifeboat's settings, a line each ("schedule: every 6h"). */
  readonly adopts: readonly string[];
  /** What it sets that adopting leaves as it is, and why. */
  readonly leftOut: readonly string[];
  /** Why this host cannot adopt it (a token holder of lifeboat serve may not set commands or targets); null when it can. */
  readonly refused: string | null;
}
