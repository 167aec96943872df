import * as path from 'node:path';
import { formatBytes } from '../../contract/format';
import { sideOf } from '../../core/diff/diff-databases';
import { startJob } from '../../core/jobs/job-runner';
import { LifeboatFailure } from '../../core/lifeboat-failure';
import { appOf } from '../shared/app-target';
import { exitCodes } from '../shared/exit-codes';
import type { Command } from '../shared/command';
import { emit, runWithProgress } from '../shared/run-job';

export const exportTable: Command = {
  name: 'export',
  synopsis: 'export SOURCE --table T',
  summary: 'A table of a snapshot, as CSV or SQL',
  usage: ['export SOURCE --table T (--db DB | --app DIR) [--format csv|sql] [--filter TEXT] [--out FILE]'],
  options: ['db', 'app', 'table', 'format', 'filter', 'out', 'json'],
  help: `Writes a table of a snapshot (or of "live", read only) as CSV with a header,
or as SQL INSERT statements (--format sql), to standard output or to a new
file (--out; never over an existing one). --filter keeps the rows whose text,
in any column, contains TEXT.`,
  async run(invocation) {
    const { location } = appOf(invocation);
    const [source, ...rest] = invocation.positionals;
    if (source === undefined || rest.length > 0 || invocation.table === undefined) {
      throw new LifeboatFailure(
        'INVALID_ARGUMENT',
        'export takes one SOURCE (a snapshot name from "lifeboat list", or "live") and --table T.',
      );
    }
    const format = invocation.format ?? 'csv';
    if (format !== 'csv' && format !== 'sql') {
      throw new LifeboatFailure('INVALID_ARGUMENT', `--format is csv or sql, not "${format}".`);
    }
    const side = sideOf(location, source, process.cwd());
    const target = invocation.out === undefined ? null : path.resolve(invocation.out);
    const input = {
      side,
      table: invocation.table,
      filter: invocation.filter ?? '',
      orderBy: null,
      descending: false,
      format,
      target,
    } as const;
    // Rows on standard output: no progress bar in between them.
    const written = await runWithProgress(
      (onProgress) => startJob({ kind: 'export', input }, onProgress, 'cli'),
      target === null || invocation.json,
    );
    if (target !== null) {
      emit(
        invocation.json,
        written,
        () =>
          `Wrote ${String(written.rows)} rows of ${invocation.table ?? ''} to ${written.path} (${formatBytes(written.bytes)}).`,
      );
    }
    return exitCodes.ok;
  },
};
