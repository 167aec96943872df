import type { DrillStatus } from '../../contract/drill';
import { drillTargetText } from '../../core/drill/drill-status';
import type { HostStatus } from '../../contract/hosts';
import type { MigrateResult } from '../../contract/migrate';
import { toolNames, type MigrationReport } from '../../contract/migrations';
import {
  describeJournalMode,
  describeSchemaDifference,
  notTriedText,
  type RestorePreview,
  type RestoreResult,
  type UpgradeOutcome,
} from '../../contract/restore';

import type {
  BackupOutcome,
  DatabaseInfo,
  PinResult,
  SnapshotList,
  VerifyResult,
} from '../../contract/snapshots';
import { formatAge, formatBytes, formatLocalTime } from '../../contract/format';
import { table } from './format';
import { keepReasonText, type PruneResult } from '../../contract/retention';
import type { Attention } from '../../core/schedule/attention';
import type { KeeperPass } from '../../core/schedule/keeper';
import type { Freshness } from '../../contract/schedule';
import type { PushResult, RemoteList } from '../../contract/offsite';
import type { DiffResult, DiffValue, RowChange, TableDiff } from '../../contract/diff';

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

export function printList(list: SnapshotList & { freshness: Freshness }): string {
  if (list.snapshots.length === 0) {
    return `No snapshots yet in ${list.backupsDir}. Take one with: lifeboat backup --db ${list.database}\n${freshnessLine(list.freshness)}`;
  }
  const withRevisions = list.snapshots.some((s) => s.migration !== null);
  const revision = (s: SnapshotList['snapshots'][number]): string[] =>
    withRevisions
      ? [s.migration === null ? '-' : `${s.migration.revision ?? '-'} · ${s.migration.badge}`]
      : [];
  const rows = list.snapshots.map((s) => [
    formatLocalTime(s.time),
    s.pinned ? `${s.status}, pinned` : s.status,
    formatBytes(s.size),
    ...revision(s),
    s.label,
    s.file,
    s.note ?? '',
  ]);
  const problems = list.snapshots.filter(
    (s) => s.status === 'corrupt' || s.status === 'incomplete' || s.status === 'not-a-database',
  );
  const notes = problems.map((s) => `  ${s.file}: ${s.statusReason ?? s.status}`);
  return [
    `${list.snapshots.length} file(s) in ${list.backupsDir}`,
    table([
      ['TIME', 'STATUS', 'SIZE', ...(withRevisions ? ['REVISION'] : []), 'LABEL', 'FILE', 'NOTE'],
      ...rows,
    ]),
    ...(notes.length > 0 ? ['', 'Problems:', ...notes] : []),
    '',
    freshnessLine(list.freshness),
  ].join('\n');
}

/** `lifeboat check`: OK with how fresh, or each thing that needs attention, most urgent first. */
export function printCheck(result: {
  database: string;
  problems: readonly Attention[];
  freshness: Freshness;
}): string {
  if (result.problems.length === 0) {
    return `OK: ${result.database}. ${result.freshness.reason}`;
  }
  return [
    `Needs attention: ${result.database}`,
    ...result.problems.map((p) => `  ${p.kind}: ${p.message}`),
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
    const checksum =
      r.checksum === 'recorded-now'
        ? 'no checksum was recorded: recorded now'
        : 'checksum matches the record';
    return `ok    ${r.file}: integrity ok, ${checksum}${r.recordSaved ? '' : ' (verified, record not saved: the backups folder is read-only)'}`;
  });
  const failedCount = result.reports.filter((r) => !r.ok).length;
  lines.push(
    failedCount === 0
      ? `All ${result.reports.length} snapshot(s) verified.`
      : `${failedCount} of ${result.reports.length} snapshot(s) failed verification.`,
  );
  return lines.join('\n');
}

/** A step's note on a rehearsal's line: why it was skipped, or what it did. */
function stepNote(step: RestoreResult['steps'][number]): string {
  if (step.skipped) {
    return `  skipped: ${step.note ?? ''}`;
  }
  return step.note === null ? '' : `  ${step.note}`;
}

/** The freshness line of `list` and `info`: "Freshness: stale. The newest snapshot is …". */
export function freshnessLine(freshness: Freshness): string {
  return `Freshness     ${freshness.state}. ${freshness.reason}`;
}

export function printInfo(info: DatabaseInfo & { freshness: Freshness; drill: DrillStatus | null }): string {
  if (!info.exists) {
    return `${info.path} does not exist yet: nothing to back up.`;
  }
  const newest =
    info.newestSnapshot === null
      ? 'none yet'
      : `${info.newestSnapshot.file} (${formatAge(info.newestSnapshot.ageSeconds)})`;
  return [
    `Database      ${info.path}`,
    `Size          ${formatBytes(info.size)}${info.walSize > 0 ? ` (+ ${formatBytes(info.walSize)} in -wal)` : ''}`,
    `Pages         ${info.pageCount ?? '-'} of ${info.pageSize ?? '-'} bytes`,
    `Journal mode  ${info.journalMode ?? '-'}`,
    `SQLite        ${info.sqliteVersion} (file last written by ${info.lastWrittenBySqlite ?? '-'})`,
    `Backups       ${info.backupsDir}`,
    `Newest        ${newest}`,
    freshnessLine(info.freshness),
    ...(info.drill === null ? [] : [`Proven        ${info.drill.text}`]),
    '',
    info.tables.length === 0
      ? 'No tables.'
      : table([['TABLE', 'ROWS'], ...info.tables.map((t) => [t.name, String(t.rows)])]),
  ].join('\n');
}

export function printStatus(report: MigrationReport): string {
  const { graph, status } = report;
  const byId = new Map(graph.revisions.map((r) => [r.id, r]));
  const describe = (id: string): string => `  ${id}  ${byId.get(id)?.message ?? '(not in the code)'}`;
  return [
    `${status.badge.toUpperCase()}: ${status.summary}`,
    '',
    `Tool       ${toolNames[graph.tool]} (${status.reference === 'code' ? graph.locations.join(', ') : 'read from the database; no migration files found'})`,
    `Database   ${report.database}`,
    `Against    ${status.reference === 'code' ? 'the migration files' : 'the live database itself'}`,
    `Revision   ${status.revision ?? '(none)'}${status.current.length > 1 ? ` (${status.current.length} recorded)` : ''}`,
    ...(status.reference === 'code' ? [`Heads      ${graph.heads.join(', ') || '(no migrations)'}`] : []),
    ...(status.pending.length > 0
      ? ['', `Pending (${status.pending.length}), in order:`, ...status.pending.map(describe)]
      : []),
    ...(status.missingTables.length > 0 ? ['', `Missing tables: ${status.missingTables.join(', ')}`] : []),
    ...(graph.problems.length > 0
      ? ['', 'Problems reading the migrations:', ...graph.problems.map((p) => `  ${p}`)]
      : []),
  ].join('\n');
}

export function printMigrate(result: MigrateResult): string {
  const lines = result.applied.map((a) => `applied  ${a.file} (${a.durationMs} ms)`);
  if (result.failed !== null) {
    lines.push(`FAILED   ${result.failed.file}: ${result.failed.error.message}`);
  }
  if (result.applied.length === 0 && result.failed === null) {
    lines.push(`Nothing to apply: ${result.database} is at version ${result.current ?? '(none)'}.`);
  } else {
    lines.push(
      `${result.database} is now at version ${result.current ?? '(none)'} (tracked by ${result.tracking}).`,
    );
  }
  return lines.join('\n');
}

/** A rehearsal's verdict: passed, passed but with a step it could not try, or the problem it found. */
function rehearsalHeadline(result: RestoreResult): string {
  if (result.error !== null) {
    return `Rehearsal found a problem: ${result.error.message} [${result.error.code}] Nothing was changed.`;
  }
  const untried = notTriedText(result);
  return untried === null
    ? `Rehearsal passed: ${result.snapshot ?? ''} would restore over ${result.database}. Nothing was changed.`
    : `Rehearsal passed, but ${untried}. Nothing was changed.`;
}

export function printRestore(result: RestoreResult): string {
  const headline: Record<RestoreResult['outcome'], string> = {
    restored: `Restored ${result.snapshot ?? ''} over ${result.database}.`,
    'rolled-back':
      result.error === null
        ? `Rolled back: ${result.database} is as it was before the restore.`
        : `Rolled back: ${result.database} is as it was before the restore. Why: ${result.error.message}`,
    resumed: `The interrupted restore of ${result.database} was finished.`,
    'nothing-to-recover': `No interrupted restore of ${result.database}: nothing to do.`,
    rehearsed: rehearsalHeadline(result),
  };
  const lines = [headline[result.outcome]];
  if (result.outcome === 'rehearsed') {
    lines.push(
      ...result.steps.map(
        (s) => `  ${s.step.padEnd(10)} ${String(s.durationMs).padStart(6)} ms${stepNote(s)}`,
      ),
    );
  }
  if (result.preRestoreSnapshot !== null) {
    lines.push(`Pre-restore snapshot (pinned): ${result.preRestoreSnapshot}`);
  }
  if (result.tables.length > 0) {
    lines.push(
      '',
      table([
        ['TABLE', 'ROWS BEFORE', 'ROWS RESTORED'],
        ...result.tables.map((t) => [
          t.name,
          t.liveRows === null ? '-' : String(t.liveRows),
          t.snapshotRows === null ? '-' : String(t.snapshotRows),
        ]),
      ]),
    );
  }
  return lines.join('\n');
}

/** What a restore will change, printed before the question on a terminal. */
export function printPreview(preview: RestorePreview): string {
  const lines = ['What the restore changes:'];
  if (!preview.liveExists) {
    lines.push('  There is no live database yet: nothing is replaced.');
  } else if (!preview.snapshotReadable) {
    lines.push('  Unknown: the snapshot could not be read (it failed verification).');
  } else {
    lines.push(
      table([
        ['TABLE', 'ROWS NOW', 'ROWS AFTER', 'LOST'],
        ...preview.tables.map((t) => {
          const lost = (t.liveRows ?? 0) - (t.snapshotRows ?? 0);
          return [
            t.name,
            t.liveRows === null ? '-' : String(t.liveRows),
            t.snapshotRows === null ? '-' : String(t.snapshotRows),
            lost > 0 ? String(lost) : '-',
          ];
        }),
      ]),
    );
    lines.push(...preview.schemaDifferences.map((d) => describeSchemaDifference(d)));
  }
  lines.push(describeJournalMode(preview.journalMode));
  if (!preview.holdersKnown) {
    lines.push(
      'Lifeboat cannot see which processes hold files open on this system: make sure the app is stopped.',
    );
  }
  if (preview.schema !== null) {
    lines.push(
      `Schema: ${preview.schema.revision ?? 'no revision'} (${preview.schema.badge}). ${preview.schema.summary}`,
    );
    if (preview.schema.pending.length > 0 && preview.schema.reference === 'code') {
      lines.push(`Migrations the upgrade applies, in order: ${preview.schema.pending.join(' → ')}`);
    }
  }
  return lines.join('\n');
}

export function printUpgrade(result: UpgradeOutcome): string {
  switch (result.outcome) {
    case 'at-head':
      return `${result.database} is at head: nothing to upgrade.`;
    case 'upgraded':
      return [
        `Upgraded ${result.database} to head${result.applied === null ? '' : ` (${result.applied})`}.`,
        `Pre-upgrade snapshot (pinned): ${result.preUpgradeSnapshot ?? '-'}`,
      ].join('\n');
    case 'rolled-back':
      return [
        `The upgrade failed; ${result.database} holds its pre-upgrade content again.`,
        `Why: ${result.error?.message ?? '-'}`,
      ].join('\n');
  }
}

export function printPins(result: PinResult): string {
  return result.snapshots
    .map((s) => (s.pinned ? `Pinned ${s.file}: kept until unpinned.` : `Unpinned ${s.file}.`))
    .join('\n');
}

export function printPrune(result: PruneResult): string {
  if (result.snapshots.length === 0) {
    return `No snapshots in ${result.backupsDir}: nothing to prune.`;
  }
  const decisionText = (d: PruneResult['snapshots'][number]): string => {
    if (d.decision === 'keep') {
      return 'keep';
    }
    if (result.dryRun) {
      return 'would delete';
    }
    return result.deleted.includes(d.file) ? 'deleted' : 'delete';
  };
  const rows = result.snapshots.map((d) => [
    decisionText(d),
    formatLocalTime(d.time),
    d.file,
    d.reasons.length === 0 ? 'no rule keeps it' : d.reasons.map(keepReasonText).join('; '),
  ]);
  const kept = result.snapshots.filter((d) => d.decision === 'keep').length;
  const doomed = result.snapshots.length - kept;
  const outcome = result.dryRun
    ? `Dry run: ${kept} kept, ${doomed} would be deleted. Nothing was deleted.`
    : `${kept} kept, ${result.deleted.length} deleted.`;
  return [table([['Decision', 'Time', 'File', 'Why'], ...rows]), '', outcome].join('\n');
}

export function printKeeperPass(pass: KeeperPass): string {
  const { freshness } = pass;
  const next = freshness.nextRun === null ? '' : formatLocalTime(freshness.nextRun);
  const what: Record<KeeperPass['outcome'], string> = {
    ran:
      pass.error === null
        ? `Scheduled snapshot taken: ${pass.snapshot ?? 'nothing to back up'}.`
        : `The scheduled snapshot failed: ${pass.error.message} [${pass.error.code}]`,
    'not-due': `Not due: the next scheduled snapshot is at ${next} (${freshness.schedule ?? ''}).`,
    locked: "Another keeper is running this app's schedule right now: nothing was done.",
    restoring: 'A restore of the database is under way: the scheduled snapshot waits for the next run.',
    'no-schedule': 'No schedule is set.',
  };
  const lines = [what[pass.outcome]];
  if (pass.pruned.length > 0) {
    lines.push(`Retention deleted ${pass.pruned.length}: ${pass.pruned.join(', ')}`);
  }
  if (pass.pruneError !== null) {
    lines.push(`Retention did not run: ${pass.pruneError.message} [${pass.pruneError.code}]`);
  }
  if (pass.offsite !== null) {
    lines.push(printPush(pass.offsite));
  } else if (pass.offsiteError !== null) {
    lines.push(`${pass.offsiteError.message} [${pass.offsiteError.code}]`);
  }
  if (pass.drill !== null) {
    lines.push(
      pass.drill.ok
        ? pass.drill.value.targets.map(drillTargetText).join('\n')
        : `The drill could not run: ${pass.drill.error.message} [${pass.drill.error.code}]`,
    );
  }
  lines.push(`Freshness: ${freshness.state}. ${freshness.reason}`);
  if (pass.outcome === 'ran') {
    lines.push(`Next scheduled snapshot: ${next}.`);
  }
  for (const delivery of pass.deliveries) {
    lines.push(
      delivery.ok ? `Told ${delivery.target}.` : `Could not tell ${delivery.target}: ${delivery.error ?? ''}`,
    );
  }
  return lines.join('\n');
}

function cellText(value: DiffValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
  if ('integer' in value) return value.integer;
  if ('blob' in value)
    return `x'${value.blob}${value.size > value.blob.length / 2 ? '…' : ''}' (${value.size} bytes)`;
  return `'${value.text.replaceAll("'", "''")}…' (${value.length} characters)`;
}

function rowText(table: TableDiff, change: RowChange): string {
  const key = (table.key ?? []).map((column, i) => `${column}=${cellText(change.key[i] ?? null)}`).join(', ');
  const row = change.after ?? change.before ?? [];
  if (change.before !== null && change.after !== null) {
    const before = change.before;
    const after = change.after;
    return `  ~ ${key}: ${change.changedColumns
      .map((column) => {
        const i = table.columns.indexOf(column);
        return `${column} ${cellText(before[i] ?? null)} → ${cellText(after[i] ?? null)}`;
      })
      .join(', ')}`;
  }
  return `  ${change.after === null ? '-' : '+'} ${key}: ${table.columns.map((column, i) => `${column}=${cellText(row[i] ?? null)}`).join(', ')}`;
}

export function printDiff(result: DiffResult): string {
  const { totals } = result;
  const lines = [
    `${result.a} → ${result.b}: ${totals.added} added, ${totals.changed} changed, ${totals.deleted} deleted`,
  ];
  for (const difference of result.schema) {
    const where = { 'only-a': `only in ${result.a}`, 'only-b': `only in ${result.b}`, changed: 'changed' }[
      difference.change
    ];
    const columns = [
      ...difference.columnsOnlyA.map((c) => `-${c}`),
      ...difference.columnsOnlyB.map((c) => `+${c}`),
    ];
    lines.push(
      `Schema: ${difference.type} ${difference.name} ${where}${columns.length > 0 ? ` (columns ${columns.join(' ')})` : ''}`,
    );
  }
  lines.push(
    '',
    table([
      ['TABLE', 'ADDED', 'CHANGED', 'DELETED', 'MATCHED BY'],
      ...result.tables.map((t) => [
        t.name,
        String(t.added),
        String(t.changed),
        String(t.deleted),
        t.key === null ? '-' : t.key.join(', '),
      ]),
    ]),
  );
  for (const t of result.tables.filter((d) => d.added + d.changed + d.deleted > 0 || d.note !== null)) {
    lines.push('', `${t.name}${t.note === null ? '' : `: ${t.note}`}`);
    for (const change of [...t.samples.deleted, ...t.samples.changed, ...t.samples.added].slice(0, 15)) {
      lines.push(rowText(t, change));
    }
  }
  return lines.join('\n');
}

export function printPush(result: PushResult): string {
  return result.targets
    .map((t) => {
      if (t.error !== null) {
        return `${t.target}: failed: ${t.error.message} [${t.error.code}]`;
      }
      const lines = [
        `${t.target}: ${t.pushed.length} sent, ${t.present.length} already there${t.skipped.length === 0 ? '' : `, ${t.skipped.length} not verified (not sent)`}.`,
        ...t.pushed.map((p) => `  sent ${p.file} as ${p.id} (${formatBytes(p.bytes)})`),
        ...t.failed.map((f) => `  failed ${f.file}: ${f.error.message} [${f.error.code}]`),
      ];
      if (t.pruned !== null) {
        lines.push(
          t.pruned.note ??
            `  retention: ${t.pruned.deleted.length === 0 ? 'nothing to delete' : `deleted ${t.pruned.deleted.join(', ')}`}`,
        );
      }
      return lines.join('\n');
    })
    .join('\n');
}

export function printRemoteList(list: RemoteList): string {
  const header = `${list.target}:`;
  if (list.snapshots.length === 0 && list.problems.length === 0) {
    return `${header} no snapshots here.`;
  }
  const rows = list.snapshots.map((s) => {
    const m = s.manifest;
    const revision = m.migration === null ? '' : `${m.migration.tool} ${m.migration.revision ?? '-'}`;
    const form = [m.stored.gzip ? 'gzip' : '', m.stored.encrypted ? 'age' : '']
      .filter((f) => f !== '')
      .join('+');
    return [
      s.id,
      formatLocalTime(m.time),
      formatBytes(m.plain.size),
      revision,
      [form, m.pinned ? 'pinned' : '', s.state === 'complete' ? '' : s.state]
        .filter((f) => f !== '')
        .join(', '),
    ];
  });
  return [
    header,
    table([['Snapshot', 'Time', 'Size', 'Revision', ''], ...rows]),
    ...list.problems.map((p) => `  not read: ${p.key}: ${p.reason}`),
  ].join('\n');
}

/** A host's state in a line: online with its version, or why it cannot be reached and when it last answered. */
export function describeHost(host: HostStatus): string {
  if (host.state === 'online') {
    return `online (Lifeboat ${host.version ?? '?'})`;
  }
  const seen = host.lastSeen === null ? 'never reached' : `last seen ${host.lastSeen}`;
  return host.error === null
    ? `connecting (${seen})`
    : `unreachable, ${seen}: ${host.error.message} [${host.error.code}]`;
}
