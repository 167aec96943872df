import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { App, AppHealth, AppSummary } from '../../contract/apps';
import type { JobEventName, JobEvents, JobFinished } from '../../contract/events';
import {
  changesLiveDatabase,
  type JobState,
  type OperationName,
  type OperationOutput,
  type ParsedInput,
  type UiJobKind,
} from '../../contract/operations';
import { parseAbsoluteDatabaseArgument, type DatabaseLocation } from '../database-location';
import { demoAppName } from '../demo/create-demo';
import { startJob, type JobHandle } from '../jobs/job-runner';
import {
  deleteVerb,
  diffVerb,
  listVerb,
  pinVerb,
  previewVerb,
  recoverVerb,
  rehearseVerb,
  restoreVerb,
  snapshotVerb,
  undoSnapshot,
  verifyVerb,
  type VerbTarget,
} from '../verbs/app-verbs';
import { isJobOf, type JobKind, type JobOutputs, type JobRequestOf } from '../jobs/job-requests';
import type { ActivityOrigin } from '../../contract/activity';
import { runSetsCommands } from '../../contract/app-run';
import type { Result } from '../../contract/errors';
import { lastRestore, readActivity } from '../activity/activity-log';
import { LifeboatFailure, valueOrThrow } from '../lifeboat-failure';
import { newestRestorable } from '../../contract/snapshots';
import { BackupsWatcher } from './backups-watcher';
import { findMigrations, type MigrationSetup } from '../migrations/migration-reader';
import type { AppSettings } from '../restore/restore-preflight';
import { readJournal } from '../restore/restore-journal';
import { isInside, WebBoundary } from './web-boundary';
import {
  appSettingsFileName,
  readAppSettingsFile,
  type AppSettingsFile,
} from '../settings/app-settings-file';
import { SettingsStore } from '../settings/settings-store';
import { toLifeboatError } from '../lifeboat-failure';
import { databaseStem } from '../snapshot-name';
import { resolveSnapshotPath } from '../snapshot/resolve-snapshot';
import { readSqliteHeaderSync } from '../sqlite/sqlite-header';
import type { Freshness } from '../../contract/schedule';
import { automationOf } from '../schedule/app-automation';
import { freshnessOf } from '../schedule/freshness';
import { readKeeperState } from '../schedule/keeper-state';
import { hasNoRules } from '../../contract/retention';
import { alertTitle } from '../notify/send-alerts';
import { jobActions, type JobStarter } from '../schedule/job-actions';
import { nextScheduledSnapshot, type KeptApp } from '../schedule/keeper';
import { KeeperLoop } from '../schedule/keeper-loop';
import { checkSchedule } from '../schedule/schedule-times';
import { sideOf } from '../diff/diff-databases';
import type { RowsQuery } from '../browse/table-rows';
import type { OffsiteTarget } from '../../contract/offsite';
import { fileSecrets, type SecretStore } from '../offsite/offsite-secrets';
import { thisHost } from '../offsite/remote-snapshots';
import { parseTargetUrl, resolveTarget, type ResolvedTarget } from '../offsite/target-url';
import { Hub, newHostId } from '../hosts/hub';
import type { Host, HostStatus } from '../../contract/hosts';

/** The implementation of every contract operation, shared by the Electron binding and the web host. */
export type OperationHandlers = {
  readonly [K in OperationName]: (input: ParsedInput<K>) => Promise<OperationOutput<K>>;
};

type Listener<E extends JobEventName> = (payload: JobEvents[E]) => void;

interface RunningJob {
  state: JobState;
  readonly handle: JobHandle<unknown>;
}

function rowsQueryOf(
  app: App,
  input: {
    source: string;
    table?: string | undefined;
    filter: string;
    orderBy?: string | undefined;
    descending: boolean;
  },
): RowsQuery {
  return {
    side: sideOf(app, input.source, app.backupsDir),
    table: input.table ?? null,
    filter: input.filter,
    orderBy: input.orderBy ?? null,
    descending: input.descending,
  };
}

/** The status dot: what needs the user first (an interrupted restore, damage), then how fresh the protection is. */
function healthOf(facts: { interrupted: boolean; exists: boolean; damaged: number; freshness: Freshness }): {
  health: AppHealth;
  healthText: string;
} {
  const { freshness } = facts;
  if (facts.interrupted) {
    return { health: 'problem', healthText: 'A restore was interrupted: finish it or roll it back.' };
  }
  if (!facts.exists) {
    return { health: 'no-database', healthText: 'The database file does not exist yet: nothing to back up.' };
  }
  if (facts.damaged > 0) {
    return {
      health: 'problem',
      healthText: `${facts.damaged} damaged or incomplete file(s) in the backups folder.`,
    };
  }
  const byState = { failing: 'failing', never: 'no-snapshots', stale: 'stale', fresh: 'ok' } as const;
  return { health: byState[freshness.state], healthText: freshness.reason };
}

/** An app's migrations: the folder and tool the user chose, else detected in the database's folder. */
function migrationSetupOf(app: App): MigrationSetup {
  const { databasePath } = app;
  return app.migrations === undefined
    ? { appDirs: [path.dirname(databasePath)], databasePath }
    : { migrationsDir: app.migrations.dir, tool: app.migrations.tool, databasePath };
}
/** The app's folder: where its lifeboat.json is and its commands run. */
function appDirOf(app: App): string {
  return app.appDir ?? path.dirname(app.databasePath);
}

/** The app's lifeboat.json, if it has one; a damaged one is reported, not used. */
function appFileOf(app: App): { file: AppSettingsFile | null; problem: string | null } {
  try {
    return { file: readAppSettingsFile(appDirOf(app)), problem: null };
  } catch (error) {
    return { file: null, problem: toLifeboatError(error).message };
  }
}

/** The interrupted restore the journal beside the database records, if any. */
function interruptedRestoreOf(app: App): AppSummary['interruptedRestore'] {
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

/** The app asked for was removed, here or by another process sharing the settings. */
function appGone(): LifeboatFailure {
  return new LifeboatFailure(
    'APP_NOT_FOUND',
    'That app is no longer in Lifeboat: it may have been removed in another window.',
  );
}

// Database file stems that say nothing about the app: the folder's name is a better default name.
const genericStems = new Set([
  'app',
  'db',
  'data',
  'database',
  'sqlite',
  'main',
  'prod',
  'production',
  'db.sqlite3',
]);

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
  private readonly secrets: SecretStore;
  /** Other machines' apps, for the hosts that show them (the desktop app, `lifeboat serve`); null elsewhere. */
  private readonly hub: Hub | null;

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
  }) {
    this.dataDir = options.dataDir;
    this.origin = options.origin;
    this.boundary = options.origin === 'web' ? new WebBoundary(options.allow ?? [], options.dataDir) : null;
    this.now = options.now ?? (() => new Date());
    this.settings = new SettingsStore(options.dataDir, this.now);
    this.secrets = options.secrets ?? fileSecrets(options.dataDir);
    this.hub =
      options.hub === true
        ? new Hub({
            hosts: () => this.settings.settings.hosts ?? [],
            web: options.origin === 'web',
            emit: (event, payload) => this.emit(event, payload),
            now: this.now,
          })
        : null;
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

  /** The apps the keeper looks after: those whose settings can be read and whose database folder exists. */
  private keptApps(): KeptApp[] {
    return this.settings.apps.flatMap((app) => {
      const { file, problem } = appFileOf(app);
      if (problem !== null || !fs.existsSync(path.dirname(app.databasePath))) {
        return [];
      }
      return [
        {
          id: app.id,
          name: app.name,
          location: { databasePath: app.databasePath, backupsDir: app.backupsDir },
          automation: this.automationOf(app, file).automation,
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

  /** A new file the user named for an export or a copy: a full path, in a folder the web host may reach, not there yet. */
  private newFileTarget(target: string, what: string): string {
    if (!path.isAbsolute(target)) {
      throw new LifeboatFailure(
        'INVALID_ARGUMENT',
        `"${target}" is a relative path: give the full path of the new file.`,
      );
    }
    this.boundary?.requireAllowed(path.dirname(target), `${what}'s folder`);
    if (fs.existsSync(target)) {
      throw new LifeboatFailure(
        'INVALID_ARGUMENT',
        `${target} already exists: choose a new file name. Nothing was written.`,
        target,
      );
    }
    if (!fs.existsSync(path.dirname(target))) {
      throw new LifeboatFailure(
        'INVALID_ARGUMENT',
        `The folder ${path.dirname(target)} does not exist.`,
        target,
      );
    }
    return target;
  }

  /** Cancels every running job and waits until each has cleaned up after itself. */
  async shutdown(): Promise<void> {
    this.hub?.close();
    await this.keeper?.stop();
    this.watcher?.close();
    const running = [...this.jobs.values()];
    running.forEach((job) => job.handle.cancel());
    await Promise.all(running.map((job) => job.handle.result));
  }

  /** A target with the S3 keys Lifeboat keeps for it (none: the AWS environment or profile). */
  private resolveTarget(target: OffsiteTarget): ResolvedTarget {
    return resolveTarget(target, this.secrets.get(target.name));
  }

  /** The app's targets in effect (its lifeboat.json's, then those in Lifeboat's settings), ready to use. */
  private targetsOf(app: App): { targets: readonly OffsiteTarget[]; app: string } {
    const { file, problem } = appFileOf(app);
    if (problem !== null) {
      throw new LifeboatFailure('INVALID_ARGUMENT', problem);
    }
    return this.automationOf(app, file).automation.offsite;
  }

  private targetOf(app: App, name: string): ResolvedTarget {
    const target = this.targetsOf(app).targets.find((t) => t.name === name);
    if (target === undefined) {
      throw new LifeboatFailure('INVALID_ARGUMENT', `${app.name} has no offsite target named "${name}".`);
    }
    return this.resolveTarget(target);
  }

  private app(appId: string): App {
    const app = this.settings.apps.find((a) => a.id === appId);
    if (app === undefined) {
      throw appGone();
    }
    return app;
  }

  /**
   * The app's summary; one app whose folders cannot be read (a file or a link where its backups
   * folder should be, a path the file system refuses) is shown with the problem, never failing the list.
   */
  private async summarize(app: App): Promise<AppSummary> {
    this.watcher?.follow(app.id, app.backupsDir);
    try {
      return await this.summarizeReadable(app);
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
        interruptedRestore: null,
        lastRestore: null,
        automation: this.automationOf(app, null).summary,
        freshness: null,
      };
    }
  }

  /** The app's automation in effect (its lifeboat.json first, then Lifeboat's settings) with the global alert targets. */
  private automationOf(app: App, file: AppSettingsFile | null): ReturnType<typeof automationOf> {
    return automationOf(app, file, this.settings.settings.notify ?? []);
  }

  private async summarizeReadable(app: App): Promise<AppSummary> {
    // In a worker: a folder of thousands of snapshots must not hold up the window's main process.
    const list = await this.runJob({ kind: 'list', input: { location: app, setup: null } });
    const damaged = list.snapshots.filter((s) => s.status === 'corrupt' || s.status === 'incomplete');
    const newest = newestRestorable(list.snapshots);
    const exists = fs.existsSync(app.databasePath);
    const interruptedRestore = interruptedRestoreOf(app);
    const { file, problem } = appFileOf(app);
    const automation = this.automationOf(app, file);
    const freshness = freshnessOf({
      snapshots: list.snapshots,
      automation: automation.automation,
      state: readKeeperState(app.backupsDir),
      nowMs: this.now().getTime(),
    });
    const health = healthOf({
      interrupted: interruptedRestore !== null,
      exists,
      damaged: damaged.length,
      freshness,
    });
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
      interruptedRestore,
      lastRestore: lastRestore(app.backupsDir),
      automation: automation.summary,
      freshness,
    };
  }

  /** Everything a restore needs to know about the app: its folder, how to run it, its migrations. */
  private restoreSettingsOf(app: App): AppSettings {
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
    return { dir: appDirOf(app), run: file?.run ?? app.run ?? null, migrations };
  }

  /** What the verbs work on for an app: its database, its settings when needed, names resolved in its backups folder. */
  private verbTarget(app: App): VerbTarget {
    return { location: app, settings: () => this.restoreSettingsOf(app), namesFrom: app.backupsDir };
  }

  private startRestore(app: App, request: JobRequestOf<'restore'>): { jobId: string } {
    this.refuseIfRestoring(app);
    if (interruptedRestoreOf(app) !== null) {
      throw new LifeboatFailure(
        'RESTORE_IN_PROGRESS',
        `A restore of ${app.name} was interrupted: finish it or roll it back first.`,
      );
    }
    return this.startUiJob('restore', app.id, request);
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

  /** Runs a job to its end; with `origin`, it is written to the activity log. */
  private async runJob<K extends JobKind>(
    request: JobRequestOf<K>,
    origin?: ActivityOrigin,
  ): Promise<JobOutputs[K]> {
    return valueOrThrow(await startJob(request, undefined, origin).result);
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

  /** Whether this host sets an app's commands for its user: never through the web host's token. */
  private mayEditCommands(): boolean {
    return this.origin !== 'web';
  }

  /** The hub; a Lifeboat that shows no hosts (the CLI's commands, `rpc`) says so. */

  private requireHub(): Hub {
    if (this.hub === null) {
      throw new LifeboatFailure('INVALID_ARGUMENT', 'This Lifeboat does not show other hosts.');
    }
    return this.hub;
  }

  /** The hub, for adding or removing a host: never through the web host (a token holder would run ssh here). */
  private hubToChange(verb: string): Hub {
    const hub = this.requireHub();
    if (this.origin === 'web') {
      throw new LifeboatFailure(
        'PERMISSION_DENIED',
        `Hosts cannot be ${verb === 'add' ? 'added' : 'removed'} through lifeboat serve: the token would make this server run ssh. Use the desktop app, or "lifeboat hosts ${verb}" on this server.`,
      );
    }
    return hub;
  }

  readonly handlers: OperationHandlers = {
    'apps:list': async () => {
      const [apps, hostApps] = await Promise.all([
        Promise.all(this.settings.apps.map((app) => this.summarize(app))),
        this.hub?.apps() ?? [],
      ]);
      return {
        apps: [...apps, ...hostApps],
        settingsProblem: this.settings.problem,
        hosts: this.hub?.statuses() ?? [],
        host: {
          editOffsite: this.origin !== 'web',
          keepsKeys: this.origin !== 'web' && this.secrets.writable,
          editHosts: this.origin !== 'web' && this.hub !== null,
          editCommands: this.mayEditCommands(),
        },
      };
    },
    'apps:add': async (input) => {
      const databasePath = parseAbsoluteDatabaseArgument(input.database);
      this.boundary?.requireAllowed(databasePath, 'The database');
      if (fs.existsSync(databasePath)) {
        const stat = fs.statSync(databasePath);
        if (!stat.isFile() || (stat.size > 0 && readSqliteHeaderSync(databasePath).kind !== 'sqlite')) {
          throw new LifeboatFailure(
            'NOT_A_DATABASE',
            `${databasePath} is not an SQLite database. Choose the app's database file (often app.db, db.sqlite3 or data.db).`,
            databasePath,
          );
        }
      }
      const backupsDir =
        input.backupsDir === undefined || input.backupsDir === ''
          ? path.join(path.dirname(databasePath), 'backups')
          : parseAbsoluteDatabaseArgument(input.backupsDir);
      this.boundary?.requireAllowed(databasePath, 'The database');
      this.boundary?.requireAllowed(backupsDir, 'The backups folder');
      const folder = path.dirname(databasePath);
      if (!fs.existsSync(folder) && input.allowMissingFolder !== true) {
        throw new LifeboatFailure(
          'DB_NOT_FOUND',
          `The folder ${folder} does not exist: check the path (a typo, or a volume that is not mounted). If the app will create it, add the app anyway.`,
          folder,
        );
      }
      if (fs.existsSync(backupsDir) && !fs.statSync(backupsDir).isDirectory()) {
        throw new LifeboatFailure(
          'IO_ERROR',
          `${backupsDir} is a file, not a folder: choose a folder for the snapshots (it is made if it does not exist).`,
          backupsDir,
        );
      }
      const stem = databaseStem(path.basename(databasePath));
      const fallbackName = genericStems.has(stem.toLowerCase())
        ? path.basename(path.dirname(databasePath)) || stem
        : stem;
      const app = this.addApp(
        { databasePath, backupsDir },
        input.name === undefined || input.name === '' ? fallbackName : input.name,
      );
      return this.summarize(app);
    },
    'apps:setMigrations': async (input) => {
      const app = this.app(input.appId);
      let migrations: App['migrations'];
      if (input.dir === undefined || input.dir === '') {
        migrations = undefined;
      } else {
        if (!path.isAbsolute(input.dir)) {
          throw new LifeboatFailure(
            'INVALID_ARGUMENT',
            `"${input.dir}" is a relative path: give the full path of the migrations folder.`,
          );
        }
        this.boundary?.requireAllowed(input.dir, 'The migrations folder');
        // Refuse a folder with nothing readable in it, rather than keep a setting that shows nothing.
        const found = findMigrations({ migrationsDir: input.dir, tool: input.tool });
        if (found === null || found.adapter.readGraph(found.source).revisions.length === 0) {
          const what = input.tool === undefined ? 'migrations' : `${input.tool} migrations`;
          throw new LifeboatFailure(
            'INVALID_ARGUMENT',
            `No ${what} found in ${input.dir}: choose the folder that holds the migration files (for Alembic, the one with alembic.ini).`,
          );
        }
        migrations = { dir: input.dir, tool: found.source.tool };
      }
      if (app.migrations === undefined && migrations === undefined) {
        return this.summarize(app);
      }
      const updated = this.updateApp(app.id, (current) => {
        const next: App = { ...current };
        delete next.migrations;
        return migrations === undefined ? next : { ...next, migrations };
      });
      return this.summarize(updated);
    },
    'apps:remove': (input) => {
      const app = this.app(input.appId);
      this.settings.update((s) => ({ ...s, apps: s.apps.filter((a) => a.id !== app.id) }));
      this.watcher?.unfollow(app.id);
      return Promise.resolve({ removed: app.id });
    },
    'apps:setAutomation': async (input) => {
      const app = this.app(input.appId);
      if (input.schedule !== undefined) {
        checkSchedule(input.schedule, this.now().getTime());
      }
      // Absent parts are cleared: the dialog sends the whole of what it shows.
      const updated = this.updateApp(app.id, (current) => {
        const next: App = { ...current };
        delete next.schedule;
        delete next.retention;
        delete next.staleAfter;
        return {
          ...next,
          ...(input.schedule === undefined ? {} : { schedule: input.schedule }),
          ...(input.retention === undefined || hasNoRules(input.retention)
            ? {}
            : { retention: input.retention }),
          ...(input.staleAfter === undefined ? {} : { staleAfter: input.staleAfter }),
        };
      });
      void this.keeper?.pass();
      return this.summarize(updated);
    },
    'retention:preview': (input) => {
      const app = this.app(input.appId);
      // With a schedule, what its next run deletes: that run's snapshot comes first and may push one out.
      const planned =
        input.schedule === undefined
          ? null
          : nextScheduledSnapshot(app.backupsDir, input.schedule, Date.now());
      return this.runJob({
        kind: 'prune',
        input: { location: app, rules: input.rules, dryRun: true, ...(planned === null ? {} : { planned }) },
      });
    },
    'demo:open': async () => {
      const location = await this.runJob({ kind: 'demo', input: { dataDir: this.dataDir } });
      return this.summarize(this.addApp(location, demoAppName));
    },
    'database:info': (input) => this.runJob({ kind: 'info', input: this.app(input.appId) }),
    'snapshots:list': (input) => {
      const app = this.app(input.appId);
      const { file } = appFileOf(app);
      const offsiteTargets = this.automationOf(app, file).automation.offsite.targets.map((t) => t.name);
      return this.runJob(listVerb(this.verbTarget(app), migrationSetupOf(app), offsiteTargets));
    },
    'migrations:status': async (input) => {
      const app = this.app(input.appId);
      return (
        await this.runJob({
          kind: 'migrations',
          input: { databasePath: app.databasePath, setup: migrationSetupOf(app) },
        })
      ).report;
    },
    'snapshots:inspect': (input) => {
      const app = this.app(input.appId);
      const filePath = resolveSnapshotPath(app.backupsDir, input.file, app.backupsDir);
      return this.runJob({
        kind: 'inspect',
        input: {
          backupsDir: app.backupsDir,
          path: filePath,
          liveStem: databaseStem(path.basename(app.databasePath)),
        },
      });
    },
    'snapshots:create': (input) => {
      const app = this.app(input.appId);
      this.refuseIfRestoring(app);
      return Promise.resolve(this.startUiJob('snapshot', app.id, snapshotVerb(this.verbTarget(app), input)));
    },
    'snapshots:verify': (input) => {
      const app = this.app(input.appId);
      return Promise.resolve(
        this.startUiJob('verify', app.id, verifyVerb(this.verbTarget(app), input.files)),
      );
    },
    'snapshots:delete': async (input) => {
      await this.runJob(deleteVerb(this.verbTarget(this.app(input.appId)), [input.file]), this.origin);
      return { deleted: input.file };
    },
    'snapshots:pin': async (input) => {
      const target = this.verbTarget(this.app(input.appId));
      await this.runJob(pinVerb(target, [input.file], input.pinned), this.origin);
      return { file: input.file, pinned: input.pinned };
    },
    'snapshots:diff': (input) => {
      const app = this.app(input.appId);
      const request = diffVerb(this.verbTarget(app), input.a, input.b, input.table);
      return Promise.resolve(this.startUiJob('diff', app.id, request));
    },
    'snapshots:rows': (input) => {
      const app = this.app(input.appId);
      const { offset, limit } = input;
      return this.runJob({ kind: 'rows', input: { ...rowsQueryOf(app, input), offset, limit } });
    },
    'snapshots:export': (input) => {
      const app = this.app(input.appId);
      const target = this.newFileTarget(input.path, 'The export');
      return Promise.resolve(
        this.startUiJob('export', app.id, {
          kind: 'export',
          input: { ...rowsQueryOf(app, input), format: input.format, target },
        }),
      );
    },
    'snapshots:copy': (input) => {
      const app = this.app(input.appId);
      const target = this.newFileTarget(input.path, 'The copy');
      const snapshotPath = resolveSnapshotPath(app.backupsDir, input.file, app.backupsDir);
      return Promise.resolve(
        this.startUiJob('copy', app.id, { kind: 'copy', input: { snapshotPath, target } }),
      );
    },
    'apps:setOffsite': async (input) => {
      const app = this.app(input.appId);
      if (this.origin === 'web') {
        // A token holder must not be able to send the app's data somewhere new.
        throw new LifeboatFailure(
          'INVALID_ARGUMENT',
          `Offsite targets cannot be set through lifeboat serve: list them under "offsite" in ${appSettingsFileName} in the app's folder on the server, or use the desktop app.`,
        );
      }
      const names = new Set<string>();
      for (const target of input.targets) {
        parseTargetUrl(target.url);
        if (names.has(target.name)) {
          throw new LifeboatFailure(
            'INVALID_ARGUMENT',
            `Two offsite targets are named "${target.name}": name each once.`,
          );
        }
        names.add(target.name);
      }
      for (const [name, keys] of Object.entries(input.keys)) {
        this.secrets.set(name, keys);
      }
      const updated = this.updateApp(app.id, (current) => {
        const next: App = { ...current };
        delete next.offsite;
        return input.targets.length === 0 ? next : { ...next, offsite: input.targets };
      });
      return this.summarize(updated);
    },
    'offsite:push': (input) => {
      const app = this.app(input.appId);
      const offsite = this.targetsOf(app);
      const targets = offsite.targets.map((t) => this.resolveTarget(t));
      if (targets.length === 0) {
        throw new LifeboatFailure(
          'INVALID_ARGUMENT',
          `${app.name} has no offsite target yet: add one in its Offsite settings.`,
        );
      }
      const files = input.files.map((file) =>
        path.basename(resolveSnapshotPath(app.backupsDir, file, app.backupsDir)),
      );
      return Promise.resolve(
        this.startUiJob('push', app.id, {
          kind: 'push',
          input: { location: app, host: thisHost(), app: offsite.app, targets, files },
        }),
      );
    },
    'offsite:list': (input) => {
      const app = this.app(input.appId);
      const target = this.targetOf(app, input.target);
      const scope = input.allHosts
        ? { host: null, app: null }
        : { host: thisHost(), app: this.targetsOf(app).app };
      return this.runJob({ kind: 'remote-list', input: { target, scope } });
    },
    'offsite:pull': (input) => {
      const app = this.app(input.appId);
      this.refuseIfRestoring(app);
      const target = this.targetOf(app, input.target);
      const scope = { host: thisHost(), app: this.targetsOf(app).app };
      return Promise.resolve(
        this.startUiJob('pull', app.id, {
          kind: 'pull',
          input: { location: app, target, id: input.id, scope, identities: input.identities },
        }),
      );
    },
    'jobs:cancel': (input) => {
      const job = this.jobs.get(input.jobId);
      job?.handle.cancel();
      return Promise.resolve({ cancelled: job !== undefined });
    },
    'jobs:list': () => Promise.resolve(this.runningJobs()),
    'hosts:add': async (input) => {
      const hub = this.hubToChange('add');
      const hosts = this.settings.settings.hosts ?? [];
      if (hosts.some((host) => host.address === input.address)) {
        throw new LifeboatFailure('INVALID_ARGUMENT', `${input.address} is already one of the hosts here.`);
      }
      const host: Host = {
        id: newHostId(input.address, hosts),
        address: input.address,
        command: input.command ?? 'lifeboat',
      };
      this.settings.update((s) => ({ ...s, hosts: [...(s.hosts ?? []), host] }));
      this.emit('hosts:changed', {});
      return hub.reconnect(host.id);
    },
    'hosts:remove': (input) => {
      this.hubToChange('remove');
      if (!(this.settings.settings.hosts ?? []).some((host) => host.id === input.hostId)) {
        throw new LifeboatFailure('INVALID_ARGUMENT', `There is no host "${input.hostId}" here.`);
      }
      this.settings.update((s) => ({
        ...s,
        hosts: (s.hosts ?? []).filter((host) => host.id !== input.hostId),
      }));
      this.emit('hosts:changed', {});
      return Promise.resolve({ removed: input.hostId });
    },
    'hosts:reconnect': (input): Promise<HostStatus> => this.requireHub().reconnect(input.hostId),
    'activity:list': (input) => Promise.resolve(readActivity(this.app(input.appId).backupsDir)),
    'apps:setRun': (input) => {
      const app = this.app(input.appId);
      if (input.appDir !== undefined && input.appDir !== '' && !path.isAbsolute(input.appDir)) {
        throw new LifeboatFailure(
          'INVALID_ARGUMENT',
          `"${input.appDir}" is a relative path: give the full path of the app's folder.`,
        );
      }
      const run = input.run;
      const appDir = input.appDir !== undefined && input.appDir !== '' ? input.appDir : appDirOf(app);
      if (input.appDir !== undefined && input.appDir !== '') {
        this.boundary?.requireAllowed(input.appDir, "The app's folder");
      }
      if (run?.workingDir !== undefined && !isInside(path.resolve(appDir, run.workingDir), appDir)) {
        throw new LifeboatFailure(
          'INVALID_ARGUMENT',
          `The working folder "${run.workingDir}" leads out of the app's folder ${appDir}: give a folder inside it.`,
        );
      }
      if (run !== undefined) {
        this.boundary?.requireRunAllowed(run, appDir, app.run);
      }
      if (run !== undefined && runSetsCommands(run) && !this.mayEditCommands()) {
        // Whoever holds the web host's token must not gain a shell on the server through it.
        throw new LifeboatFailure(
          'INVALID_ARGUMENT',
          `Commands and environment variables cannot be set through lifeboat serve: write them in ${appSettingsFileName} in the app's folder on the server, or use the desktop app.`,
        );
      }
      // Absent fields go back to their defaults: the database's folder, no run settings.
      const updated = this.updateApp(app.id, (current) => {
        const next: App = { ...current };
        delete next.appDir;
        delete next.run;
        return {
          ...next,
          ...(input.appDir !== undefined && input.appDir !== '' ? { appDir: input.appDir } : {}),
          ...(input.run !== undefined ? { run: input.run } : {}),
        };
      });
      return this.summarize(updated);
    },
    'restore:preview': (input) => {
      return this.runJob(previewVerb(this.verbTarget(this.app(input.appId)), input.file, input.undo));
    },
    'restore:start': (input) => {
      const app = this.app(input.appId);
      return Promise.resolve(
        this.startRestore(
          app,
          restoreVerb(this.verbTarget(app), input.file, { allowOpen: input.allowOpen, undo: false }),
        ),
      );
    },
    'restore:undo': (input) => {
      const app = this.app(input.appId);
      const target = this.verbTarget(app);
      // The snapshot the user saw as the undo: refused if another restore happened since.
      const snapshot = undoSnapshot(target, input.file);
      return Promise.resolve(
        this.startRestore(app, restoreVerb(target, snapshot, { allowOpen: false, undo: true })),
      );
    },
    'restore:rehearse': (input) => {
      const app = this.app(input.appId);
      return Promise.resolve(
        this.startUiJob('rehearse', app.id, rehearseVerb(this.verbTarget(app), input.file)),
      );
    },
    'restore:recover': (input) => {
      const app = this.app(input.appId);
      this.refuseIfRestoring(app);
      const request = recoverVerb(this.verbTarget(app), input.mode, false);
      return Promise.resolve(this.startUiJob('restore-recover', app.id, request));
    },
  };
}
