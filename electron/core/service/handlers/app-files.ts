import * as fs from 'node:fs';
import * as path from 'node:path';
import type { App, AppSummary } from '../../../contract/apps';
import { toLifeboatError, LifeboatFailure } from '../../lifeboat-failure';
import type { MigrationSetup } from '../../migrations/migration-reader';
import { readJournal } from '../../restore/restore-journal';
import type { AppSettings } from '../../restore/app-plan';
import { settingsTrustProblem } from '../../settings/settings-trust';
import {
  appSettingsFileName,
  readAppSettings,
  type AppSettingsFile,
  type IgnoredSettingsFile,
} from '../../settings/app-settings-file';
import type { VerbTarget } from '../../verbs/app-verbs';

/** What an app's folders say about it: its lifeboat.json, its migrations, a restore left interrupted. */

/** An app's migrations: the folder and tool the user chose, else detected in the database's folder. */
export function migrationSetupOf(app: App): MigrationSetup {
  const { databasePath } = app;
  return app.migrations === undefined
    ? { appDirs: [path.dirname(databasePath)], databasePath }
    : { migrationsDir: app.migrations.dir, tool: app.migrations.tool, databasePath };
}
/** The app's folder: where its lifeboat.json is and its commands run. */
export function appDirOf(app: App): string {
  return app.appDir ?? path.dirname(app.databasePath);
}

/**
 * The app's lifeboat.json, if it has one and Lifeboat may act on it; a damaged one is reported, one
 * that another user can change is ignored (and `ignored` says why), neither is used.
 */
export function appFileOf(app: App): {
  file: AppSettingsFile | null;
  problem: string | null;
  ignored: IgnoredSettingsFile | null;
} {
  try {
    return { ...readAppSettings(appDirOf(app)), problem: null };
  } catch (error) {
    return { file: null, problem: toLifeboatError(error).message, ignored: null };
  }
}

/**
 * Where a person writes by hand the app's settings that the web page may not save: its lifeboat.json,
 * and why Lifeboat would ignore a file there (docs/security.md's rule), null when it would take it.
 * A file not there yet would be its writer's (root's), so its folders decide.
 */
export function settingsHomeOf(app: App): NonNullable<AppSummary['settingsHome']> {
  const dir = appDirOf(app);
  const file = path.join(dir, appSettingsFileName);
  try {
    const stat = fs.lstatSync(file, { throwIfNoEntry: false });
    const problem =
      stat === undefined
        ? settingsTrustProblem(dir, fs.statSync(dir))?.replace(/^it /, `its folder ${dir} `)
        : settingsTrustProblem(file, stat);
    return { path: file, ignoredBecause: problem ?? null };
  } catch (error) {
    return { path: file, ignoredBecause: toLifeboatError(error).message };
  }
}

/** The interrupted restore the journal beside the database records, if any. */
export function interruptedRestoreOf(app: App): AppSummary['interruptedRestore'] {
  try {
    const journal = readJournal(app);
    return journal === null
      ? null
      : { step: journal.step, snapshot: path.basename(journal.snapshot), startedAt: journal.startedAt };
  } catch {
    // A damaged journal still means a restore was interrupted; resuming it says what to check by hand.
    return { step: 'unknown', snapshot: '', startedAt: '' };
  }
}

/** Everything a restore needs to know about the app: its folder, how to run it, its migrations. */
function restoreSettingsOf(app: App): AppSettings {
  const { file, problem } = appFileOf(app);
  if (problem !== null) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `${problem} Fix the file, or move it away to use the settings kept in Lifeboat.`,
    );
  }
  const migrations =
    app.migrations === undefined && file?.migrations !== undefined
      ? { migrationsDir: file.migrations.dir, tool: file.migrations.tool }
      : migrationSetupOf(app);
  const fromFile = file?.run !== undefined ? file : null;
  return {
    dir: appDirOf(app),
    run: fromFile?.run ?? app.run ?? null,
    runFile: fromFile?.path ?? null,
    migrations,
  };
}

/** What the verbs work on for an app: its database, its settings when needed, names resolved in its backups folder. */
export function verbTarget(app: App): VerbTarget {
  return { location: app, settings: () => restoreSettingsOf(app), namesFrom: app.backupsDir };
}
