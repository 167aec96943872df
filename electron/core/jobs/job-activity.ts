import * as path from 'node:path';
import type { ActivityEntry, ActivityOrigin } from '../../contract/activity';
import type { Result } from '../../contract/errors';
import type { JobOutputs, JobRequest } from './job-requests';
import { rulesText } from '../retention/prune-snapshots';

/** What a finished restore or recovery did, in one sentence. */
function restoreDetail(value: JobOutputs['restore'], action: 'restore' | 'rollback'): string {
  if (value.error !== null) {
    return value.error.message;
  }
  if (value.outcome === 'resumed') {
    return 'The interrupted restore was finished.';
  }
  if (action === 'rollback') {
    return 'The interrupted restore was undone.';
  }
  const preRestore =
    value.preRestoreSnapshot === null ? 'not needed' : path.basename(value.preRestoreSnapshot);
  return `Restored; pre-restore snapshot ${preRestore}.`;
}

/** The activity-log entry a finished job leaves, and the backups folder whose log it goes to; null for reads. */
export function activityOfJob(
  request: JobRequest,
  result: Result<JobOutputs[keyof JobOutputs]>,
  origin: ActivityOrigin,
): { backupsDir: string; entry: ActivityEntry } | null {
  const at = new Date().toISOString();
  const failure = (
    action: ActivityEntry['action'],
    database: string,
    target: string | null,
  ): ActivityEntry | null =>
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
  switch (request.kind) {
    case 'snapshot': {
      const { location } = request.input;
      const value = result.ok ? (result.value as JobOutputs['snapshot']) : null;
      if (value?.kind === 'nothing-to-back-up') {
        return null;
      }
      const entry = failure('snapshot', location.databasePath, null) ?? {
        at,
        action: 'snapshot' as const,
        database: location.databasePath,
        target: value?.kind === 'created' ? value.snapshot.file : null,
        outcome: 'ok' as const,
        detail: 'Snapshot taken and checked.',
        origin,
      };
      return { backupsDir: location.backupsDir, entry };
    }
    case 'verify': {
      const value = result.ok ? (result.value as JobOutputs['verify']) : null;
      const target = request.input.paths.length === 1 ? path.basename(request.input.paths[0] ?? '') : null;
      const failed = value?.reports.filter((r) => !r.ok) ?? [];
      const entry = failure('verify', request.input.backupsDir, target) ?? {
        at,
        action: 'verify' as const,
        database: request.input.backupsDir,
        target,
        outcome: failed.length === 0 ? ('ok' as const) : ('failed' as const),
        detail:
          failed.length === 0
            ? `${value?.reports.length ?? 0} snapshot(s) verified.`
            : failed.map((r) => r.error?.message ?? r.file).join(' '),
        origin,
      };
      return { backupsDir: request.input.backupsDir, entry };
    }
    case 'restore':
    case 'restore-recover': {
      const location = request.input.location;
      const value = result.ok ? (result.value as JobOutputs['restore']) : null;
      if (value?.outcome === 'nothing-to-recover') {
        return null;
      }
      const target = value?.snapshot === null || value === null ? null : path.basename(value.snapshot);
      const action = value?.outcome === 'rolled-back' && value.error === null ? 'rollback' : 'restore';
      const entry = failure(
        'restore',
        location.databasePath,
        request.kind === 'restore' ? path.basename(request.input.snapshotPath) : null,
      ) ?? {
        at,
        action,
        database: location.databasePath,
        target,
        outcome:
          value?.outcome === 'rolled-back' && value.error !== null
            ? ('rolled-back' as const)
            : ('ok' as const),
        ...(value?.outcome === 'restored' && value.preRestoreSnapshot !== null
          ? { preRestore: path.basename(value.preRestoreSnapshot) }
          : {}),
        detail: value === null ? '' : restoreDetail(value, action),
        origin,
      };
      return { backupsDir: location.backupsDir, entry };
    }
    case 'upgrade': {
      const { location } = request.input;
      const value = result.ok ? (result.value as JobOutputs['upgrade']) : null;
      if (value?.outcome === 'at-head') {
        return null;
      }
      const entry = failure('upgrade', location.databasePath, null) ?? {
        at,
        action: 'upgrade' as const,
        database: location.databasePath,
        target: null,
        outcome: value?.outcome === 'rolled-back' ? ('rolled-back' as const) : ('ok' as const),
        detail:
          value?.error?.message ??
          `Upgraded to head${value?.applied === null || value === null ? '' : ` (${value.applied})`}.`,
        origin,
      };
      return { backupsDir: location.backupsDir, entry };
    }
    case 'pin':
    case 'delete': {
      const { backupsDir, paths } = request.input;
      let action: 'delete' | 'pin' | 'unpin' = 'delete';
      if (request.kind === 'pin') {
        action = request.input.pinned ? 'pin' : 'unpin';
      }
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
        outcome: 'ok' as const,
        detail: done,
        origin,
      };
      return { backupsDir, entry };
    }
    case 'prune': {
      const { location } = request.input;
      const value = result.ok ? (result.value as JobOutputs['prune']) : null;
      if (value !== null && (value.dryRun || value.deleted.length === 0)) {
        return null;
      }
      const deleted = value?.deleted ?? [];
      const entry = failure('prune', location.databasePath, null) ?? {
        at,
        action: 'prune' as const,
        database: location.databasePath,
        target: deleted.length === 1 ? (deleted[0] ?? null) : `${deleted.length} snapshots`,
        outcome: 'ok' as const,
        detail: `Deleted by the retention rules (${rulesText(request.input.rules)}): ${deleted.join(', ')}.`,
        origin,
      };
      return { backupsDir: location.backupsDir, entry };
    }
    case 'push': {
      const { location } = request.input;
      const value = result.ok ? (result.value as JobOutputs['push']) : null;
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
        action: 'push' as const,
        database: location.databasePath,
        target: sent.length === 1 ? (sent[0]?.file ?? null) : `${sent.length} snapshots`,
        outcome: broken.length === 0 ? ('ok' as const) : ('failed' as const),
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
    }
    case 'pull': {
      const { location } = request.input;
      const value = result.ok ? (result.value as JobOutputs['pull']) : null;
      if (value?.alreadyHere === true) {
        return null;
      }
      const entry = failure('pull', location.databasePath, request.input.id) ?? {
        at,
        action: 'pull' as const,
        database: location.databasePath,
        target: value?.file ?? null,
        outcome: 'ok' as const,
        detail: `Brought back from ${request.input.target.display} (${request.input.id}), checked and verified.`,
        origin,
      };
      return { backupsDir: location.backupsDir, entry };
    }
    case 'remote-list':
    case 'diff':
    case 'rows':
    case 'export':
    case 'copy':
    case 'info':
    case 'inspect':
    case 'demo':
    case 'list':
    case 'migrations':
    case 'migrate':
    case 'restore-preview':
    case 'rehearse':
      return null;
  }
}
