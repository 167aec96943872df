import Database from 'better-sqlite3';

/**
 * A live database of a Vaultwarden-like app: Diesel's bookkeeping table exactly as
 * diesel_migrations creates it, with these versions applied, and a users table. The caller closes it.
 */
export function openDieselDatabase(databasePath: string, versions: readonly string[]): Database.Database {
  const db = new Database(databasePath);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);
    CREATE TABLE users (uuid TEXT PRIMARY KEY);`);
  applyDieselMigrations(db, versions);
  return db;
}

/** What the app does when it upgrades itself on start: each version's table, then its row. */
export function applyDieselMigrations(db: Database.Database, versions: readonly string[], sql = ''): void {
  db.exec(sql);
  const insert = db.prepare('INSERT INTO __diesel_schema_migrations (version) VALUES (?)');
  for (const version of versions) {
    insert.run(version);
  }
}
