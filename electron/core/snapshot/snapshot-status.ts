import type { SnapshotEntry, SnapshotStatus } from '../../contract/snapshots';
import { parseSnapshotName } from '../snapshot-name';
import type { HeaderReading } from '../sqlite/sqlite-header';
import type { SnapshotRecord } from './snapshot-records';

/** What listing knows about one file without opening it with SQLite. */

/** Where a snapshot's time came from: its record, else its name, else the file's mtime. */
function timeSourceOf(recorded: string | null, fromName: Date | null): SnapshotEntry['timeSource'] {
  if (recorded !== null) {
    return 'recorded';
  }
  return fromName !== null ? 'name' : 'file';
}

export interface FileFacts {
  readonly file: string;
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly header: HeaderReading;
  readonly record: SnapshotRecord | null;
  /** Sidecar suffixes present beside it: `-wal`, `-shm`, `-journal`. */
  readonly sidecars: readonly string[];
}

interface StatusVerdict {
  readonly status: SnapshotStatus;
  readonly reason: string | null;
}

/** Decides a listed file's status from cheap facts: size, header, sidecars and its record. Pure. */
export function judgeStatus(facts: FileFacts): StatusVerdict {
  const { header, record } = facts;
  if (facts.size === 0) {
    return {
      status: 'incomplete',
      reason: 'The file is empty (0 bytes): the copy that made it did not finish.',
    };
  }
  if (header.kind !== 'sqlite') {
    return { status: 'not-a-database', reason: 'This file is not an SQLite database.' };
  }
  const hot = facts.sidecars.filter((suffix) => suffix === '-wal' || suffix === '-journal');
  if (hot.length > 0) {
    return {
      status: 'incomplete',
      reason: `A ${hot.join(' and a ')} file lies beside it: the copy is not self-contained and may miss its newest changes.`,
    };
  }
  const expected = header.header.pageCount === null ? null : header.header.pageCount * header.header.pageSize;
  if (expected !== null && facts.size < expected) {
    return {
      status: 'corrupt',
      reason: `The file is truncated: its header says ${expected} bytes, it holds ${facts.size}.`,
    };
  }
  if (record === null) {
    return {
      status: 'unverified',
      reason: 'No checksum recorded yet: verify it to check its integrity and record one.',
    };
  }
  if (record.size !== facts.size) {
    return {
      status: 'corrupt',
      reason: `The file changed after it was recorded: ${record.size} bytes then, ${facts.size} now.`,
    };
  }
  if (record.verification !== null && !record.verification.ok) {
    return { status: 'corrupt', reason: record.verification.problem ?? 'The last verification failed.' };
  }
  if (record.mtimeMs !== facts.mtimeMs) {
    return {
      status: 'unverified',
      reason: 'The file was touched since it was recorded: verify it to compare its checksum.',
    };
  }
  if (record.verification === null) {
    return { status: 'unverified', reason: 'Checksum recorded but never verified.' };
  }
  return { status: 'verified', reason: null };
}

/** Builds the listed entry for one file. */
export function describeFile(facts: FileFacts, liveStem: string): SnapshotEntry {
  const { status, reason } = judgeStatus(facts);
  const parsed = parseSnapshotName(facts.file, liveStem);
  const record = facts.record;
  const recordedTime = record?.madeBy === 'lifeboat' ? record.recordedAt : null;
  const time = recordedTime ?? parsed.time?.toISOString() ?? new Date(facts.mtimeMs).toISOString();
  return {
    file: facts.file,
    path: facts.path,
    time,
    timeSource: timeSourceOf(recordedTime, parsed.time),
    label: record?.label ?? parsed.label,
    note: record?.note ?? null,
    size: facts.size,
    status,
    statusReason: reason,
    sha256: record?.sha256 ?? null,
    madeBy: record?.madeBy ?? 'other',
    sidecars: [...facts.sidecars],
    migration: null,
    pinned: record?.pinned === true,
    lastVerified: record?.verification?.at ?? null,
  };
}
