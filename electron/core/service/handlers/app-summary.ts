import * as fs from 'node:fs';
import * as path from 'node:path';
import type { App, AppHealth, AppSummary } from '../../../contract/apps';
import type { LifeboatError } from '../../../contract/errors';
import type { Freshness } from '../../../contract/schedule';
import { newestRestorable } from '../../../contract/snapshots';
import type { DatabaseLocation } from '../../database-location';
import { toLifeboatError } from '../../lifeboat-failure';
import { findMigrations } from '../../migrations/migration-reader';
import { lastRestore } from '../../restore/last-restore';
import { freshnessOf } from '../../schedule/freshness';
import { attentionOf, damagedSnapshots, type Attention } from '../../schedule/attention';
import { readKeeperState } from '../../schedule/keeper-state';
import { lastDrill } from '../../drill/drill-record';
import { drillStatusOf } from '../../drill/drill-status';
import { appSettingsFileName, ignoredSettingsText } from '../../settings/app-settings-file';
import { appFileOf, interruptedRestoreOf, migrationSetupOf, settingsHomeOf } from './app-files';
import type { HandlerContext } from './context';
import { runJob } from './jobs';
import { withEnvValuesHidden } from './web-boundary';

/** The status dot: what needs the user first (an interrupted restore, damage), then how fresh the protection is. */
function healthOf(
  attention: readonly Attention[],
  freshness: Freshness,
): { health: AppHealth; healthText: string } {
  const [first] = attention;
  if (first === undefined) {
    return { health: 'ok', healthText: freshness.reason };
  }
  const byKind = {
    'interrupted-restore': 'problem',
    'no-database': 'no-database',
    'not-a-database': 'problem',
    damaged: 'problem',
    failing: 'failing',
    never: 'no-snapshots',
    stale: 'stale',
    drill: 'stale',
  } as const;
  return { health: byKind[first.kind], healthText: first.message };
}

/** What the status dot says of a keeper that cannot look after the app. */
function keeperProblemText(problem: LifeboatError | null): string | null {
  return problem === null
    ? null
    : `The keeper cannot look after this app: ${problem.message} [${problem.code}]`;
}

/**
 * The app's summary; one app whose folders cannot be read (a file or a link where its backups
 * folder should be, a path the file system refuses) is shown with the problem, never failing the list.
 */
export async function summarize(ctx: HandlerContext, app: App): Promise<AppSummary> {
  ctx.follow(app);
  const summary = await summarizeOrProblem(ctx, app);
  return ctx.boundary === null ? summary : withEnvValuesHidden(summary);
}

async function summarizeOrProblem(ctx: HandlerContext, app: App): Promise<AppSummary> {
  try {
    return await summarizeReadable(ctx, app);
  } catch (error) {
    const { message } = toLifeboatError(error);
    return {
      ...app,
      host: null,
      health: 'problem',
      healthText: `Lifeboat cannot read this app's files: ${message}`,
      newestSnapshot: null,
      snapshotCount: 0,
      migrationsFound: null,
      runSource: { kind: app.run === undefined ? 'none' : 'settings' },
      runFromFile: null,
      runProblem: null,
      settingsIgnored: null,
      settingsHome: settingsHomeOf(app),
      interruptedRestore: null,
      lastRestore: null,
      automation: ctx.automationOf(app, null).summary,
      freshness: null,
      drill: null,
    };
  }
}

async function summarizeReadable(ctx: HandlerContext, app: App): Promise<AppSummary> {
  // In a worker: a folder of thousands of snapshots must not hold up the window's main process.
  const list = await runJob({ kind: 'list', input: { location: app, setup: null } });
  const damaged = damagedSnapshots(list.snapshots);
  const newest = newestRestorable(list.snapshots);
  const exists = fs.existsSync(app.databasePath);
  const interruptedRestore = interruptedRestoreOf(app);
  const { file, problem, ignored } = appFileOf(app);
  const automation = ctx.automationOf(app, file);
  const freshness = freshnessOf({
    snapshots: list.snapshots,
    automation: automation.automation,
    state: readKeeperState(app.backupsDir, ctx.now().getTime()),
    nowMs: ctx.now().getTime(),
  });
  const drill = drillStatusOf(
    automation.automation.drill,
    lastDrill(ctx.dataDir, app.databasePath),
    ctx.now().getTime(),
  );
  const health = healthOf(
    attentionOf({
      interrupted:
        interruptedRestore === null ? null : 'A restore was interrupted: finish it or roll it back.',
      keeperProblem: keeperProblemText(ctx.keeperProblem(app.id)),
      exists,
      damaged,
      freshness,
      drill,
    }),
    freshness,
  );
  let migrationsFound: AppSummary['migrationsFound'] = null;
  try {
    const found = findMigrations(migrationSetupOf(app));
    migrationsFound =
      found === null
        ? null
        : {
            tool: found.source.tool,
            locations: [...found.source.locations],
            detected: app.migrations === undefined,
          };
  } catch {
    // A chosen folder that has gone: shown as "none found", and the Schema view says why.
  }
  return {
    ...app,
    host: null,
    ...health,
    newestSnapshot: newest === undefined ? null : { file: newest.file, time: newest.time },
    snapshotCount: list.snapshots.length,
    migrationsFound,
    runSource:
      file !== null && file.run !== undefined
        ? { kind: 'file', path: path.join(file.dir, appSettingsFileName) }
        : { kind: app.run === undefined ? 'none' : 'settings' },
    runFromFile: file?.run ?? null,
    runProblem: problem,
    settingsIgnored:
      ignored === null
        ? null
        : {
            path: ignored.path,
            reason: ignored.reason,
            text: ignoredSettingsText(ignored),
            adopted:
              app.adoptedSettings?.path === ignored.path && app.adoptedSettings.sha256 === ignored.sha256,
          },
    settingsHome: settingsHomeOf(app),
    interruptedRestore,
    lastRestore: undoOffered(app),
    automation: automation.summary,
    freshness,
    drill,
  };
}

/** The undo the app offers: from Lifeboat's own record of the last restore (never the activity log), while it can be trusted. */
function undoOffered(location: DatabaseLocation): AppSummary['lastRestore'] {
  const last = lastRestore(location);
  return last === null
    ? null
    : { at: last.at, action: last.action, snapshot: last.snapshot, preRestore: last.preRestore };
}
