import * as path from 'node:path';
import { LifeboatFailure } from '../../core/lifeboat-failure';
import { automationOf as appAutomationOf } from '../../core/schedule/app-automation';
import { jobActions, scheduledJob } from '../../core/schedule/job-actions';
import { keepApp } from '../../core/schedule/keeper';
import { appSettingsFileName } from '../../core/settings/app-settings-file';
import { automationOf, dataDirOf } from '../shared/app-target';
import { exitCodes } from '../shared/exit-codes';
import { printKeeperPass } from '../shared/human-output';
import type { Command } from '../shared/command';
import { emit } from '../shared/run-job';

export const runDue: Command = {
  name: 'run-due',
  synopsis: 'run-due',
  summary: "The app's scheduled snapshot, if it is due",
  usage: ['run-due (--app DIR | --db DB) [--data-dir DIR] [--json]'],
  options: ['app', 'db', 'data-dir', 'json'],
  help: `For cron or a systemd timer: takes the app's scheduled snapshot if it is
due ("schedule" in lifeboat.json: {"every": "6h"}, {"daily": "03:30"} or
{"cron": "0 */4 * * *"}), then applies its retention, and sends alerts
("notify") when a run fails, the app turns stale or it recovers. A run missed
while the machine was off runs once. Prints the app's freshness (fresh, stale,
never, failing); exits 1 if the scheduled snapshot failed. A drill of the
offsite copies ("drill" in lifeboat.json) runs too when it is due. lifeboat
serve and the desktop app do the same every minute while they run.`,
  // One pass of the keeper over the app.
  async run(invocation) {
    const { location, app: settings, file } = automationOf(invocation);
    if (file?.schedule === undefined) {
      throw new LifeboatFailure(
        'INVALID_ARGUMENT',
        `No schedule for ${location.databasePath}: set "schedule" in ${appSettingsFileName} (for example {"every": "6h"}) in the app's folder.`,
      );
    }
    const { automation } = appAutomationOf({ databasePath: location.databasePath }, file, []);
    const app = {
      id: location.databasePath,
      name: path.basename(path.dirname(location.databasePath)) || location.databasePath,
      location,
      automation,
    };
    const pass = await keepApp(
      app,
      jobActions(scheduledJob, { dataDir: dataDirOf(invocation), settingsOf: () => settings }),
    );
    emit(invocation.json, pass, () => printKeeperPass(pass));
    return pass.error === null ? exitCodes.ok : exitCodes.failed;
  },
};
