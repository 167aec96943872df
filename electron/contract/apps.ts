import { z } from 'zod';

/** An app whose database Lifeboat looks after, as kept in the settings file. */
export const appSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  databasePath: z.string().min(1),
  backupsDir: z.string().min(1),
});
export type App = z.infer<typeof appSchema>;

/**
 * The colour of an app's status dot: `ok` (a restorable snapshot from the last 7 days, no damaged
 * file), `stale` (the newest is older), `no-snapshots`, `problem` (a corrupt or incomplete file in the
 * folder), `no-database` (the live file does not exist yet).
 */
export const appHealthSchema = z.enum(['ok', 'stale', 'no-snapshots', 'problem', 'no-database']);
export type AppHealth = z.infer<typeof appHealthSchema>;

export const appSummarySchema = appSchema.extend({
  health: appHealthSchema,
  /** One sentence explaining the health, for the dot's tooltip. */
  healthText: z.string(),
  newestSnapshot: z.object({ file: z.string(), time: z.string() }).nullable(),
  snapshotCount: z.number().int().nonnegative(),
});
export type AppSummary = z.infer<typeof appSummarySchema>;

export const appsOverviewSchema = z.object({
  apps: z.array(appSummarySchema),
  /** Set when the settings file was damaged and kept aside: what happened and where the file is. */
  settingsProblem: z.string().nullable(),
});
export type AppsOverview = z.infer<typeof appsOverviewSchema>;
