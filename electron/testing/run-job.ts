import type { Result } from '../contract/errors';
import type { JobProgress } from '../contract/jobs';
import type { BackupOutcome, VerifyResult } from '../contract/snapshots';
import type { DatabaseLocation } from '../core/database-location';
import { startJob } from '../core/jobs/job-runner';

/** Takes a snapshot through the real job machinery (worker thread), as the CLI and app do. */
export function snapshotJob(
  location: DatabaseLocation,
  reason?: string,
  onProgress?: (p: JobProgress) => void,
): Promise<Result<BackupOutcome>> {
  return startJob({ kind: 'snapshot', input: { location, reason } }, onProgress).result;
}

export async function createdSnapshotPath(location: DatabaseLocation, reason?: string): Promise<string> {
  const result = await snapshotJob(location, reason);
  if (!result.ok) {
    throw new Error(`snapshot failed: ${result.error.code} ${result.error.message}`);
  }
  if (result.value.kind !== 'created') {
    throw new Error('nothing was backed up');
  }
  return result.value.snapshot.path;
}

export function verifyJob(backupsDir: string, paths: string[]): Promise<Result<VerifyResult>> {
  return startJob({ kind: 'verify', input: { backupsDir, paths } }).result;
}
