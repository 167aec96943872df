import type { App, AppSummary } from '../../contract/apps';
import type { NotifyTarget } from '../../contract/schedule';
import { describeTarget } from '../notify/send-alerts';
import type { AppSettingsFile } from '../settings/app-settings-file';
import type { AppAutomation } from './keeper';

/**
 * An app's automation as it takes effect: each part from its lifeboat.json when the file sets it, else
 * from Lifeboat's settings; alerts go to the file's targets and to the global ones.
 */
export function automationOf(
  app: Pick<App, 'schedule' | 'retention' | 'staleAfter'>,
  file: AppSettingsFile | null,
  globalNotify: readonly NotifyTarget[],
): { automation: AppAutomation; summary: AppSummary['automation'] } {
  const automation: AppAutomation = {
    schedule: file?.schedule ?? app.schedule ?? null,
    retention: file?.retention ?? app.retention ?? null,
    staleAfter: file?.staleAfter ?? app.staleAfter ?? null,
    notify: [...(file?.notify ?? []), ...globalNotify],
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
    },
  };
}
