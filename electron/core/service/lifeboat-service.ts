import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { App } from '../../contract/apps';
import type { JobEventName, JobEvents, JobFinished } from '../../contract/events';
import {
  changesLiveDatabase,
  type JobState,
  type OperationName,
  type UiJobKind,
} from '../../contract/operations';
import type { DatabaseLocation } from '../database-location';
import { startJob, type JobHandle } from '../jobs/job-runner';
import { isJobOf, type JobKind, type JobOutputs, type JobRequestOf } from '../jobs/job-requests';
import type { ActivityOrigin } from '../../contract/activity';
import type { Result } from '../../contract/errors';
import { LifeboatFailure } from '../lifeboat-failure';
import { BackupsWatcher } from './backups-watcher';
import type { AppSettingsFile } from '../settings/app-settings-file';
import { SettingsStore } from '../settings/settings-store';
import { resolveSnapshotPath } from '../snapshot/resolve-snapshot';
import { automationOf } from '../schedule/app-automation';
import { alertTitle } from '../notify/send-alerts';
import { jobActions, type JobStarter } from '../schedule/job-actions';
import type { KeptApp } from '../schedule/keeper';
import { KeeperLoop } from '../schedule/keeper-loop';
import type { OffsiteTarget } from '../../contract/offsite';
import { fileSecrets, type SecretStore } from '../offsite/offsite-secrets';
import { resolveTarget, type ResolvedTarget } from '../offsite/target-url';
import { Hub } from '../hosts/hub';
import { appFileOf, verbTarget } from './handlers/app-files';
import { adoptSettingsHandlers } from './handlers/adopt-settings';
import { appHandlers } from './handlers/apps';
import { automationHandlers } from './handlers/automation';
import type { HandlerContext, OperationHandlers } from './handlers/context';
import { hostHandlers } from './handlers/hosts';
import { jobHandlers } from './handlers/jobs';
import { migrationHandlers } from './handlers/migrations';
import { offsiteHandlers } from './handlers/offsite';
import { restoreHandlers } from './handlers/restore';
import { snapshotHandlers } from './handlers/snapshots';
import { WebBoundary } from './handlers/web-boundary';

type Listener<E extends JobEventName> = (payload: JobEvents[E]) => void;

interface RunningJob {
  state: JobState;
  readonly handle: JobHandle<unknown>;
}

/** The app asked for was removed, here or by another process sharing the settings. */
function appGone(): LifeboatFailure {
  return new LifeboatFailure(
    'APP_NOT_FOUND',
    'That app is no longer in Lifeboat: it may have been removed in another window.',
  );
}

/** Lifeboat's state for one user data folder: the apps, the running jobs, and the events they emit. */
export class LifeboatService {
  readonly settings: SettingsStore;
  private readonly dataDir: string;
  private readonly now: () => Date;
  private readonly jobs = new Map<string, RunningJob>();
  private readonly listeners: { [E in JobEventName]: Set<Listener<E>> } = {
    'job:progress': new Set(),
    'job:finished': new Set(),
    'snapshots:changed': new Set(),
    'keeper:alert': new Set(),
    'hosts:changed': new Set(),
  };
  /** Set by the hosts that keep the apps' schedules (the desktop app, `lifeboat serve`). */
  private keeper: KeeperLoop | null = null;
  /** Set by the hosts that show the apps (the desktop app, `lifeboat serve`): their backups folders are followed. */
  private watcher: BackupsWatcher | null = null;

  private readonly origin: ActivityOrigin;
  /** For the web host: the folders a token holder may reach; null for the desktop app (its user chose every path). */
  private readonly boundary: WebBoundary | null;
  /** A plain `lifeboat serve`: its token holder may change less (see handlers/context.ts). */
  private readonly limited: boolean;
  private readonly secrets: SecretStore;
  /** Other machines' apps, for the hosts that show them (the desktop app, `lifeboat serve`); null elsewhere. */
  private readonly hub: Hub | null;
  /** Every operation's handler, registered by its feature's file in handlers/. */
  readonly handlers: OperationHandlers;

  /** `allow`: for origin 'web', the folders `lifeboat serve --allow` named. */
  constructor(options: {
    dataDir: string;
    origin: ActivityOrigin;
    now?: () => Date;
    allow?: readonly string[];
    /** Where S3 keys for offsite targets are kept: the desktop's keychain; serve reads its 0600 file. */
    secrets?: SecretStore;
    /** Show the hosts of the settings and their apps (the desktop app, `lifeboat serve`). */
    hub?: boolean;
    /** `lifeboat serve --admin`: the person who started it may do from the page what the desktop app does. */
    admin?: boolean;
  }) {
    this.dataDir = options.dataDir;
    this.origin = options.origin;
    this.limited = options.origin === 'web' && options.admin !== true;
    this.boundary = this.limited ? new WebBoundary(options.allow ?? [], options.dataDir) : null;
    this.now = options.now ?? (() => new Date());
    this.settings = new SettingsStore(options.dataDir, this.now);
    this.secrets = options.secrets ?? fileSecrets(options.dataDir);
    this.hub =
      options.hub === true
        ? new Hub({
            hosts: () => this.settings.settings.hosts ?? [],
            web: this.limited,
            emit: (event, payload) => this.emit(event, payload),
            now: this.now,
          })
        : null;
    const context = this.handlerContext();
    this.handlers = {
      ...appHandlers(context),
      ...adoptSettingsHandlers(context),
      ...migrationHandlers(context),
      ...automationHandlers(context),
      ...snapshotHandlers(context),
      ...restoreHandlers(context),
      ...offsiteHandlers(context),
      ...hostHandlers(context),
      ...jobHandlers(context),
    };
  }

  /** What the handlers use of this service (see handlers/context.ts). */
  private handlerContext(): HandlerContext {
    return {
      settings: this.settings,
      dataDir: this.dataDir,
      origin: this.origin,
      boundary: this.boundary,
      limited: this.limited,
      secrets: this.secrets,
      hub: this.hub,
      now: this.now,
      app: (appId) => this.app(appId),
      addApp: (location, name) => this.addApp(location, name),
      updateApp: (appId, change) => this.updateApp(appId, change),
      automationOf: (app, file) => this.automationOf(app, file),
      startUiJob: (kind, appId, request) => this.startUiJob(kind, appId, request),
      refuseIfRestoring: (app) => this.refuseIfRestoring(app),
      cancelJob: (jobId) => {
        const job = this.jobs.get(jobId);
        job?.handle.cancel();
        return job !== undefined;
      },
      runningJobs: () => this.runningJobs(),
      follow: (app) => this.watcher?.follow(app.id, app.backupsDir),
      unfollow: (appId) => this.watcher?.unfollow(appId),
      keeperPass: () => void this.keeper?.pass(),
      keeperProblem: (appId) => this.keeper?.problemOf(appId) ?? null,
      hostsChanged: () => this.emit('hosts:changed', {}),
      resolveTarget: (target) => this.resolveTarget(target),
    };
  }

  /**
   * An operation on one of a host's apps or jobs, carried out by that host's Lifeboat (see hub.ts);
   * null for this computer's.
   */
  route(name: OperationName, input: Record<string, unknown>): Promise<unknown> | null {
    return this.hub?.route(name, input) ?? null;
  }

  /** Tries every host that is not online now, and waits for each attempt (`lifeboat hosts list`). */
  async reachHosts(): Promise<void> {
    await this.hub?.reachAll();
  }

  /** Resolves once no job is running (each started one has ended). */
  async whenIdle(): Promise<void> {
    while (this.jobs.size > 0) {
      await Promise.all([...this.jobs.values()].map((job) => job.handle.result));
    }
  }

  /** Subscribes to an event; returns the function that unsubscribes. */
  on<E extends JobEventName>(event: E, listener: Listener<E>): () => void {
    const set = this.listeners[event] as Set<Listener<E>>;
    set.add(listener);
    return () => set.delete(listener);
  }

  private emit<E extends JobEventName>(event: E, payload: JobEvents[E]): void {
    for (const listener of this.listeners[event] as Set<Listener<E>>) {
      listener(payload);
    }
  }

  /** Jobs still running, e.g. to show taskbar progress or to cancel them at quit. */
  runningJobs(): JobState[] {
    return [...this.jobs.values()].map((job) => job.state).concat(this.hub?.runningJobs() ?? []);
  }

  /** The path of a snapshot of an app, checked to lie inside its backups folder (to reveal it). */
  snapshotPath(appId: string, file: string): string {
    const app = this.app(appId);
    return resolveSnapshotPath(app.backupsDir, file, app.backupsDir);
  }

  /** Follows every listed app's backups folder and emits `snapshots:changed` when something in it changes on disk. */
  followBackupsFolders(): void {
    this.watcher ??= new BackupsWatcher((appId) => this.emit('snapshots:changed', { appId }));
  }

  /**
   * Keeps every app's schedule while this host runs: a pass now and every minute (see keeper.ts).
   * `log` hears of each pass that did something or failed, for a server's log.
   */
  startKeeper(log: (line: string) => void = () => undefined): void {
    const actions = jobActions(
      this.keeperJob,
      {
        dataDir: this.dataDir,
        settingsOf: (kept) => {
          const app = this.settings.apps.find((a) => a.id === kept.id);
          return app === undefined ? null : verbTarget(app).settings();
        },
      },
      (app, alert) =>
        this.emit('keeper:alert', {
          appId: app.id,
          event: alert.event,
          title: alertTitle(alert),
          reason: alert.reason,
        }),
      (target) => this.resolveTarget(target),
    );
    this.keeper ??= new KeeperLoop(
      () => this.keptApps(),
      actions,
      (app, result) => {
        if (!result.ok) {
          log(
            `${app.name}: the keeper could not look after it: ${result.error.message} [${result.error.code}]`,
          );
          return;
        }
        const pass = result.value;
        if (pass.outcome === 'ran') {
          this.emit('snapshots:changed', { appId: app.id });
          log(
            `${app.name}: ${pass.error === null ? `scheduled snapshot ${pass.snapshot ?? '(nothing to back up)'}` : `scheduled snapshot failed: ${pass.error.message}`}${pass.pruned.length > 0 ? `; retention deleted ${pass.pruned.length}` : ''}`,
          );
        }
        for (const delivery of pass.deliveries.filter((d) => !d.ok)) {
          log(`${app.name}: could not alert ${delivery.target}: ${delivery.error ?? ''}`);
        }
      },
    );
    this.keeper.start();
  }

  /** The apps the keeper looks after: those whose database folder exists (one with a damaged lifeboat.json fails its pass). */
  private keptApps(): KeptApp[] {
    return this.settings.apps.flatMap((app) => {
      if (!fs.existsSync(path.dirname(app.databasePath))) {
        return [];
      }
      const { file, problem } = appFileOf(app);
      return [
        {
          id: app.id,
          name: app.name,
          location: { databasePath: app.databasePath, backupsDir: app.backupsDir },
          automation: this.automationOf(app, file).automation,
          ...(problem === null ? {} : { settingsProblem: problem }),
        },
      ];
    });
  }

  /** The keeper's jobs: a scheduled snapshot shows in the UI like any other; its list and prune run quietly. */
  private readonly keeperJob: JobStarter = <K extends JobKind>(request: JobRequestOf<K>) => {
    const snapshot = isJobOf(request, 'snapshot');
    const appId =
      snapshot === null
        ? undefined
        : this.settings.apps.find((a) => a.databasePath === snapshot.input.location.databasePath)?.id;
    const handle =
      snapshot !== null && appId !== undefined
        ? this.trackJob('snapshot', appId, snapshot, 'schedule')
        : startJob(request, undefined, 'schedule');
    // The handle was started for this request: its result is this kind's.
    return handle.result as Promise<Result<JobOutputs[K]>>;
  };

  /** Cancels every running job and waits until each has cleaned up after itself. */
  async shutdown(): Promise<void> {
    this.hub?.close();
    const keeperStopped = this.keeper?.stop();
    this.watcher?.close();
    // Cancelled before the keeper is waited for: its scheduled snapshots are among them.
    const running = [...this.jobs.values()];
    running.forEach((job) => job.handle.cancel());
    await Promise.all([keeperStopped, ...running.map((job) => job.handle.result)]);
  }

  /** A target with the S3 keys Lifeboat keeps for it (none: the AWS environment or profile). */
  private resolveTarget(target: OffsiteTarget): ResolvedTarget {
    return resolveTarget(target, this.secrets.get(target.name));
  }

  private app(appId: string): App {
    const app = this.settings.apps.find((a) => a.id === appId);
    if (app === undefined) {
      throw appGone();
    }
    return app;
  }

  /** The app's automation in effect (its lifeboat.json first, then Lifeboat's settings) with the global alert targets. */
  private automationOf(app: App, file: AppSettingsFile | null): ReturnType<typeof automationOf> {
    return automationOf(app, file, this.settings.settings.notify ?? []);
  }

  /** Refuses to start a second restore of an app while one is running (the journal guards other processes). */
  private refuseIfRestoring(app: App): void {
    const running = [...this.jobs.values()].find(
      (job) => job.state.appId === app.id && changesLiveDatabase(job.state.kind),
    );
    if (running !== undefined) {
      throw new LifeboatFailure(
        'RESTORE_IN_PROGRESS',
        `A restore of ${app.name} is under way: wait until it has finished.`,
      );
    }
  }

  /** Adds an app, or finds the one already watching this database (looked up in the file under its lock). */
  private addApp(location: DatabaseLocation, name: string): App {
    let app: App = { id: crypto.randomUUID(), name, ...location };
    this.settings.update((s) => {
      const existing = s.apps.find((a) => a.databasePath === location.databasePath);
      app = existing ?? app;
      return existing === undefined ? { ...s, apps: [...s.apps, app] } : s;
    });
    return app;
  }

  /**
   * Changes one app as it is in the settings file now (another process may have changed its other
   * fields since this one read it); returns it as changed.
   */
  private updateApp(appId: string, change: (app: App) => App): App {
    let updated: App | undefined;
    this.settings.update((s) => ({
      ...s,
      apps: s.apps.map((a) => (a.id === appId ? (updated = change(a)) : a)),
    }));
    if (updated === undefined) {
      throw appGone();
    }
    return updated;
  }

  private startUiJob<K extends UiJobKind>(
    kind: K,
    appId: string,
    request: JobRequestOf<K>,
  ): { jobId: string } {
    return { jobId: this.trackJob(kind, appId, request, this.origin).id };
  }

  /** Starts a job the UI follows (its progress and end are emitted); `origin` is who it is logged as started by. */
  private trackJob<K extends UiJobKind>(
    kind: K,
    appId: string,
    request: JobRequestOf<K>,
    origin: ActivityOrigin,
  ): JobHandle<JobOutputs[K]> {
    const job: { current?: RunningJob } = {};
    const handle = startJob(
      request,
      (progress) => {
        if (job.current !== undefined) {
          job.current.state = { ...job.current.state, phase: progress.phase, fraction: progress.fraction };
        }
        this.emit('job:progress', { ...progress, appId });
      },
      origin,
    );
    job.current = { state: { jobId: handle.id, kind, appId, phase: 'Starting', fraction: 0 }, handle };
    this.jobs.set(handle.id, job.current);
    void handle.result.then((result) => {
      this.jobs.delete(handle.id);
      // kind and result belong together: the handle was started for this kind.
      this.emit('job:finished', { jobId: handle.id, appId, kind, result } as JobFinished);
    });
    return handle;
  }
}
