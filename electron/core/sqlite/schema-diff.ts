import type { SchemaDifference } from '../../contract/restore';
import type { SqliteDatabase } from './open-database';
import { quotedName } from './quoted-name';
import { canReadTable } from './table-rows';

/** One table, index, view or trigger of a database, with a table's column names. */
export interface SchemaObject {
  readonly type: SchemaDifference['type'];
  readonly name: string;
  readonly sql: string;
  readonly columns: readonly string[];
}

/** The user objects of a database (not SQLite's own), with each table's columns. */
export function readSchema(db: SqliteDatabase): SchemaObject[] {
  const rows = db
    .prepare(
      "SELECT type, name, coalesce(sql, '') AS sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name",
    )
    .all() as { type: SchemaObject['type']; name: string; sql: string }[];
  return rows.map((row) => ({
    ...row,
    // A virtual table of an extension not loaded here has no columns SQLite can tell: compared by its SQL alone.
    columns:
      row.type === 'table' && canReadTable(db, row.name)
        ? db
            .prepare(`PRAGMA table_info(${quotedName(row.name)})`)
            .all()
            .map((c) => String((c as { name: unknown }).name))
        : [],
  }));
}

/** What differs between the live database's schema and a snapshot's: objects only in one, tables whose columns differ, others changed. */
export function diffSchemas(
  live: readonly SchemaObject[],
  snapshot: readonly SchemaObject[],
): SchemaDifference[] {
  const key = (o: SchemaObject): string => `${o.type} ${o.name}`;
  const inSnapshot = new Map(snapshot.map((o) => [key(o), o]));
  const inLive = new Map(live.map((o) => [key(o), o]));
  const differences: SchemaDifference[] = [];
  for (const object of live) {
    const other = inSnapshot.get(key(object));
    if (other === undefined) {
      differences.push({
        type: object.type,
        name: object.name,
        change: 'only-live',
        columnsOnlyLive: [],
        columnsOnlySnapshot: [],
      });
    } else if (other.sql !== object.sql) {
      differences.push({
        type: object.type,
        name: object.name,
        change: 'changed',
        columnsOnlyLive: object.columns.filter((c) => !other.columns.includes(c)),
        columnsOnlySnapshot: other.columns.filter((c) => !object.columns.includes(c)),
      });
    }
  }
  for (const object of snapshot) {
    if (!inLive.has(key(object))) {
      differences.push({
        type: object.type,
        name: object.name,
        change: 'only-snapshot',
        columnsOnlyLive: [],
        columnsOnlySnapshot: [],
      });
    }
  }
  return differences;
}
