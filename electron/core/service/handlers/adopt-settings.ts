import type { App, SettingsReview } from '../../../contract/apps';
import { runSetsCommands } from '../../../contract/app-run';
import { scheduleText } from '../../../contract/schedule';
import { LifeboatFailure } from '../../lifeboat-failure';
import { describeTarget } from '../../notify/send-alerts';
import { checkSchedule } from '../../schedule/schedule-times';
import { reviewAppSettings, type AppSettingsFile } from '../../settings/app-settings-file';
import { appDirOf } from './app-files';
import { summarize } from './app-summary';
import { previewRetention } from './automation';
import type { HandlerContext, Handlers } from './context';

/**
 * Adopting a lifeboat.json that Lifeboat ignores (someone other than its user or root can change it):
 * a person reads it, and its settings are copied into Lifeboat's own, where the app's user cannot
 * reach them. What is adopted is the text the person was shown (its SHA-256), never what the file
 * says by the time they click.
 */

/** The parts of a lifeboat.json that adopting copies, a line each for the person to read; `retention` says what it deletes. */
function adoptedLines(file: AppSettingsFile, retention: string | null): string[] {
  const commands = (['stop', 'start', 'upgrade'] as const).filter((step) => file.run?.[step] !== undefined);
  return [
    ...(file.run === undefined
      ? []
      : [
          `how to run the app: ${file.run.preset}${commands.length > 0 ? ` (${commands.join(', ')} commands)` : ''}`,
        ]),
    ...(file.migrations === undefined
      ? []
      : [`migrations: ${file.migrations.tool} in ${file.migrations.dir}`]),
    ...(file.schedule === undefined ? [] : [`schedule: ${scheduleText(file.schedule)}`]),
    ...(retention === null ? [] : [retention]),
    ...(file.staleAfter === undefined ? [] : [`stale after ${file.staleAfter}`]),
    ...(file.offsite ?? []).map((t) => `offsite target ${t.name}: ${t.url}`),
    ...(file.notify ?? []).map((t) => `alerts to ${describeTarget(t)}`),
  ];
}

/** The retention line: the rules and what their next run deletes, as the schedule and retention dialog previews it. */
async function retentionLine(app: App, file: AppSettingsFile): Promise<string | null> {
  if (file.retention === undefined) {
    return null;
  }
  const preview = await previewRetention(app, file.retention, file.schedule ?? app.schedule);
  const existing = preview.snapshots.filter((d) => d.planned !== true);
  const deleted = existing.filter((d) => d.decision === 'delete').length;
  return `retention: ${JSON.stringify(file.retention)}, which deletes ${deleted} of the ${existing.length} snapshots at its next run`;
}

/** What the file sets that adopting does not take: the app's database and folders were chosen when it was added. */
function leftOutLines(file: AppSettingsFile, app: App): string[] {
  return [
    ...(file.database === undefined
      ? []
      : [`database "${file.database}": the app's database stays ${app.databasePath}`]),
    ...(file.backupsDir === undefined || file.backupsDir === app.backupsDir
      ? []
      : [`backups folder ${file.backupsDir}: the app's stays ${app.backupsDir}`]),
    ...(file.name === undefined ? [] : [`name "${file.name}" in offsite keys: the folder's name is used`]),
  ];
}

/** Why this host may not adopt these settings; null when it may. */
function refusalOf(ctx: HandlerContext, file: AppSettingsFile): string | null {
  if (!ctx.limited) {
    return null;
  }
  // A token holder must gain neither a shell on the server nor a new place to send the data.
  if (file.run !== undefined && runSetsCommands(file.run)) {
    return "It sets commands to run, which lifeboat serve does not take from the page: adopt it in the desktop app, or make the file root's.";
  }
  if ((file.offsite ?? []).length > 0 || (file.notify ?? []).length > 0) {
    return "It sends data or alerts elsewhere, which lifeboat serve does not take from the page: adopt it in the desktop app, or make the file root's.";
  }
  return null;
}

export function adoptSettingsHandlers(
  ctx: HandlerContext,
): Handlers<'apps:reviewSettings' | 'apps:adoptSettings'> {
  const review = async (app: App): Promise<(SettingsReview & { file: AppSettingsFile }) | null> => {
    const dir = appDirOf(app);
    const read = reviewAppSettings(dir);
    if (read === null) {
      return null;
    }
    return {
      path: read.path,
      text: read.text,
      sha256: read.sha256,
      ignoredBecause: read.ignoredBecause,
      adopts: adoptedLines(read.settings, await retentionLine(app, read.settings)),
      leftOut: leftOutLines(read.settings, app),
      refused: refusalOf(ctx, read.settings),
      file: read.settings,
    };
  };
  const noFile = (app: App): LifeboatFailure =>
    new LifeboatFailure('INVALID_ARGUMENT', `${app.name} has no lifeboat.json in ${appDirOf(app)} to adopt.`);
  return {
    'apps:reviewSettings': async (input) => {
      const app = ctx.app(input.appId);
      const found = await review(app);
      if (found === null) {
        throw noFile(app);
      }
      const { path, text, sha256, ignoredBecause, adopts, leftOut, refused } = found;
      return { path, text, sha256, ignoredBecause, adopts, leftOut, refused };
    },
    'apps:adoptSettings': async (input) => {
      const app = ctx.app(input.appId);
      const found = await review(app);
      if (found === null) {
        throw noFile(app);
      }
      if (found.sha256 !== input.sha256) {
        throw new LifeboatFailure(
          'INVALID_ARGUMENT',
          `${found.path} changed after it was shown, so nothing was adopted: read it again before adopting it.`,
          found.path,
        );
      }
      if (found.refused !== null) {
        throw new LifeboatFailure('INVALID_ARGUMENT', found.refused, found.path);
      }
      const { file } = found;
      if (file.schedule !== undefined) {
        checkSchedule(file.schedule, ctx.now().getTime());
      }
      if (file.migrations !== undefined) {
        ctx.boundary?.requireAllowed(file.migrations.dir, 'The migrations folder');
      }
      const updated = ctx.updateApp(app.id, (current) => ({
        ...current,
        ...(file.run === undefined ? {} : { run: file.run }),
        ...(file.migrations === undefined ? {} : { migrations: file.migrations }),
        ...(file.schedule === undefined ? {} : { schedule: file.schedule }),
        ...(file.retention === undefined ? {} : { retention: file.retention }),
        ...(file.staleAfter === undefined ? {} : { staleAfter: file.staleAfter }),
        ...(file.offsite === undefined ? {} : { offsite: [...file.offsite] }),
        ...(file.notify === undefined ? {} : { notify: [...file.notify] }),
        adoptedSettings: { path: found.path, sha256: found.sha256, at: ctx.now().toISOString() },
      }));
      ctx.keeperPass();
      return await summarize(ctx, updated);
    },
  };
}
