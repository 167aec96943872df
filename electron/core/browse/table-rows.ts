import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExportFormat, TablePage, WrittenFile } from '../../contract/browse';
import type { DiffSide } from '../diff/diff-databases';
import { openSide } from '../diff/diff-databases';
import { toDiffValue, type SqliteValue } from '../diff/sqlite-values';
import { publishIfFree, removeIfPresent, temporaryName } from '../fs/durable-file';
import type { JobControl } from '../job-control';
import { LifeboatFailure } from '../lifeboat-failure';
import type { SqliteDatabase } from '../sqlite/open-database';
import { quotedName } from '../sqlite/quoted-name';
import { canReadTable } from '../sqlite/table-rows';

/**
 * Looking inside a snapshot (or the live database, opened read-only) without restoring it: a page of
 * a table, sorted and filtered, and the rows a filter shows written out as CSV or SQL INSERTs.
 */

export interface RowsQuery {
  readonly side: DiffSide;
  /** Null: the first table (by name). */
  readonly table: string | null;
  /** Rows whose text (any column) contains this; empty: all. */
  readonly filter: string;
  readonly orderBy: string | null;
  readonly descending: boolean;
}

function userTables(db: SqliteDatabase): string[] {
  return (
    db
      .prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
      )
      .pluck()
      .all() as string[]
  ).filter((name) => canReadTable(db, name));
}

/** The SELECT of a query: the table and columns checked to exist, the filter and order as SQL with parameters. */
function selectOf(
  db: SqliteDatabase,
  query: RowsQuery,
): {
  table: string;
  tables: string[];
  columns: string[];
  from: string;
  where: string;
  order: string;
  params: string[];
} {
  const tables = userTables(db);
  const table = query.table ?? tables[0];
  if (table === undefined || !tables.includes(table)) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      table === undefined
        ? 'It has no tables.'
        : `No table "${table}" here. Tables: ${tables.join(', ') || 'none'}.`,
    );
  }
  const from = `main.${quotedName(table)}`;
  const columns = (db.prepare(`SELECT * FROM ${from} LIMIT 0`).columns() as { name: string }[]).map(
    (c) => c.name,
  );
  if (query.orderBy !== null && !columns.includes(query.orderBy)) {
    throw new LifeboatFailure('INVALID_ARGUMENT', `No column "${query.orderBy}" in ${table}.`);
  }
  const needle = query.filter.trim();
  // instr() on each column as text: a plain "contains", no pattern characters to escape.
  const where =
    needle === '' || columns.length === 0
      ? ''
      : `WHERE ${columns.map((c) => `instr(CAST(${quotedName(c)} AS TEXT), ?) > 0`).join(' OR ')}`;
  const order =
    query.orderBy === null
      ? ''
      : `ORDER BY ${quotedName(query.orderBy)} ${query.descending ? 'DESC' : 'ASC'}`;
  return {
    table,
    tables,
    columns,
    from,
    where,
    order,
    params: needle === '' ? [] : columns.map(() => needle),
  };
}

/** One page of rows (at most 500), and how many rows match. */
export function readTablePage(
  query: RowsQuery & { readonly offset: number; readonly limit: number },
  control: JobControl,
): TablePage {
  const db = openSide(query.side);
  try {
    control.report('Reading rows', 0, query.table ?? undefined);
    const { table, tables, columns, from, where, order, params } = selectOf(db, query);
    const limit = Math.max(1, Math.min(500, query.limit));
    const rows = (
      db
        .prepare(`SELECT * FROM ${from} ${where} ${order} LIMIT ? OFFSET ?`)
        .safeIntegers(true)
        .raw(true)
        .all(...params, limit, query.offset) as SqliteValue[][]
    ).map((row) => row.map(toDiffValue));
    const total = Number(
      db
        .prepare(`SELECT count(*) FROM ${from} ${where}`)
        .pluck()
        .get(...params),
    );
    control.report('Done', 1);
    return {
      source: query.side.kind === 'live' ? 'live' : path.basename(query.side.path),
      table,
      tables,
      columns,
      rows,
      total,
      offset: query.offset,
    };
  } finally {
    db.close();
  }
}

function csvField(value: SqliteValue): string {
  if (value === null) return '';
  const text = Buffer.isBuffer(value) ? `x'${value.toString('hex')}'` : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Writes the rows a query shows to a new file (never over an existing one): CSV with a header, or
 * SQL INSERT statements whose literals SQLite itself writes (quote()), to load into any SQLite.
 * The file appears complete or not at all.
 */
export function exportRows(
  query: RowsQuery & { readonly format: ExportFormat; readonly target: string | null },
  control: JobControl,
): WrittenFile {
  const db = openSide(query.side);
  // No target: standard output (the command line's pipe), written as it goes.
  const temp =
    query.target === null
      ? null
      : path.join(path.dirname(query.target), temporaryName(path.extname(query.target)));
  try {
    const { table, columns, from, where, order, params } = selectOf(db, query);
    const total = Number(
      db
        .prepare(`SELECT count(*) FROM ${from} ${where}`)
        .pluck()
        .get(...params),
    );
    const fd = temp === null ? 1 : fs.openSync(temp, 'wx', 0o644);
    let rows = 0;
    let bytes = 0;
    try {
      const write = (text: string): void => {
        bytes += fs.writeSync(fd, text);
      };
      // One row written: every 10,000, a chance to cancel and a progress report.
      const writeRow = (text: string): void => {
        write(text);
        rows += 1;
        if (rows % 10_000 === 0) {
          control.throwIfCancelled();
          control.report('Writing rows', rows / Math.max(1, total));
        }
      };
      if (query.format === 'csv') {
        write(`${columns.map((c) => csvField(c)).join(',')}\r\n`);
        for (const row of db
          .prepare(`SELECT * FROM ${from} ${where} ${order}`)
          .safeIntegers(true)
          .raw(true)
          .iterate(...params) as IterableIterator<SqliteValue[]>) {
          writeRow(`${row.map(csvField).join(',')}\r\n`);
        }
      } else {
        const into = `INSERT INTO ${quotedName(table)} (${columns.map(quotedName).join(', ')}) VALUES (`;
        const literals = columns.map((c) => `quote(${quotedName(c)})`).join(` || ', ' || `);
        write('BEGIN;\n');
        for (const line of db
          .prepare(`SELECT ${literals || "''"} FROM ${from} ${where} ${order}`)
          .pluck()
          .iterate(...params) as IterableIterator<string>) {
          writeRow(`${into}${line});\n`);
        }
        write('COMMIT;\n');
      }
      if (temp !== null) {
        fs.fsyncSync(fd);
      }
    } finally {
      if (temp !== null) {
        fs.closeSync(fd);
      }
    }
    if (temp !== null && query.target !== null && !publishIfFree(temp, query.target)) {
      throw new LifeboatFailure(
        'INVALID_ARGUMENT',
        `${query.target} already exists: choose a new file name. Nothing was written.`,
        query.target,
      );
    }
    control.report('Done', 1);
    return { path: query.target ?? '-', bytes, rows };
  } finally {
    if (temp !== null) {
      removeIfPresent(temp);
    }
    db.close();
  }
}

/**
 * Restore as a copy: the snapshot written to a new file of the user's choice, checked, for looking
 * into with any SQLite tool. The live database and the snapshot are not touched.
 */
export function copySnapshot(
  request: { readonly snapshotPath: string; readonly target: string },
  control: JobControl,
): WrittenFile {
  const { snapshotPath, target } = request;
  const temp = path.join(path.dirname(target), temporaryName('.db'));
  try {
    control.report('Copying', 0, path.basename(snapshotPath));
    fs.copyFileSync(snapshotPath, temp, fs.constants.COPYFILE_EXCL);
    const fd = fs.openSync(temp, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    control.report('Checking the copy', 0.8);
    const check = openSide({ kind: 'snapshot', path: temp });
    try {
      const result = check.prepare('PRAGMA quick_check').pluck().get();
      if (result !== 'ok') {
        throw new LifeboatFailure(
          'SNAPSHOT_CORRUPT',
          `The copy of ${path.basename(snapshotPath)} failed its check (${String(result)}): nothing was written. Verify the snapshot.`,
          snapshotPath,
        );
      }
    } finally {
      check.close();
    }
    if (!publishIfFree(temp, target)) {
      throw new LifeboatFailure(
        'INVALID_ARGUMENT',
        `${target} already exists: choose a new file name. Nothing was written.`,
        target,
      );
    }
    control.report('Done', 1);
    return { path: target, bytes: fs.statSync(target).size, rows: null };
  } finally {
    removeIfPresent(temp);
  }
}
