import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { appRunSchema, type AppRun } from '../../contract/app-run';
import { appMigrationsSchema } from '../../contract/apps';
import { LifeboatFailure } from '../lifeboat-failure';

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
});

export interface AppSettingsFile {
  readonly dir: string;
  readonly database: string | undefined;
  readonly backupsDir: string | undefined;
  readonly migrations: { readonly dir: string; readonly tool: z.infer<typeof appMigrationsSchema>['tool'] } | undefined;
  readonly run: AppRun | undefined;
}

/** Reads the app folder's lifeboat.json; null when there is none. A damaged one is an error, not ignored. */
export function readAppSettingsFile(appDir: string): AppSettingsFile | null {
  const file = path.join(appDir, appSettingsFileName);
  if (!fs.existsSync(file)) {
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new LifeboatFailure('INVALID_ARGUMENT', `${file} is not valid JSON: ${(error as Error).message}`, file);
  }
  const parsed = appSettingsFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new LifeboatFailure('INVALID_ARGUMENT', `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; ')}`, file);
  }
  const settings = parsed.data;
  return {
    dir: appDir,
    database: settings.database,
    backupsDir: settings.backupsDir === undefined ? undefined : path.resolve(appDir, settings.backupsDir),
    migrations: settings.migrations === undefined ? undefined : { dir: path.resolve(appDir, settings.migrations.dir), tool: settings.migrations.tool },
    run: settings.run,
  };
}
