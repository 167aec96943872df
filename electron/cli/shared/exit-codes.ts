import { assertNever, type ErrorCode } from '../../contract/errors';

/** The CLI's exit codes, documented in docs/cli.md; scripts rely on them. */
export const exitCodes = {
  ok: 0,
  failed: 1,
  usage: 2,
  verificationFailed: 3,
  notAtHead: 4,
  /** `check`: the app needs attention (stale, failing, damaged, interrupted). */
  needsAttention: 5,
  /** `drill`: a copy did not come back as it should (the step's code says where it failed). */
  drillFailed: 6,
  cancelled: 130,
} as const;

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'INVALID_ARGUMENT':
    case 'APP_NOT_FOUND':
      return exitCodes.usage;
    case 'CANCELLED':
      return exitCodes.cancelled;
    case 'SNAPSHOT_CORRUPT':
    case 'DB_CORRUPT':
    case 'SNAPSHOT_INCOMPLETE':
    case 'CHECKSUM_MISMATCH':
    case 'MIGRATION_FAILED':
    case 'DB_IN_USE':
    case 'RESTORE_IN_PROGRESS':
    case 'JOURNAL_INVALID':
    case 'UNDO_UNTRUSTED':
    case 'RESTORE_FAILED':
    case 'APP_COMMAND_FAILED':
    case 'SCHEMA_MISMATCH':
    case 'HEALTH_CHECK_FAILED':
    case 'NOT_SQLITE_URL':
    case 'DB_NOT_FOUND':
    case 'DB_IS_LINK':
    case 'NOT_A_DATABASE':
    case 'DB_LOCKED':
    case 'DISK_FULL':
    case 'PERMISSION_DENIED':
    case 'SNAPSHOT_NOT_FOUND':
    case 'SNAPSHOT_PINNED':
    case 'IO_ERROR':
    case 'OFFSITE_UNREACHABLE':
    case 'OFFSITE_AUTH_FAILED':
    case 'HOST_KEY_UNKNOWN':
    case 'HOST_KEY_CHANGED':
    case 'DECRYPT_FAILED':
    case 'HOST_UNREACHABLE':
    case 'HOST_AUTH_FAILED':
    case 'HOST_LIFEBOAT_MISSING':
    case 'HOST_LIFEBOAT_OUTDATED':
    case 'NATIVE_MODULE_MISMATCH':
    case 'TIME_BUDGET_EXCEEDED':
    case 'INTERNAL':
      return exitCodes.failed;
    case 'DRILL_COPY_MISSING':
    case 'DRILL_STORED_MISMATCH':
    case 'DRILL_DECRYPT_FAILED':
    case 'DRILL_INTEGRITY_FAILED':
    case 'DRILL_REVISION_MISMATCH':
    case 'DRILL_SMOKE_FAILED':
    case 'DRILL_REHEARSAL_FAILED':
      return exitCodes.drillFailed;
    default:
      return assertNever(code);
  }
}
