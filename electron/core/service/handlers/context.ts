import type { ActivityOrigin } from '../../../contract/activity';
import type { App } from '../../../contract/apps';
import type { LifeboatError } from '../../../contract/errors';
import type { OffsiteTarget } from '../../../contract/offsite';
import type {
  JobState,
  OperationName,
  OperationOutput,
  ParsedInput,
  UiJobKind,
} from '../../../contract/operations';
import type { DatabaseLocation } from '../../database-location';
import type { Hub } from '../../hosts/hub';
import type { JobRequestOf } from '../../jobs/job-requests';
import type { SecretStore } from '../../offsite/offsite-secrets';
import type { ResolvedTarget } from '../../offsite/target-url';
import type { automationOf } from '../../schedule/app-automation';
import type { AppSettingsFile } from '../../settings/app-settings-file';
import type { SettingsStore } from '../../settings/settings-store';
import type { WebBoundary } from './web-boundary';

/** The implementation of every contract operation, shared by the Electron binding and the web host. */
export type OperationHandlers = {
  readonly [K in OperationName]: (input: ParsedInput<K>) => Promise<OperationOutput<K>>;
};

/** The handlers of some of the operations: what one feature's file registers into the map. */
export type Handlers<K extends OperationName> = Pick<OperationHandlers, K>;

/**
 * What the handlers use of the service (lifeboat-service.ts, which assembles their map): its
 * settings and apps, what its host allows, and its jobs, backups watcher, keeper and events.
 */
export interface HandlerContext {
  readonly settings: SettingsStore;
  /** Lifeboat's user data folder (where the demo is made). */
  readonly dataDir: string;
  /** Who the operations' jobs are logged as started by; 'web', a token holder of `lifeboat serve`, may change less. */
  readonly origin: ActivityOrigin;
  /** For the web host: the folders a token holder may reach; null for the desktop app (its user chose every path). */
  readonly boundary: WebBoundary | null;
  /**
   * A token holder of `lifeboat serve` started without --admin: no commands, offsite targets, alerts
   * or hosts from the page, and folders only under --allow. False for the desktop app and under --admin.
   */
  readonly limited: boolean;
  readonly secrets: SecretStore;
  /** Other machines' apps, for the hosts that show them (the desktop app, `lifeboat serve`); null elsewhere. */
  readonly hub: Hub | null;
  now(): Date;
  /** The app, failing with APP_NOT_FOUND when it is no longer in the settings. */
  app(appId: string): App;
  /** Adds an app, or finds the one already watching this database. */
  addApp(location: DatabaseLocation, name: string): App;
  /** Changes one app as it is in the settings file now; returns it as changed. */
  updateApp(appId: string, change: (app: App) => App): App;
  /** The app's automation in effect (its lifeboat.json first, then Lifeboat's settings) with the global alert targets. */
  automationOf(app: App, file: AppSettingsFile | null): ReturnType<typeof automationOf>;
  /** Starts a job the UI follows: its progress and end are emitted. */
  startUiJob<K extends UiJobKind>(kind: K, appId: string, request: JobRequestOf<K>): { jobId: string };
  /** Refuses to start a second restore of an app while one is running (the journal guards other processes). */
  refuseIfRestoring(app: App): void;
  /** Cancels a running job; false when none has this id. */
  cancelJob(jobId: string): boolean;
  runningJobs(): JobState[];
  /** Follows the app's backups folder, on the hosts that follow them (see followBackupsFolders). */
  follow(app: App): void;
  unfollow(appId: string): void;
  /** Runs a pass of the keeper now, on the hosts that keep the schedules. */
  keeperPass(): void;
  /** Why the keeper could not look after the app on its last pass; null when it could (or no keeper runs here). */
  keeperProblem(appId: string): LifeboatError | null;
  /** Tells the windows that the list of hosts changed. */
  hostsChanged(): void;
  /** A target with the S3 keys Lifeboat keeps for it (none: the AWS environment or profile). */
  resolveTarget(target: OffsiteTarget): ResolvedTarget;
}
