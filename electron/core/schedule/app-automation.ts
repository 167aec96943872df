import type { App, AppSummary } from '../../contract/apps';
import type { NotifyTarget } from '../../contract/schedule';
import { describeTarget } from '../notify/send-alerts';
import type { AppSettingsFile } from '../settings/app-settings-file';
import type { AppAutomation } from './keeper';
import type { OffsiteTarget, TargetSummary } from '../../contract/offsite';
import { keyName } from '../offsite/remote-snapshots';
import { describeLocation, parseTargetUrl } from '../offsite/target-url';
import * as path from 'node:path';

/** The app's name in offsite keys: lifeboat.json's "name", else the folder of lifeboat.json or of the database. */
export function offsiteAppName(file: AppSettingsFile | null, databasePath: string): string {
  return keyName(file?.name ?? path.basename(file?.dir ?? path.dirname(databasePath)));
}

/** A target as the UI shows it: its URL without anything secret; a URL that does not parse says so. */
function summarizeTarget(target: OffsiteTarget, from: TargetSummary['from']): TargetSummary {
  let display: string;
  try {
    display = describeLocation(parseTargetUrl(target.url));
  } catch (error) {
    display = (error as Error).message;
  }
  return {
    name: target.name,
    url: target.url,
    display,
    gzip: target.gzip ?? false,
    encrypted: (target.encryptTo ?? []).length > 0,
    retention: target.retention ?? null,
    noDelete: target.noDelete ?? false,
    from,
  };
}

/**
 * An app's automation as it takes effect: each part from its lifeboat.json when the file sets it, else
 * from Lifeboat's settings; alerts go to the file's targets (else the app's) and to the global ones.
 * `file` is a lifeboat.json Lifeboat may act on (readAppSettings ignores any other).
 */
export function automationOf(
  app: Pick<App, 'schedule' | 'retention' | 'staleAfter' | 'offsite' | 'notify' | 'databasePath'>,
  file: AppSettingsFile | null,
  globalNotify: readonly NotifyTarget[],
): { automation: AppAutomation; summary: AppSummary['automation'] } {
  const fileTargets = file?.offsite ?? [];
  const targets = [
    ...fileTargets.map((target) => ({ target, from: 'file' as const })),
    ...(app.offsite ?? [])
      .filter((t) => !fileTargets.some((f) => f.name === t.name))
      .map((target) => ({ target, from: 'settings' as const })),
  ];
  const automation: AppAutomation = {
    schedule: file?.schedule ?? app.schedule ?? null,
    retention: file?.retention ?? app.retention ?? null,
    staleAfter: file?.staleAfter ?? app.staleAfter ?? null,
    notify: [...(file?.notify ?? app.notify ?? []), ...globalNotify],
    offsite: { targets: targets.map((t) => t.target), app: offsiteAppName(file, app.databasePath) },
    drill: file?.drill ?? null,
  };
  const fromFile = (['schedule', 'retention', 'staleAfter'] as const).filter(
    (part) => file?.[part] !== undefined,
  );
  return {
    automation,
    summary: {
      schedule: automation.schedule,
      retention: automation.retention,
      staleAfter: automation.staleAfter,
      fromFile,
      notify: automation.notify.map(describeTarget),
      offsite: targets.map(({ target, from }) => summarizeTarget(target, from)),
    },
  };
}
