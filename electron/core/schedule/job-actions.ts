import { failed, type Result } from '../../contract/errors';
import { thisHost } from '../offsite/remote-snapshots';
import { resolveTarget, type ResolvedTarget } from '../offsite/target-url';
import type { OffsiteTarget } from '../../contract/offsite';
import type { JobKind, JobOutputs, JobRequestOf } from '../jobs/job-requests';
import { startJob } from '../jobs/job-runner';
import { toLifeboatError, valueOrThrow } from '../lifeboat-failure';
import { ping, sendAlert, type Alert, type Delivery } from '../notify/send-alerts';
import type { KeeperActions, KeptApp } from './keeper';
import type { AppSettings } from '../restore/app-plan';
import { drillApp, drillIdentities, drillTargets, type DrillSubject } from './drill-app';
import { lastDrill } from '../drill/drill-record';

/** Starts a job for the keeper and resolves to its result; hosts pass one that shows the job in their UI. */
export type JobStarter = <K extends JobKind>(request: JobRequestOf<K>) => Promise<Result<JobOutputs[K]>>;

/** A starter for hosts without a UI (`lifeboat run-due`): a plain job, logged as started by the schedule. */
export const scheduledJob: JobStarter = (request) => startJob(request, undefined, 'schedule').result;

/**
 * The keeper's actions on real things: real snapshot, prune and list jobs, alerts to the app's
 * targets, and `onAlert` for the host's own way to tell its user (a desktop notification).
 */
export function jobActions(
  start: JobStarter,
  drills: {
    /** Lifeboat's data folder: drill records and scratch copies. */
    readonly dataDir: string;
    /** The app's settings a drill runs its smoke queries and upgrade with. */
    readonly settingsOf: (app: KeptApp) => AppSettings | null;
  },
  onAlert?: (app: KeptApp, alert: Alert) => void,
  resolve: (target: OffsiteTarget) => ResolvedTarget = (target) => resolveTarget(target),
): KeeperActions {
  const alert = async (app: KeptApp, alert: Alert): Promise<Delivery[]> => {
    onAlert?.(app, alert);
    const sent = await sendAlert(app.automation.notify, alert);
    return onAlert === undefined ? sent : [{ target: 'this computer', ok: true, error: null }, ...sent];
  };
  return {
    now: () => Date.now(),
    snapshot: (app, label) => start({ kind: 'snapshot', input: { location: app.location, reason: label } }),
    prune: (app, rules) => start({ kind: 'prune', input: { location: app.location, rules, dryRun: false } }),
    push: async (app) => {
      let targets: ResolvedTarget[];
      try {
        targets = app.automation.offsite.targets.map((target) => resolve(target));
      } catch (error) {
        return failed(toLifeboatError(error));
      }
      return start({
        kind: 'push',
        input: {
          location: app.location,
          host: thisHost(),
          app: app.automation.offsite.app,
          targets,
          files: [],
        },
      });
    },
    list: async (app) => {
      const listed = await start({ kind: 'list', input: { location: app.location, setup: null } });
      return valueOrThrow(listed).snapshots;
    },
    alert,
    ping: (app, phase, message) => ping(app.automation.notify, phase, message),
    lastDrill: (app) => lastDrill(drills.dataDir, app.location.databasePath),
    drill: (app, state) => {
      const subject: DrillSubject = {
        name: app.name,
        location: app.location,
        app: drills.settingsOf(app),
        host: thisHost(),
        appName: app.automation.offsite.app,
        targets: app.automation.offsite.targets,
        drill: app.automation.drill,
      };
      return drillApp(subject, {
        targets: () => drillTargets(subject, undefined, resolve),
        identities: () => drillIdentities(subject, undefined),
        dataDir: drills.dataDir,
        start,
        alert: (sent) => alert(app, sent),
        state,
      });
    },
  };
}
