import type { JobControl } from '../jobs/job-control';
import type { SqliteDatabase } from './open-database';

/** Every user table of a database with its row count, in name order. */
export function countTableRows(db: SqliteDatabase, control: JobControl): { name: string; rows: number }[] {
  const names = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
    .pluck()
    .all()
    .map(String);
  return names.map((name, index) => {
    control.throwIfCancelled();
    control.report('Counting rows', index / Math.max(1, names.length), name);
    return { name, rows: Number(db.prepare(`SELECT count(*) FROM "${name.replaceAll('"', '""')}"`).pluck().get()) };
  });
}
