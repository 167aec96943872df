import * as path from 'node:path';
import type { DatabaseLocation } from '../database-location';
import { resolveSnapshotPath } from '../snapshot/resolve-snapshot';
import type { DiffResult, ObjectDifference, RowChange, TableDiff } from '../../contract/diff';
import type { JobControl } from '../job-control';
import { LifeboatFailure } from '../lifeboat-failure';
import { openLiveDatabase, openSnapshotFile, type SqliteDatabase } from '../sqlite/open-database';
import { quotedName } from '../sqlite/quoted-name';
import { diffSchemas, readSchema, type SchemaObject } from '../sqlite/schema-diff';
import { canReadTable } from '../sqlite/table-rows';
import { compareValues, sameValue, toDiffValue, type SqliteValue } from './sqlite-values';
import { comparePages, type PagePair, type RowidRange } from './changed-ranges';

/** The schema comparison's live/snapshot sides as the diff's A and B. */
const changeOfSchema = { 'only-live': 'only-a', 'only-snapshot': 'only-b', changed: 'changed' } as const;

/**
 * The difference between two databases, streamed: each table is read in key order on both sides at
 * once and merged, as a merge join does, so that memory stays flat whatever the size (no table is
 * ever held in memory). Rows are matched by the primary key, or by rowid where there is none; tables
 * without a usable key, and virtual tables, are reported rather than guessed at.
 */

/** One side: the live database (opened read-only, never written) or a snapshot file. */
export type DiffSide =
  { readonly kind: 'live'; readonly path: string } | { readonly kind: 'snapshot'; readonly path: string };

export interface DiffRequest {
  readonly a: DiffSide;
  readonly b: DiffSide;
  /** Only this table. */
  readonly table?: string;
  /** Rows of each kind kept per table as samples (default 20). */
  readonly sampleSize?: number;
  /** False: read every row, even of two snapshot files (the tests compare both ways). */
  readonly pageSkip?: boolean;
}

/**
 * One side named as people name it: "live" (the live database, read only) or a snapshot's name,
 * resolved inside the backups folder (a relative name against `base`).
 */
export function sideOf(location: DatabaseLocation, name: string, base: string): DiffSide {
  return name === 'live'
    ? { kind: 'live', path: location.databasePath }
    : { kind: 'snapshot', path: resolveSnapshotPath(location.backupsDir, name, base) };
}

const nameOf = (side: DiffSide): string => (side.kind === 'live' ? 'live' : path.basename(side.path));

/** Opens one side read-only: the live database as it is now, a snapshot as the immutable file it is. */
export function openSide(side: DiffSide): SqliteDatabase {
  const db = side.kind === 'live' ? openLiveDatabase(side.path) : openSnapshotFile(side.path);
  // Read through SQLite's page cache, not a map of the whole file: a map's pages count as the
  // process's memory, and a diff reads both files end to end.
  db.pragma('mmap_size = 0');
  return db;
}

interface TableShape {
  readonly columns: readonly string[];
  /** The primary key's columns in key order; empty without one. */
  readonly primaryKey: readonly string[];
  readonly withoutRowid: boolean;
  readonly virtual: boolean;
  readonly readable: boolean;
  /** A virtual table that answers `SELECT rowid` (FTS, R-tree). */
  readonly hasRowid: boolean;
  /** The INTEGER PRIMARY KEY column, which is the rowid itself; null without one. */
  readonly rowidAlias: string | null;
}

function shapeOf(db: SqliteDatabase, object: SchemaObject): TableShape {
  const virtual = /^\s*create\s+virtual\s+table/i.test(object.sql);
  const readable = canReadTable(db, object.name);
  if (virtual || !readable) {
    return {
      columns: object.columns,
      primaryKey: [],
      withoutRowid: false,
      virtual,
      readable,
      hasRowid: readable && answersRowid(db, object.name),
      rowidAlias: null,
    };
  }
  const info = db.prepare(`PRAGMA table_info(${quotedName(object.name)})`).all() as {
    name: string;
    type: string;
    pk: number;
  }[];
  const primaryKey = info
    .filter((c) => c.pk > 0)
    .sort((x, y) => x.pk - y.pk)
    .map((c) => c.name);
  const withoutRowid = /\)\s*without\s+rowid\s*;?\s*$/i.test(object.sql);
  const [only] = info.filter((c) => c.pk > 0);
  const rowidAlias =
    !withoutRowid && primaryKey.length === 1 && only?.type.trim().toUpperCase() === 'INTEGER'
      ? only.name
      : null;
  return {
    columns: info.map((c) => c.name),
    primaryKey,
    withoutRowid,
    virtual,
    readable,
    hasRowid: true,
    rowidAlias,
  };
}

function answersRowid(db: SqliteDatabase, table: string): boolean {
  try {
    db.prepare(`SELECT rowid FROM main.${quotedName(table)} LIMIT 0`);
    return true;
  } catch {
    return false;
  }
}

/** The tables SQLite made for virtual tables (an FTS index's content, an R-tree's nodes): not the user's data. */
function shadowTables(db: SqliteDatabase, schema: readonly SchemaObject[]): Set<string> {
  const shadows = new Set<string>();
  try {
    for (const row of db
      .prepare("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'shadow'")
      .all() as { name: string }[]) {
      shadows.add(row.name);
    }
  } catch {
    // An SQLite without table_list: the prefix rule below alone.
  }
  // A module not loaded here (sqlite-vec) cannot say which tables are its own: they carry its name.
  const virtual = schema
    .filter((o) => o.type === 'table' && /^\s*create\s+virtual\s+table/i.test(o.sql))
    .map((o) => `${o.name}_`);
  for (const object of schema) {
    if (
      object.type === 'table' &&
      virtual.some(
        (prefix) =>
          object.name.startsWith(prefix) && !canReadTable(db, object.name.slice(0, prefix.length - 1)),
      )
    ) {
      shadows.add(object.name);
    }
  }
  return shadows;
}

type Key =
  | { readonly kind: 'columns'; readonly columns: readonly string[] }
  | { readonly kind: 'rowid'; readonly alias: string }
  | { readonly kind: 'none'; readonly reason: string };

/** How the rows of a table present in both are matched: its primary key (in both, in the compared columns), else the rowid. */
function keyOf(a: TableShape, b: TableShape, columns: readonly string[]): Key {
  if (!a.readable || !b.readable) {
    return { kind: 'none', reason: 'a virtual table whose module (an extension) is not loaded here' };
  }
  if (a.virtual || b.virtual) {
    // FTS and R-tree tables have a rowid: their rows (the documents, the boxes) are matched by it.
    return a.virtual && b.virtual && a.hasRowid && b.hasRowid
      ? { kind: 'rowid', alias: 'rowid' }
      : { kind: 'none', reason: 'a virtual table without a rowid to match its rows by' };
  }
  const samePk =
    a.primaryKey.length > 0 &&
    a.primaryKey.join('\0') === b.primaryKey.join('\0') &&
    a.primaryKey.every((c) => columns.includes(c));
  if (samePk) {
    return { kind: 'columns', columns: a.primaryKey };
  }
  if (a.withoutRowid || b.withoutRowid) {
    return { kind: 'none', reason: 'a WITHOUT ROWID table whose primary key differs between the two' };
  }
  const alias = ['rowid', '_rowid_', 'oid'].find(
    (name) => !a.columns.includes(name) && !b.columns.includes(name),
  );
  return alias === undefined
    ? { kind: 'none', reason: 'no primary key, and its columns hide the rowid' }
    : { kind: 'rowid', alias };
}

function emptyDiff(
  name: string,
  presence: TableDiff['presence'],
  columns: readonly string[],
  key: readonly string[] | null,
  note: string | null,
): TableDiff {
  return {
    name,
    key: key === null ? null : [...key],
    columns: [...columns],
    presence,
    added: 0,
    changed: 0,
    deleted: 0,
    samples: { added: [], changed: [], deleted: [] },
    note,
  };
}

/**
 * Rows of one table in key order, as arrays (key values first, then the compared columns); with
 * `ranges` (rowid tables), only the rows in those rowid ranges, in order.
 */
function* rowsInKeyOrder(
  db: SqliteDatabase,
  table: string,
  keyExpressions: readonly string[],
  columns: readonly string[],
  ranges: { readonly rowid: string; readonly list: readonly RowidRange[] } | null,
): Generator<SqliteValue[]> {
  const select = [...keyExpressions, ...columns.map(quotedName)].join(', ');
  const order = keyExpressions.map((k) => `${k} COLLATE BINARY`).join(', ');
  if (ranges === null) {
    yield* db
      .prepare(`SELECT ${select} FROM main.${quotedName(table)} ORDER BY ${order}`)
      .safeIntegers(true)
      .raw(true)
      .iterate() as IterableIterator<SqliteValue[]>;
    return;
  }
  const min = -(2n ** 63n);
  const max = 2n ** 63n - 1n;
  const statement = db
    .prepare(
      `SELECT ${select} FROM main.${quotedName(table)} WHERE ${ranges.rowid} >= ? AND ${ranges.rowid} <= ? ORDER BY ${order}`,
    )
    .safeIntegers(true)
    .raw(true);
  for (const range of ranges.list) {
    if (range.after !== max) {
      yield* statement.iterate(
        range.after === null ? min : range.after + 1n,
        range.upTo ?? max,
      ) as IterableIterator<SqliteValue[]>;
    }
  }
}

/**
 * For a rowid table of two snapshot files: the rowid ranges whose rows can differ, from their pages
 * (see changed-ranges.ts); null when every row must be read (other keys, the live database, files
 * that cannot be compared page by page).
 */
function rowidRangesOf(
  pages: PagePair | null,
  dbA: SqliteDatabase,
  dbB: SqliteDatabase,
  table: string,
  key: Key,
  shape: TableShape,
): { rowid: string; list: RowidRange[] } | null {
  // The rowid, or a primary key that is the rowid under another name.
  let rowid: string | null = null;
  if (key.kind === 'rowid') {
    rowid = key.alias;
  } else if (key.kind === 'columns' && shape.rowidAlias !== null && key.columns.join() === shape.rowidAlias) {
    rowid = quotedName(shape.rowidAlias);
  }
  if (pages === null || rowid === null) {
    return null;
  }
  const root = (db: SqliteDatabase): number =>
    Number(
      db.prepare("SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND name = ?").pluck().get(table),
    );
  const list = pages.rangesOf(root(dbA), root(dbB));
  return list === null ? null : { rowid, list };
}

function compareKeys(a: SqliteValue[], b: SqliteValue[], width: number): number {
  for (let i = 0; i < width; i += 1) {
    const order = compareValues(a[i] ?? null, b[i] ?? null);
    if (order !== 0) return order;
  }
  return 0;
}

/** Merges one table's rows from both sides. */
function diffRows(
  dbA: SqliteDatabase,
  dbB: SqliteDatabase,
  base: TableDiff,
  key: Key & { kind: 'columns' | 'rowid' },
  ranges: { readonly rowid: string; readonly list: readonly RowidRange[] } | null,
  sampleSize: number,
  control: JobControl,
  onRows: (n: number) => void,
): TableDiff {
  const keyExpressions = key.kind === 'rowid' ? [key.alias] : key.columns.map(quotedName);
  const width = keyExpressions.length;
  const { columns } = base;
  const rowsA = rowsInKeyOrder(dbA, base.name, keyExpressions, columns, ranges);
  const rowsB = rowsInKeyOrder(dbB, base.name, keyExpressions, columns, ranges);
  const result = {
    ...base,
    samples: { added: [] as RowChange[], changed: [] as RowChange[], deleted: [] as RowChange[] },
  };
  const cells = (row: SqliteValue[]): SqliteValue[] => row.slice(width);
  const sample = (
    kind: 'added' | 'changed' | 'deleted',
    before: SqliteValue[] | null,
    after: SqliteValue[] | null,
    changedColumns: string[],
  ): void => {
    const list = result.samples[kind];
    if (list.length < sampleSize) {
      const keyRow = (before ?? after ?? []).slice(0, width);
      list.push({
        key: keyRow.map(toDiffValue),
        before: before === null ? null : cells(before).map(toDiffValue),
        after: after === null ? null : cells(after).map(toDiffValue),
        changedColumns,
      });
    }
  };
  let a = rowsA.next();
  let b = rowsB.next();
  let seen = 0;
  try {
    while (!a.done || !b.done) {
      if ((seen += 1) % 8192 === 0) {
        control.throwIfCancelled();
        onRows(8192);
      }
      // A side that has ended sorts after every row of the other.
      let order = 1;
      if (!a.done) {
        order = b.done ? -1 : compareKeys(a.value, b.value, width);
      }
      if (order < 0) {
        result.deleted += 1;
        sample('deleted', a.value as SqliteValue[], null, []);
        a = rowsA.next();
      } else if (order > 0) {
        result.added += 1;
        sample('added', null, b.value as SqliteValue[], []);
        b = rowsB.next();
      } else {
        const before = a.value as SqliteValue[];
        const after = b.value as SqliteValue[];
        let differs = false;
        for (let i = width; i < before.length && !differs; i += 1) {
          differs = !sameValue(before[i] ?? null, after[i] ?? null);
        }
        if (differs) {
          result.changed += 1;
          sample(
            'changed',
            before,
            after,
            columns.filter((_, i) => !sameValue(before[width + i] ?? null, after[width + i] ?? null)),
          );
        }
        a = rowsA.next();
        b = rowsB.next();
      }
    }
  } finally {
    // Stopped early (cancelled): the statements must be let go before their connections close.
    rowsA.return(undefined);
    rowsB.return(undefined);
  }
  return result;
}

/** A row estimate for progress: the largest rowid, which costs one lookup (0 where there is none). */
function estimateRows(db: SqliteDatabase, table: string, key: Key): number {
  if (key.kind !== 'rowid' && !(key.kind === 'columns' && key.columns.length === 1)) {
    return 0;
  }
  try {
    return Number(
      db
        .prepare(`SELECT max(rowid) FROM main.${quotedName(table)}`)
        .pluck()
        .get() ?? 0,
    );
  } catch {
    return 0;
  }
}

export function diffDatabases(request: DiffRequest, control: JobControl): DiffResult {
  const sampleSize = request.sampleSize ?? 20;
  control.report('Opening both databases', 0);
  const dbA = openSide(request.a);
  try {
    const dbB = openSide(request.b);
    try {
      const schemaA = readSchema(dbA);
      const schemaB = readSchema(dbB);
      const schema: ObjectDifference[] = diffSchemas(schemaA, schemaB).map((d) => ({
        type: d.type,
        name: d.name,
        change: changeOfSchema[d.change],
        columnsOnlyA: d.columnsOnlyLive,
        columnsOnlyB: d.columnsOnlySnapshot,
      }));
      const shadows = new Set([...shadowTables(dbA, schemaA), ...shadowTables(dbB, schemaB)]);
      const tablesOf = (objects: readonly SchemaObject[]): Map<string, SchemaObject> =>
        new Map(objects.filter((o) => o.type === 'table' && !shadows.has(o.name)).map((o) => [o.name, o]));
      const tablesA = tablesOf(schemaA);
      const tablesB = tablesOf(schemaB);
      let names = [...new Set([...tablesA.keys(), ...tablesB.keys()])].sort();
      if (request.table !== undefined) {
        if (!names.includes(request.table)) {
          throw new LifeboatFailure(
            'INVALID_ARGUMENT',
            `No table "${request.table}" in either database. Tables: ${names.join(', ') || 'none'}.`,
          );
        }
        names = [request.table];
      }
      const plans = names.map((name) => {
        const inA = tablesA.get(name);
        const inB = tablesB.get(name);
        if (inA === undefined || inB === undefined) {
          return { name, inA, inB, key: null, shape: null, columns: [] as string[], estimate: 0 };
        }
        const shapeA = shapeOf(dbA, inA);
        const shapeB = shapeOf(dbB, inB);
        const columns = shapeA.columns.filter((c) => shapeB.columns.includes(c));
        const key = keyOf(shapeA, shapeB, columns);
        return {
          name,
          inA,
          inB,
          key,
          shape: shapeA,
          columns,
          estimate: Math.max(estimateRows(dbA, name, key), estimateRows(dbB, name, key)),
        };
      });
      const total = Math.max(
        1,
        plans.reduce((sum, p) => sum + p.estimate, 0),
      );
      // Two snapshot files (never the live database, whose newest pages may be in its -wal): compared page by page first.
      control.report('Comparing pages', 0);
      const pages =
        request.a.kind === 'snapshot' && request.b.kind === 'snapshot' && request.pageSkip !== false
          ? comparePages(request.a.path, request.b.path)
          : null;
      let done = 0;
      const diffTable = (plan: (typeof plans)[number]): TableDiff => {
        control.throwIfCancelled();
        control.report('Comparing rows', Math.min(0.99, done / total), plan.name);
        const { name, inA, inB, key, shape, columns } = plan;
        if (inA === undefined || inB === undefined || key === null) {
          const presence = inA === undefined ? 'only-b' : 'only-a';
          const db = inA === undefined ? dbB : dbA;
          const rows = canReadTable(db, name)
            ? Number(
                db
                  .prepare(`SELECT count(*) FROM main.${quotedName(name)}`)
                  .pluck()
                  .get(),
              )
            : 0;
          const diff = emptyDiff(
            name,
            presence,
            [],
            null,
            presence === 'only-a'
              ? `The table is only in ${nameOf(request.a)}: its ${rows} rows are gone in ${nameOf(request.b)}.`
              : `The table is only in ${nameOf(request.b)}, with ${rows} rows.`,
          );
          return presence === 'only-a' ? { ...diff, deleted: rows } : { ...diff, added: rows };
        }
        if (key.kind === 'none') {
          return emptyDiff(name, 'both', columns, null, `Rows not compared: ${key.reason}.`);
        }
        const dropped = [
          ...inA.columns.filter((c) => !columns.includes(c)),
          ...inB.columns.filter((c) => !columns.includes(c)),
        ];
        const virtual = inA.sql.match(/^\s*create\s+virtual/i) !== null;
        const byRowid = virtual ? 'A virtual table, matched by rowid.' : 'Matched by rowid (no primary key).';
        const note = [
          key.kind === 'rowid' ? byRowid : null,
          dropped.length > 0 ? `Columns in only one of them are not compared: ${dropped.join(', ')}.` : null,
        ]
          .filter((n) => n !== null)
          .join(' ');
        const base = emptyDiff(
          name,
          'both',
          columns,
          key.kind === 'rowid' ? ['rowid'] : key.columns,
          note === '' ? null : note,
        );
        return diffRows(
          dbA,
          dbB,
          base,
          key,
          shape === null ? null : rowidRangesOf(pages, dbA, dbB, name, key, shape),
          sampleSize,
          control,
          (n) => {
            done += n;
            control.report('Comparing rows', Math.min(0.99, done / total), name);
          },
        );
      };
      let tables: TableDiff[];
      try {
        tables = plans.map(diffTable);
      } finally {
        pages?.close();
      }
      control.report('Done', 1);
      const totals = tables.reduce(
        (sum, t) => ({
          added: sum.added + t.added,
          changed: sum.changed + t.changed,
          deleted: sum.deleted + t.deleted,
        }),
        { added: 0, changed: 0, deleted: 0 },
      );
      return { a: nameOf(request.a), b: nameOf(request.b), tables, schema, totals };
    } finally {
      dbB.close();
    }
  } finally {
    dbA.close();
  }
}
