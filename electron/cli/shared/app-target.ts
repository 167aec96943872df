import * as path from 'node:path';
import { migrationTools, type MigrationTool } from '../../contract/migrations';
import type { OffsiteTarget } from '../../contract/offsite';
import type { DrillStatus } from '../../contract/drill';
import type { Freshness } from '../../contract/schedule';
import { lastDrill } from '../../core/drill/drill-record';
import { drillStatusOf } from '../../core/drill/drill-status';
import type { SnapshotEntry } from '../../contract/snapshots';
import { parseDatabaseArgument, resolveLocation, type DatabaseLocation } from '../../core/database-location';
import { LifeboatFailure, toLifeboatError } from '../../core/lifeboat-failure';
import type { MigrationSetup } from '../../core/migrations/migration-reader';
import { thisHost } from '../../core/offsite/remote-snapshots';
import { readJournal } from '../../core/restore/restore-journal';
import type { AppSettings } from '../../core/restore/app-plan';
import { automationOf as appAutomationOf, offsiteAppName } from '../../core/schedule/app-automation';
import { freshnessOf } from '../../core/schedule/freshness';
import { readKeeperState } from '../../core/schedule/keeper-state';
import {
  appSettingsFileName,
  ignoredSettingsText,
  readAppSettings,
  type AppSettingsFile,
  type IgnoredSettingsFile,
} from '../../core/settings/app-settings-file';
import { defaultUserDataDir } from '../../core/settings/user-data-dir';
import type { VerbTarget } from '../../core/verbs/app-verbs';
import type { Invocation } from './options';
import { say } from './terminal-text';

/** Where to look for the app's migrations: --migrations/--tool, else --app, the current folder, the database's folder. */
export function setupOf(invocation: Invocation, location: DatabaseLocation): MigrationSetup {
  const tool = invocation.tool;
  if (tool !== undefined && !(migrationTools as readonly string[]).includes(tool)) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `--tool must be one of ${migrationTools.join(', ')}; "${tool}" is not.`,
    );
  }
  const cwd = process.cwd();
  const appDirs =
    invocation.app !== undefined
      ? [path.resolve(cwd, invocation.app)]
      : [...new Set([cwd, path.dirname(location.databasePath)])];
  return {
    appDirs,
    migrationsDir: invocation.migrations === undefined ? undefined : path.resolve(cwd, invocation.migrations),
    tool: tool as MigrationTool | undefined,
    versionTable: invocation.versionTable,
    versionColumn: invocation.versionColumn,
    databasePath: location.databasePath,
  };
}

/** Says so when a restore of the database was interrupted; a journal that cannot be trusted is reported and blocks nothing here. */
function warnOfInterruptedRestore(location: DatabaseLocation): void {
  try {
    const interrupted = readJournal(location);
    if (interrupted !== null) {
      say(
        process.stderr,
        `lifeboat: a restore of ${location.databasePath} was interrupted (at step ${interrupted.step}). Finish it with "lifeboat restore --resume --db ${location.databasePath}" or undo it with "--rollback".\n`,
      );
    }
  } catch (error) {
    say(process.stderr, `lifeboat: ${toLifeboatError(error).message}\n`);
  }
}

export function locationOf(invocation: Invocation): DatabaseLocation {
  if (invocation.db === undefined) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      'No database given. Pass --db PATH (or an sqlite:/// URL) or set LIFEBOAT_DB.',
    );
  }
  const location = resolveLocation(invocation.db, invocation.backupsDir, process.cwd());
  if (invocation.command !== 'restore') {
    warnOfInterruptedRestore(location);
  }
  return location;
}

/** The database of --db, or of --app DIR's lifeboat.json. */
export function databaseOf(invocation: Invocation): DatabaseLocation {
  return invocation.app === undefined ? locationOf(invocation) : appOf(invocation).location;
}

const warnedIgnored = new Set<string>();

/** Says once on stderr that a lifeboat.json is ignored, why, and how to make Lifeboat take it. */
function warnOfIgnoredSettings(ignored: IgnoredSettingsFile): void {
  if (!warnedIgnored.has(ignored.path)) {
    warnedIgnored.add(ignored.path);
    say(process.stderr, `lifeboat: ${ignoredSettingsText(ignored)} ${trustAdvice}\n`);
  }
}
const trustAdvice =
  "Make it and every folder above it yours or root's and writable by no one else, or keep it where the app's user cannot write and pass --settings FILE (docs/security.md).";

/**
 * The app's lifeboat.json, when Lifeboat may act on it: --settings FILE, else the one in --app DIR,
 * else (`besideDatabase`, for what runs without a person) the one in the database's folder. One that
 * someone else can change is ignored, with a warning; `ignored` says why.
 */
function settingsOf(
  invocation: Invocation,
  besideDatabase?: string,
): { appDir: string | undefined; file: AppSettingsFile | null; ignored: IgnoredSettingsFile | null } {
  const settingsPath = invocation.settings === undefined ? undefined : path.resolve(invocation.settings);
  const appDir =
    invocation.app !== undefined ? path.resolve(invocation.app) : settingsPath && path.dirname(settingsPath);
  const dir = appDir ?? besideDatabase;
  if (dir === undefined) {
    return { appDir, file: null, ignored: null };
  }
  const read = readAppSettings(dir, settingsPath);
  if (read.ignored !== null) {
    warnOfIgnoredSettings(read.ignored);
  } else if (read.file === null && settingsPath !== undefined) {
    // Named on purpose: going on without it would run with none of the settings the person meant.
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `--settings ${settingsPath}: there is no such file.`,
      settingsPath,
    );
  }
  return { appDir, ...read };
}

/** The database and the app around it: --app DIR (with its lifeboat.json, or --settings FILE) or --db. */
export function appOf(invocation: Invocation): {
  location: DatabaseLocation;
  app: AppSettings;
  file: AppSettingsFile | null;
} {
  const { appDir, file, ignored } = settingsOf(invocation);
  const database = invocation.db ?? (file?.database === undefined ? undefined : file.database);
  if (database === undefined) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      ignored === null
        ? `No database given: pass --db, set LIFEBOAT_DB, or name it in ${appSettingsFileName} ("database").`
        : `No database given: pass --db or set LIFEBOAT_DB. ${ignoredSettingsText(ignored)} ${trustAdvice}`,
    );
  }
  const location = locationOf({
    ...invocation,
    db:
      appDir !== undefined && invocation.db === undefined
        ? parseDatabaseArgument(database, appDir)
        : database,
    backupsDir: invocation.backupsDir ?? file?.backupsDir,
  });
  const migrations =
    file?.migrations === undefined
      ? setupOf(invocation, location)
      : { migrationsDir: file.migrations.dir, tool: file.migrations.tool };
  return {
    location,
    app: {
      dir: appDir ?? path.dirname(location.databasePath),
      run: file?.run ?? null,
      runFile: file?.run === undefined ? null : file.path,
      migrations,
    },
    file,
  };
}

/** What the verbs work on: the database, its app's settings when a verb needs them, names resolved from here. */
export function targetOf(invocation: Invocation, location: DatabaseLocation, app?: AppSettings): VerbTarget {
  return { location, settings: () => app ?? appOf(invocation).app, namesFrom: process.cwd() };
}

/** The app's lifeboat.json for what runs without a person: --app DIR's or --settings FILE, else the one beside the database. */
export function automationOf(invocation: Invocation): {
  location: DatabaseLocation;
  app: AppSettings;
  file: AppSettingsFile | null;
} {
  const { location, app, file } = appOf(invocation);
  const named = invocation.app !== undefined || invocation.settings !== undefined;
  return {
    location,
    app,
    file: named ? file : settingsOf(invocation, path.dirname(location.databasePath)).file,
  };
}

/** The app's offsite setup: its lifeboat.json targets, this machine's and the app's names in keys. */
export function offsiteOf(invocation: Invocation): {
  location: DatabaseLocation;
  targets: readonly OffsiteTarget[];
  host: string;
  app: string;
} {
  const { location, file } = automationOf(invocation);
  return {
    location,
    targets: file?.offsite ?? [],
    host: thisHost(),
    app: offsiteAppName(file, location.databasePath),
  };
}

/** How fresh the app's protection is, for `list`, `info` and `check`: by the schedule in effect. */
export function freshnessFor(
  invocation: Invocation,
  location: DatabaseLocation,
  snapshots: readonly SnapshotEntry[],
): Freshness {
  let file: AppSettingsFile | null = null;
  try {
    file = settingsOf(invocation, path.dirname(location.databasePath)).file;
  } catch {
    // A damaged lifeboat.json: freshness without its schedule; prune and run-due say what is wrong.
  }
  const { automation } = appAutomationOf({ databasePath: location.databasePath }, file, []);
  return freshnessOf({
    snapshots,
    automation,
    state: readKeeperState(location.backupsDir),
    nowMs: Date.now(),
  });
}

/** Whether the offsite copies were proven restorable lately, for `info` and `check`: the trusted drill settings and Lifeboat's record. */
export function drillStatusFor(invocation: Invocation, location: DatabaseLocation): DrillStatus | null {
  let file: AppSettingsFile | null = null;
  try {
    file = settingsOf(invocation, path.dirname(location.databasePath)).file;
  } catch {
    // A damaged lifeboat.json: no drill settings; run-due and drill say what is wrong.
  }
  return drillStatusOf(
    file?.drill ?? null,
    lastDrill(dataDirOf(invocation), location.databasePath),
    Date.now(),
  );
}

export function dataDirOf(invocation: Invocation): string {
  return invocation.dataDir === undefined ? defaultUserDataDir() : path.resolve(invocation.dataDir);
}
