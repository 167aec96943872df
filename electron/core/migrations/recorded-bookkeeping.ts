import type { RecordedTool } from '../../contract/migrations';
import type { SqliteDatabase } from '../sqlite/open-database';
import { compareOrder } from '../compare-order';

/**
 * What a database records about its migrations, and the helpers its readers (recorded-migrations.ts
 * and the recorded-*.ts files of each family of tools) share to read a bookkeeping table.
 */

export interface RecordedMigration {
  /** The id the tool records, in the form Lifeboat's code readers use (a version number, a name). */
  readonly id: string;
  readonly name: string | null;
  /** When the tool says it applied it, as the tool wrote it; null when it does not record it. */
  readonly appliedAt: string | null;
}

export interface Recorded {
  readonly tool: RecordedTool;
  /** Oldest first. For tools that record only where they are, one entry: the current position. */
  readonly applied: readonly RecordedMigration[];
  readonly positionOnly: boolean;
  readonly failed: readonly string[];
  readonly dirty: readonly string[];
  readonly locked: boolean;
}

/** The tables of one database and their columns, looked up case-insensitively as SQLite does. */
export class Bookkeeping {
  private readonly names: Map<string, string>;
  private readonly columnCache = new Map<string, Set<string>>();

  constructor(readonly db: SqliteDatabase) {
    // Virtual tables are never bookkeeping, and reading one of an extension Lifeboat does not load fails.
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND coalesce(sql, '') NOT LIKE 'CREATE VIRTUAL%'",
      )
      .pluck()
      .all()
      .map(String);
    this.names = new Map(tables.map((t) => [t.toLowerCase(), t]));
  }

  has(table: string): boolean {
    return this.names.has(table.toLowerCase());
  }

  /** The table's columns, lower case; empty when there is no such table. */
  columns(table: string): Set<string> {
    const key = table.toLowerCase();
    let cached = this.columnCache.get(key);
    if (cached === undefined) {
      cached = new Set(
        this.has(table)
          ? this.db
              .prepare('SELECT name FROM pragma_table_info(?)')
              .pluck()
              .all(table)
              .map((c) => String(c).toLowerCase())
          : [],
      );
      this.columnCache.set(key, cached);
    }
    return cached;
  }

  /** True when the table exists and has every one of the columns. */
  hasColumns(table: string, ...columns: string[]): boolean {
    const have = this.columns(table);
    return columns.every((c) => have.has(c.toLowerCase()));
  }

  /** The tables whose columns include all of these. */
  tablesWith(...columns: string[]): string[] {
    return [...this.names.values()].filter((t) => this.hasColumns(t, ...columns));
  }

  /** Rows with their column names in lower case (apps and tools differ in case, SQLite does not care). */
  rows(sql: string, ...params: unknown[]): Record<string, unknown>[] {
    return (this.db.prepare(sql).all(...params) as Record<string, unknown>[]).map((row) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k.toLowerCase(), v])),
    );
  }
}

export type Read = Omit<Recorded, 'tool'>;

export interface Reader {
  readonly tool: RecordedTool;
  /** Whether the database holds this tool's bookkeeping, told by its tables' names and shapes. */
  recognizes(book: Bookkeeping): boolean;
  read(book: Bookkeeping): Read;
}

/** A column's value as text; blobs and NULL are not names or versions. */
export function text(value: unknown): string | null {
  if (typeof value === 'string') {
    return value;
  }
  return typeof value === 'number' || typeof value === 'bigint' ? value.toString() : null;
}

/** A version number as the code readers key it: digits only, no leading zeros. */
export function versionId(value: unknown): string | null {
  const digits = (text(value) ?? '').replace(/[._\-\s]/g, '');
  return /^\d+$/.test(digits) ? BigInt(digits).toString() : null;
}

export function list(
  rows: readonly Record<string, unknown>[],
  id: (row: Record<string, unknown>) => string | null,
  name: string | null,
  at: string | null,
): RecordedMigration[] {
  return rows.flatMap((row) => {
    const key = id(row);
    return key === null
      ? []
      : [
          {
            id: key,
            name: name === null ? null : text(row[name.toLowerCase()]),
            appliedAt: at === null ? null : text(row[at.toLowerCase()]),
          },
        ];
  });
}

export function plain(applied: RecordedMigration[], extra: Partial<Read> = {}): Read {
  return { applied, positionOnly: false, failed: [], dirty: [], locked: false, ...extra };
}

export function position(
  id: string | null,
  appliedAt: string | null = null,
  name: string | null = null,
): Read {
  return {
    applied: id === null ? [] : [{ id, name, appliedAt }],
    positionOnly: true,
    failed: [],
    dirty: [],
    locked: false,
  };
}

export const byVersion = (a: RecordedMigration, b: RecordedMigration): number =>
  compareOrder(BigInt(a.id), BigInt(b.id));

/** Rails and dbmate alike: every version in `schema_migrations`, oldest first. */
export function schemaMigrationsVersions(book: Bookkeeping): Read {
  const versions = list(
    book.rows('SELECT version FROM schema_migrations'),
    (r) => versionId(r['version']),
    null,
    null,
  );
  return plain(versions.sort(byVersion));
}

export function userVersion(db: SqliteDatabase): number {
  return Number(db.pragma('user_version', { simple: true }));
}
