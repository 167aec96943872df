import type { JobControl } from '../job-control';
import type { SqliteDatabase } from './open-database';
import { quotedName } from './quoted-name';

/**
 * Whether this connection can read the table: a virtual table whose module is an extension Lifeboat
 * does not load (sqlite-vec's vec0, for one) cannot be, though its data is in ordinary shadow tables
 * that can. Such a table is left out of counts and column lists rather than failing the whole job.
 */
export function canReadTable(db: SqliteDatabase, name: string): boolean {
  try {
    db.prepare(`SELECT 1 FROM ${quotedName(name)} LIMIT 0`);
    return true;
  } catch (error) {
    if (/no such module/.test((error as Error).message)) {
      return false;
    }
    throw error;
  }
}

/** Every user table of a database that can be read here (see canReadTable) with its row count, in name order. */
export function countTableRows(db: SqliteDatabase, control: JobControl): { name: string; rows: number }[] {
  const names = db
    .prepare(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    )
    .pluck()
    .all()
    .map(String)
    .filter((name) => canReadTable(db, name));
  return names.map((name, index) => {
    control.throwIfCancelled();
    control.report('Counting rows', index / Math.max(1, names.length), name);
    return {
      name,
      rows: Number(
        db
          .prepare(`SELECT count(*) FROM ${quotedName(name)}`)
          .pluck()
          .get(),
      ),
    };
  });
}
