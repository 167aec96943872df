import * as path from 'node:path';
import type { ActivityEntry, ActivityOrigin } from '../../contract/activity';
import type { Result } from '../../contract/errors';
import { notTriedText } from '../../contract/restore';
import type { JobInputs, JobKind, JobOutputs, JobRequestOf } from './job-requests';
import { rulesText } from '../retention/prune-snapshots';
import { restoreActionOf } from '../restore/guarded-restore';
import { drillTargetText } from '../drill/drill-status';

/** What a finished restore, undo, redo or recovery did, in one sentence. */
function restoreDetail(value: JobOutputs['restore'], action: ActivityEntry['action']): string {
  if (value.error !== null) {
    return value.error.message;
  }
  if (value.outcome === 'resumed') {
    return 'The interrupted restore was finished.';
  }
  if (action === 'rollback') {
    return 'The interrupted restore was undone.';
  }
  const kept = value.preRestoreSnapshot === null ? 'not needed' : path.basename(value.preRestoreSnapshot);
  switch (action) {
    case 'undo':
      return `The last restore was undone: what was live before it is back, as it was; pre-undo snapshot ${kept}.`;
    case 'redo':
      return `The undone restore was redone: what it had put in place is back, as it was; pre-redo snapshot ${kept}.`;
    default:
      return `Restored; pre-restore snapshot ${kept}.`;
  }
}

/** A rehearsal's verdict, as the dialog and the CLI say it: never "passed" alone when a step was not tried. */
function rehearsalDetail(value: JobOutputs['rehearse']): string {
  if (value.error !== null) {
    return `Rehearsal failed: ${value.error.message} Nothing was changed.`;
  }
  const untried = notTriedText(value);
  return untried === null
    ? 'Rehearsal passed: the restore would go through. Nothing was changed.'
    : `Rehearsal passed, but ${untried}. Nothing was changed.`;
}

/** Where a finished job's line goes (its backups folder's log) and the line. */
interface Logged {
  readonly backupsDir: string;
  readonly entry: ActivityEntry;
}

/** What every logger is given besides its job's input and result: the time, who asked, the failure line. */
interface LineContext {
  readonly at: string;
  readonly origin: ActivityOrigin;
  /** The line of a job that failed or was cancelled; null when it succeeded. */
  readonly failure: (
    action: ActivityEntry['action'],
    database: string,
    target: string | null,
  ) => ActivityEntry | null;
}

/** How a kind of job is logged; null for kinds that only read, which leave no line. */
type JobLoggers = {
  readonly [K in JobKind]:
    ((input: JobInputs[K], value: JobOutputs[K] | null, line: LineContext) => Logged | null) | null;
};

/** A restore's or a recovery's line: restored, rolled back (and why), or the interrupted one finished or undone. */
function restoreLine(
  location: JobInputs['restore']['location'],
  asked: string | null,
  /** What the job was asked to do: a restore, an undo or a redo (a recovery: a restore). */
  asAction: 'restore' | 'undo' | 'redo',
  value: JobOutputs['restore'] | null,
  { at, origin, failure }: LineContext,
): Logged | null {
  if (value?.outcome === 'nothing-to-recover') {
    return null;
  }
  const target = value?.snapshot === null || value === null ? null : path.basename(value.snapshot);
  const action = value?.outcome === 'rolled-back' && value.error === null ? 'rollback' : asAction;
  const entry = failure(asAction, location.databasePath, asked) ?? {
    at,
    action,
    database: location.databasePath,
    target,
    outcome: value?.outcome === 'rolled-back' && value.error !== null ? 'rolled-back' : 'ok',
    ...(value?.outcome === 'restored' && value.preRestoreSnapshot !== null
      ? { preRestore: path.basename(value.preRestoreSnapshot) }
      : {}),
    detail: value === null ? '' : restoreDetail(value, action),
    origin,
  };
  return { backupsDir: location.backupsDir, entry };
}

/** A pin's, an unpin's or a deletion's line. */
function fileLine(
  backupsDir: string,
  paths: readonly string[],
  action: 'delete' | 'pin' | 'unpin',
  { at, origin, failure }: LineContext,
): Logged {
  const target = paths.map((p) => path.basename(p)).join(', ');
  const done = {
    delete: 'Deleted.',
    pin: 'Pinned: kept until unpinned.',
    unpin: 'Unpinned: retention and deletion may remove it.',
  }[action];
  const entry = failure(action, backupsDir, target) ?? {
    at,
    action,
    database: backupsDir,
    target,
    outcome: 'ok',
    detail: done,
    origin,
  };
  return { backupsDir, entry };
}

const loggers: JobLoggers = {
  snapshot: ({ location }, value, { at, origin, failure }) => {
    if (value?.kind === 'nothing-to-back-up') {
      return null;
    }
    const entry = failure('snapshot', location.databasePath, null) ?? {
      at,
      action: 'snapshot',
      database: location.databasePath,
      target: value?.kind === 'created' ? value.snapshot.file : null,
      outcome: 'ok',
      detail: 'Snapshot taken and checked.',
      origin,
    };
    return { backupsDir: location.backupsDir, entry };
  },
  verify: (input, value, { at, origin, failure }) => {
    const target = input.paths.length === 1 ? path.basename(input.paths[0] ?? '') : null;
    const failed = value?.reports.filter((r) => !r.ok) ?? [];
    const entry = failure('verify', input.backupsDir, target) ?? {
      at,
      action: 'verify',
      database: input.backupsDir,
      target,
      outcome: failed.length === 0 ? 'ok' : 'failed',
      detail:
        failed.length === 0
          ? `${value?.reports.length ?? 0} snapshot(s) verified.`
          : failed.map((r) => r.error?.message ?? r.file).join(' '),
      origin,
    };
    return { backupsDir: input.backupsDir, entry };
  },
  restore: (input, value, line) =>
    restoreLine(input.location, path.basename(input.snapshotPath), restoreActionOf(input), value, line),
  'restore-recover': (input, value, line) => restoreLine(input.location, null, 'restore', value, line),
  upgrade: ({ location }, value, { at, origin, failure }) => {
    if (value?.outcome === 'at-head') {
      return null;
    }
    const entry = failure('upgrade', location.databasePath, null) ?? {
      at,
      action: 'upgrade',
      database: location.databasePath,
      target: null,
      outcome: value?.outcome === 'rolled-back' ? 'rolled-back' : 'ok',
      detail:
        value?.error?.message ??
        `Upgraded to head${value?.applied === null || value === null ? '' : ` (${value.applied})`}.`,
      origin,
    };
    return { backupsDir: location.backupsDir, entry };
  },
  pin: (input, _value, line) => fileLine(input.backupsDir, input.paths, input.pinned ? 'pin' : 'unpin', line),
  delete: (input, _value, line) => fileLine(input.backupsDir, input.paths, 'delete', line),
  prune: ({ location, rules }, value, { at, origin, failure }) => {
    if (value !== null && (value.dryRun || value.deleted.length === 0)) {
      return null;
    }
    const deleted = value?.deleted ?? [];
    const entry = failure('prune', location.databasePath, null) ?? {
      at,
      action: 'prune',
      database: location.databasePath,
      target: deleted.length === 1 ? (deleted[0] ?? null) : `${deleted.length} snapshots`,
      outcome: 'ok',
      detail: `Deleted by the retention rules (${rulesText(rules)}): ${deleted.join(', ')}.`,
      origin,
    };
    return { backupsDir: location.backupsDir, entry };
  },
  push: ({ location }, value, { at, origin, failure }) => {
    const sent = value?.targets.flatMap((t) => t.pushed) ?? [];
    const broken = value?.targets.filter((t) => t.error !== null || t.failed.length > 0) ?? [];
    if (value !== null && sent.length === 0 && broken.length === 0) {
      return null;
    }
    const problems = broken.map(
      (t) => `${t.target}: ${t.error?.message ?? t.failed.map((f) => f.error.message).join(' ')}`,
    );
    const entry = failure('push', location.databasePath, null) ?? {
      at,
      action: 'push',
      database: location.databasePath,
      target: sent.length === 1 ? (sent[0]?.file ?? null) : `${sent.length} snapshots`,
      outcome: broken.length === 0 ? 'ok' : 'failed',
      detail: [
        sent.length === 0
          ? ''
          : `Sent offsite: ${value?.targets
              .filter((t) => t.pushed.length > 0)
              .map((t) => `${t.target} (${t.pushed.length})`)
              .join(', ')}.`,
        ...problems,
      ]
        .filter((part) => part !== '')
        .join(' '),
      origin,
    };
    return { backupsDir: location.backupsDir, entry };
  },
  pull: ({ location, id, target }, value, { at, origin, failure }) => {
    if (value?.alreadyHere === true) {
      return null;
    }
    const entry = failure('pull', location.databasePath, id) ?? {
      at,
      action: 'pull',
      database: location.databasePath,
      target: value?.file ?? null,
      outcome: 'ok',
      detail: `Brought back from ${target.display} (${id}), checked and verified.`,
      origin,
    };
    return { backupsDir: location.backupsDir, entry };
  },
  'remote-list': null,
  drill: ({ location }, value, { at, origin, failure }) => {
    const entry = failure('drill', location.databasePath, null) ?? {
      at,
      action: 'drill',
      database: location.databasePath,
      target: value?.targets.map((t) => t.id ?? t.target).join(', ') ?? null,
      outcome: value?.ok === false ? 'failed' : 'ok',
      detail: value === null ? '' : value.targets.map(drillTargetText).join(' '),
      origin,
    };
    return { backupsDir: location.backupsDir, entry };
  },
  diff: null,
  rows: null,
  export: null,
  copy: null,
  info: null,
  inspect: null,
  demo: null,
  list: null,
  migrations: null,
  migrate: null,
  'restore-preview': null,
  rehearse: (input, value, { at, origin, failure }) => {
    const target = path.basename(input.snapshotPath);
    const entry = failure('rehearse', input.location.databasePath, target) ?? {
      at,
      action: 'rehearse',
      database: input.location.databasePath,
      target,
      outcome: value?.error === null ? 'ok' : 'failed',
      detail: value === null ? '' : rehearsalDetail(value),
      origin,
    };
    return { backupsDir: input.location.backupsDir, entry };
  },
};

/** The activity-log entry a finished job leaves, and the backups folder whose log it goes to; null for reads. */
export function activityOfJob<K extends JobKind>(
  request: JobRequestOf<K>,
  result: Result<JobOutputs[K]>,
  origin: ActivityOrigin,
): Logged | null {
  const logger: JobLoggers[K] = loggers[request.kind];
  if (logger === null) {
    return null;
  }
  const at = new Date().toISOString();
  const failure: LineContext['failure'] = (action, database, target) =>
    result.ok
      ? null
      : {
          at,
          action,
          database,
          target,
          outcome: result.error.code === 'CANCELLED' ? 'cancelled' : 'failed',
          detail: result.error.message,
          origin,
        };
  return logger(request.input, result.ok ? result.value : null, { at, origin, failure });
}
