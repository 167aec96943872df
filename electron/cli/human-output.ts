import type { BackupOutcome, DatabaseInfo, SnapshotList, VerifyResult } from '../contract/snapshots';
import { formatAge, formatBytes, formatLocalTime } from '../contract/format';
import { table } from './format';

export function printBackup(outcome: BackupOutcome): string {
  if (outcome.kind === 'nothing-to-back-up') {
    return outcome.message;
  }
  const s = outcome.snapshot;
  return [
    `Snapshot written: ${s.path}`,
    `  ${formatBytes(s.size)} in ${(outcome.durationMs / 1000).toFixed(1)} s, label "${s.label}", ${outcome.pageCount} pages of ${outcome.pageSize} bytes`,
    `  source journal mode ${outcome.sourceJournalMode}; quick check ok; sha256 ${s.sha256 ?? '-'}`,
  ].join('\n');
}

export function printList(list: SnapshotList): string {
  if (list.snapshots.length === 0) {
    return `No snapshots yet in ${list.backupsDir}. Take one with: lifeboat backup --db ${list.database}`;
  }
  const rows = list.snapshots.map((s) => [formatLocalTime(s.time), s.status, formatBytes(s.size), s.label, s.file, s.note ?? '']);
  const problems = list.snapshots.filter((s) => s.status === 'corrupt' || s.status === 'incomplete' || s.status === 'not-a-database');
  const notes = problems.map((s) => `  ${s.file}: ${s.statusReason ?? s.status}`);
  return [
    `${list.snapshots.length} file(s) in ${list.backupsDir}`,
    table([['TIME', 'STATUS', 'SIZE', 'LABEL', 'FILE', 'NOTE'], ...rows]),
    ...(notes.length > 0 ? ['', 'Problems:', ...notes] : []),
  ].join('\n');
}

export function printVerify(result: VerifyResult): string {
  if (result.reports.length === 0) {
    return `Nothing to verify in ${result.backupsDir}.`;
  }
  const lines = result.reports.map((r) => {
    if (!r.ok) {
      return `FAIL  ${r.file}: ${r.error?.message ?? 'failed'}${r.error === null ? '' : ` [${r.error.code}]`}`;
    }
    const checksum = r.checksum === 'recorded-now' ? 'no checksum was recorded: recorded now' : 'checksum matches the record';
    return `ok    ${r.file}: integrity ok, ${checksum}`;
  });
  const failedCount = result.reports.filter((r) => !r.ok).length;
  lines.push(failedCount === 0 ? `All ${result.reports.length} snapshot(s) verified.` : `${failedCount} of ${result.reports.length} snapshot(s) failed verification.`);
  return lines.join('\n');
}

export function printInfo(info: DatabaseInfo): string {
  if (!info.exists) {
    return `${info.path} does not exist yet: nothing to back up.`;
  }
  const newest = info.newestSnapshot === null ? 'none yet' : `${info.newestSnapshot.file} (${formatAge(info.newestSnapshot.ageSeconds)})`;
  return [
    `Database      ${info.path}`,
    `Size          ${formatBytes(info.size)}${info.walSize > 0 ? ` (+ ${formatBytes(info.walSize)} in -wal)` : ''}`,
    `Pages         ${info.pageCount ?? '-'} of ${info.pageSize ?? '-'} bytes`,
    `Journal mode  ${info.journalMode ?? '-'}`,
    `SQLite        ${info.sqliteVersion} (file last written by ${info.lastWrittenBySqlite ?? '-'})`,
    `Backups       ${info.backupsDir}`,
    `Newest        ${newest}`,
    '',
    info.tables.length === 0 ? 'No tables.' : table([['TABLE', 'ROWS'], ...info.tables.map((t) => [t.name, String(t.rows)])]),
  ].join('\n');
}
