import type { PulledSnapshot, PushResult } from './offsite';
import type { Result } from './errors';
import type { JobProgress } from './jobs';
import type { RestoreResult } from './restore';
import type { BackupOutcome, VerifyResult } from './snapshots';
import type { DiffResult } from './diff';
import type { WrittenFile } from './browse';

/** Events pushed from the Node side to the UI (IPC in Electron, a WebSocket in the browser). */
export type JobFinished =
  | {
      readonly jobId: string;
      readonly appId: string;
      readonly kind: 'snapshot';
      readonly result: Result<BackupOutcome>;
    }
  | {
      readonly jobId: string;
      readonly appId: string;
      readonly kind: 'verify';
      readonly result: Result<VerifyResult>;
    }
  | {
      readonly jobId: string;
      readonly appId: string;
      readonly kind: 'restore' | 'rehearse' | 'restore-recover';
      readonly result: Result<RestoreResult>;
    }
  | {
      readonly jobId: string;
      readonly appId: string;
      readonly kind: 'diff';
      readonly result: Result<DiffResult>;
    }
  | {
      readonly jobId: string;
      readonly appId: string;
      readonly kind: 'export' | 'copy';
      readonly result: Result<WrittenFile>;
    }
  | {
      readonly jobId: string;
      readonly appId: string;
      readonly kind: 'push';
      readonly result: Result<PushResult>;
    }
  | {
      readonly jobId: string;
      readonly appId: string;
      readonly kind: 'pull';
      readonly result: Result<PulledSnapshot>;
    };

/** Events of the jobs core runs and of the folders it follows, the same from Electron and from the web host. */
export interface JobEvents {
  'job:progress': JobProgress & { readonly appId: string };
  'job:finished': JobFinished;
  /** Something in the app's backups folder changed on disk (a script added, deleted or touched a file). */
  'snapshots:changed': { readonly appId: string };
  /** The keeper's news of an app: a scheduled snapshot failed, it turned stale, or it is protected again. */
  'keeper:alert': {
    readonly appId: string;
    readonly event: 'failed' | 'stale' | 'recovered';
    readonly title: string;
    readonly reason: string;
  };
  /** A host was added or removed, or went online or out of reach: the list of apps is read again. */
  'hosts:changed': Record<string, never>;
}
export type JobEventName = keyof JobEvents;
export const jobEventNames: readonly JobEventName[] = [
  'job:progress',
  'job:finished',
  'snapshots:changed',
  'keeper:alert',
  'hosts:changed',
];

/** Commands from the desktop app's menu, carried out by the renderer. */
export type MenuCommand = 'add-app' | 'snapshot-now' | 'open-demo';

export interface LifeboatEvents extends JobEvents {
  'menu:command': { readonly command: MenuCommand };
}
export type EventName = keyof LifeboatEvents;
export const eventNames: readonly EventName[] = [...jobEventNames, 'menu:command'];
