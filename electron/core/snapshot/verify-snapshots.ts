import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LifeboatError } from '../../contract/errors';
import type { ChecksumOutcome, VerifyReport, VerifyResult } from '../../contract/snapshots';
import { isUnwritableDisk, sha256OfFile } from '../fs/durable-file';
import type { JobControl } from '../job-control';
import { toLifeboatError } from '../lifeboat-failure';
import { IntegrityChecker } from '../sqlite/integrity-checker';
import { readSqliteHeaderSync } from '../sqlite/sqlite-header';
import { readRecord, writeRecord, type SnapshotRecord } from './snapshot-records';

export interface VerifyRequest {
  readonly backupsDir: string;
  /** Absolute paths of files directly inside backupsDir (see resolveSnapshotPath). */
  readonly paths: readonly string[];
}

export const maxProblems = 20;

/**
 * Verifies snapshots: a full `PRAGMA integrity_check` (opened immutable, so nothing is created beside
 * the file) and a SHA-256 compared with the one recorded when it was made. A file without a record
 * (made by another tool) gets one on its first successful verification. Never writes to a snapshot.
 */
export async function verifySnapshots(request: VerifyRequest, control: JobControl): Promise<VerifyResult> {
  const sizes = request.paths.map((p) => {
    try {
      return fs.statSync(p).size;
    } catch {
      return 0;
    }
  });
  const total = Math.max(1, sizes.reduce((a, b) => a + b, 0) * 2);
  let done = 0;
  const reports: VerifyReport[] = [];
  const checker = new IntegrityChecker();
  try {
    for (const [index, filePath] of request.paths.entries()) {
      control.throwIfCancelled();
      const file = path.basename(filePath);
      const size = sizes[index] ?? 0;
      const advance = (bytes: number, phase: string): void => {
        done += bytes;
        control.report(phase, Math.min(1, done / total), file);
      };
      reports.push(await verifyOne(request.backupsDir, filePath, size, { checker, control, advance }));
    }
  } finally {
    checker.close();
  }
  control.report('Done', 1);
  return { backupsDir: request.backupsDir, ok: reports.every((r) => r.ok), reports };
}

interface VerifyContext {
  readonly checker: IntegrityChecker;
  readonly control: JobControl;
  readonly advance: (bytes: number, phase: string) => void;
}

async function verifyOne(
  backupsDir: string,
  filePath: string,
  size: number,
  { checker, control, advance }: VerifyContext,
): Promise<VerifyReport> {
  const file = path.basename(filePath);
  const base = { file, path: filePath };
  const failure = (
    error: LifeboatError,
    integrity: string[] | null = null,
    sha256: string | null = null,
    checksum: ChecksumOutcome = 'not-recorded',
  ): VerifyReport => ({
    ...base,
    ok: false,
    integrity,
    sha256,
    checksum,
    error,
    recordSaved: false,
  });
  try {
    if (!fs.existsSync(filePath)) {
      return failure({
        code: 'SNAPSHOT_NOT_FOUND',
        message: `${file} is not in the backups folder.`,
        path: filePath,
      });
    }
    const hot = ['-wal', '-journal'].filter((suffix) => fs.existsSync(`${filePath}${suffix}`));
    if (hot.length > 0) {
      return failure({
        code: 'SNAPSHOT_INCOMPLETE',
        message: `${file} has a ${hot.join(' and a ')} file beside it, so it is not self-contained and may miss its newest changes.`,
        path: filePath,
      });
    }
    const header = size === 0 ? ({ kind: 'empty' } as const) : readSqliteHeaderSync(filePath);
    if (header.kind === 'empty') {
      return failure({ code: 'SNAPSHOT_INCOMPLETE', message: `${file} is empty (0 bytes).`, path: filePath });
    }
    if (header.kind === 'not-sqlite') {
      return failure({
        code: 'NOT_A_DATABASE',
        message: `${file} is not an SQLite database.`,
        path: filePath,
      });
    }
    const { pageCount, pageSize } = header.header;
    if (pageCount !== null && pageCount * pageSize !== size) {
      const expected = pageCount * pageSize;
      const what =
        size > expected
          ? `${size - expected} bytes more than its ${pageCount} pages hold: something was appended to it`
          : `${expected - size} bytes short of its ${pageCount} pages: it was cut short`;
      return failure({ code: 'SNAPSHOT_CORRUPT', message: `${file} is ${what}.`, path: filePath });
    }
    advance(0, 'Checking integrity');
    const integrity = await checker.check(filePath, maxProblems, control);
    advance(size, 'Checking integrity');
    control.throwIfCancelled();
    const sha256 = sha256OfFile(filePath, (bytes) => {
      control.throwIfCancelled();
      advance(bytes, 'Computing checksum');
    });
    const integrityOk = integrity.length === 1 && integrity[0] === 'ok';
    const record = readRecord(backupsDir, file);
    const stat = fs.statSync(filePath);
    const now = new Date().toISOString();
    const integrityProblem = (integrity[0] ?? 'no answer').replace(/\.$/, '');
    if (record === null) {
      if (!integrityOk) {
        // Recorded as failed, so that the listing says Corrupt from now on, not Unverified.
        const saved = saveRecord(
          backupsDir,
          newRecordFor(file, sha256, stat, {
            at: now,
            ok: false,
            problem: `Failed its integrity check: ${integrityProblem}.`,
          }),
        );
        return {
          ...failure(
            {
              code: 'SNAPSHOT_CORRUPT',
              message: `${file} failed its integrity check: ${integrityProblem}.`,
              path: filePath,
            },
            integrity,
            sha256,
          ),
          recordSaved: saved,
        };
      }
      const saved = saveRecord(
        backupsDir,
        newRecordFor(file, sha256, stat, { at: now, ok: true, problem: null }),
      );
      return {
        ...base,
        ok: true,
        integrity,
        sha256,
        checksum: saved ? 'recorded-now' : 'not-recorded',
        error: null,
        recordSaved: saved,
      };
    }
    const checksum: ChecksumOutcome = record.sha256 === sha256 ? 'match' : 'mismatch';
    const changed =
      checksum === 'mismatch'
        ? 'Its content changed after it was recorded (SHA-256 differs): do not restore it.'
        : null;
    const problem = integrityOk ? changed : `Failed its integrity check: ${integrityProblem}.`;
    // Keep the original checksum: it is the reference later verifications compare with.
    const saved = saveRecord(backupsDir, {
      ...record,
      mtimeMs: problem === null ? stat.mtimeMs : record.mtimeMs,
      verification: { at: now, ok: problem === null, problem },
    });
    if (problem !== null) {
      const code = integrityOk ? 'CHECKSUM_MISMATCH' : 'SNAPSHOT_CORRUPT';
      return {
        ...failure({ code, message: `${file}: ${problem}`, path: filePath }, integrity, sha256, checksum),
        recordSaved: saved,
      };
    }
    return { ...base, ok: true, integrity, sha256, checksum, error: null, recordSaved: saved };
  } catch (error) {
    const detail = toLifeboatError(error, filePath);
    if (detail.code === 'CANCELLED') {
      throw error;
    }
    return failure(detail);
  }
}

/** Keeps the verification's result; on a read-only or full backups folder it is not kept, and the verification stands. */
function saveRecord(backupsDir: string, record: SnapshotRecord): boolean {
  try {
    writeRecord(backupsDir, record);
    return true;
  } catch (error) {
    if (isUnwritableDisk(error)) {
      return false;
    }
    throw error;
  }
}

function newRecordFor(
  file: string,
  sha256: string,
  stat: fs.Stats,
  verification: NonNullable<SnapshotRecord['verification']>,
): SnapshotRecord {
  return {
    version: 1,
    file,
    madeBy: 'other',
    sha256,
    size: stat.size,
    mtimeMs: stat.mtimeMs,
    recordedAt: verification.at,
    label: null,
    note: null,
    source: null,
    sqliteVersion: null,
    pageSize: null,
    pageCount: null,
    verification,
  };
}
