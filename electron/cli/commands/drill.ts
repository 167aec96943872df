import { sendAlert } from '../../core/notify/send-alerts';
import { drillApp, drillIdentities, drillTargets, type DrillSubject } from '../../core/schedule/drill-app';
import { drillTargetText } from '../../core/drill/drill-status';
import { valueOrThrow } from '../../core/lifeboat-failure';
import { thisHost } from '../../core/offsite/remote-snapshots';
import { automationOf as appAutomationOf, offsiteAppName } from '../../core/schedule/app-automation';
import { listSnapshots } from '../../core/snapshot/list-snapshots';
import { formatBytes } from '../../contract/format';
import { automationOf, dataDirOf, freshnessFor } from '../shared/app-target';
import { exitCodes } from '../shared/exit-codes';
import type { Command } from '../shared/command';
import { databaseOptions } from '../shared/options';
import { emit } from '../shared/run-job';
import { startJob } from '../../core/jobs/job-runner';

export const drill: Command = {
  name: 'drill',
  synopsis: 'drill',
  summary: 'Prove the offsite copies restore',
  usage: ['drill (--db DB | --app DIR) [--target NAME|URL] [--identity FILE] [--data-dir DIR] [--json]'],
  options: [...databaseOptions, 'target', 'identity', 'data-dir', 'json'],
  help: `For each offsite target (or --target, or "targets" of "drill" in
lifeboat.json): brings its newest copy of the app back into a scratch folder in
Lifeboat's data folder, checks the stored object and the plain file against
the manifest, decrypts it (with --identity FILE, else the "identity" file of
"drill" in lifeboat.json; without one an encrypted copy is checked but not
decrypted, and says so), runs PRAGMA integrity_check, compares its schema
revision with the manifest's, runs the app's smoke queries and its upgrade on
the copy, then deletes the copy. The result is kept in Lifeboat's data folder
and the activity log; a failure alerts ("notify"). A drill reads each copy in
full from the target: a drill of a 1 GiB copy costs 1 GiB of egress. Exits 6
when a drill failed (the step's code says where: docs/drills.md).`,
  async run(invocation) {
    const { location, app, file } = automationOf(invocation);
    const subject: DrillSubject = {
      name: file?.name ?? location.databasePath,
      location,
      app,
      host: thisHost(),
      appName: offsiteAppName(file, location.databasePath),
      targets: file?.offsite ?? [],
      drill: file?.drill ?? null,
    };
    const targets = drillTargets(subject, invocation.target);
    const identities = drillIdentities(subject, invocation.identity);
    const { automation } = appAutomationOf({ databasePath: location.databasePath }, file, []);
    const outcome = await drillApp(subject, {
      targets: () => targets,
      identities: () => identities,
      dataDir: dataDirOf(invocation),
      start: (request) => startJob(request, undefined, 'cli').result,
      alert: (alert) => sendAlert(automation.notify, alert),
      state: freshnessFor(invocation, location, listSnapshots(location).snapshots).state,
    });
    const result = valueOrThrow(outcome.result);
    emit(invocation.json, { ...result, alerts: outcome.deliveries }, () =>
      [
        ...result.targets.map(drillTargetText),
        ...outcome.deliveries.map(
          (d) => `alert to ${d.target}: ${d.ok ? 'sent' : `not sent (${d.error ?? ''})`}`,
        ),
        `Read from the targets: ${formatBytes(result.targets.reduce((sum, t) => sum + t.bytes, 0))} (drills cost the targets' egress).`,
      ].join('\n'),
    );
    return result.ok ? exitCodes.ok : exitCodes.drillFailed;
  },
};
