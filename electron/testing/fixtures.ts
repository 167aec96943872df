import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A fresh temporary folder, removed by the returned function. */
export function makeTempDir(prefix = 'lifeboat-test-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export type LiveMode = 'wal' | 'delete';

/**
 * Creates a realistic live database: `accounts` and `ledger` tables kept in step by the writer
 * process (one ledger row and one balance change per transaction), plus `payload` rows to give it size.
 */
export function createLiveDatabase(filePath: string, mode: LiveMode, payloadBytes = 1024 * 1024): void {
  const db = new Database(filePath);
  try {
    db.pragma(`journal_mode = ${mode}`);
    db.exec(`
      CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL);
      CREATE TABLE ledger (id INTEGER PRIMARY KEY, account INTEGER NOT NULL, amount INTEGER NOT NULL, at TEXT NOT NULL);
      CREATE INDEX ledger_account ON ledger(account);
      CREATE TABLE payload (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
    `);
    const insertAccount = db.prepare('INSERT INTO accounts (id, balance) VALUES (?, 0)');
    const insertPayload = db.prepare('INSERT INTO payload (data) VALUES (randomblob(?))');
    const rowBytes = 4000;
    db.transaction(() => {
      for (let i = 1; i <= 100; i += 1) {
        insertAccount.run(i);
      }
      for (let written = 0; written < payloadBytes; written += rowBytes) {
        insertPayload.run(rowBytes);
      }
    })();
  } finally {
    db.close();
  }
}

/** The invariant the writer keeps in every committed state: balances sum to the ledger's amounts. */
export interface LedgerState {
  readonly ledgerRows: number;
  readonly ledgerSum: number;
  readonly balanceSum: number;
  readonly integrity: string;
}

/** Changes to a database made by `createLiveDatabase` that grow it by a few hundred kilobytes. */
export const growingChanges =
  'UPDATE accounts SET balance = balance + 1; INSERT INTO payload (data) SELECT randomblob(3000) FROM accounts;';

/**
 * The app's connection to the database at `filePath`, kept open, with `sql` run through it and never
 * checkpointed: in WAL mode those changes live only in the -wal file.
 */
export function appWithChangesInLog(filePath: string, sql: string): Database.Database {
  const app = new Database(filePath);
  app.pragma('wal_autocheckpoint = 0');
  app.exec(sql);
  return app;
}

export function readLedgerState(filePath: string): LedgerState {
  const db = new Database(filePath, { readonly: true });
  try {
    const ledger = db.prepare('SELECT count(*) AS n, coalesce(sum(amount), 0) AS s FROM ledger').get() as {
      n: number;
      s: number;
    };
    const balance = db.prepare('SELECT coalesce(sum(balance), 0) AS s FROM accounts').pluck().get() as number;
    const integrity = (db.prepare('PRAGMA integrity_check').pluck().all() as string[]).join('; ');
    return { ledgerRows: ledger.n, ledgerSum: ledger.s, balanceSum: balance, integrity };
  } finally {
    db.close();
  }
}

export function sha256(filePath: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(filePath)).digest('hex');
}

/** A row as text, blobs included. */
function rowText(row: unknown): string {
  return JSON.stringify(row, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : v));
}

/**
 * The rows of `reference`'s tables, reading only `reference`'s columns, as they are in `filePath`: equal
 * to `snapshotRowsDigest(reference, reference)` when `filePath` holds the same rows, whatever columns
 * or tables an upgrade added since.
 */
export function snapshotRowsDigest(filePath: string, reference: string): string {
  const shape = new Database(reference, { readonly: true });
  const tables = (
    shape
      .prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .pluck()
      .all() as string[]
  ).map((name) => ({
    name,
    columns: (shape.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(name) as string[]).map(
      (column) => `"${column.replaceAll('"', '""')}"`,
    ),
  }));
  shape.close();
  const db = new Database(filePath, { readonly: true });
  try {
    const hash = crypto.createHash('sha256');
    for (const { name, columns } of tables) {
      hash.update(`${name}\n`);
      const select = `SELECT ${columns.join(', ')} FROM "${name.replaceAll('"', '""')}" ORDER BY rowid`;
      for (const row of db.prepare(select).raw().iterate()) {
        hash.update(rowText(row));
      }
    }
    return hash.digest('hex');
  } finally {
    db.close();
  }
}

/**
 * Runs `change` on `file` and puts its times back to the nanosecond (coreutils' `touch -r`), as bit
 * rot or a careless tool would leave it: same size and mtime as recorded, other bytes.
 */
export function changeKeepingTimes(file: string, change: () => void): void {
  const times = `${file}.times`;
  execFileSync('touch', ['-r', file, times]);
  try {
    change();
    execFileSync('touch', ['-r', times, file]);
  } finally {
    fs.rmSync(times, { force: true });
  }
}

/** Flips one bit of the byte at `offset` in `file`. */
export function flipBit(file: string, offset: number): void {
  const fd = fs.openSync(file, 'r+');
  try {
    const byte = Buffer.alloc(1);
    fs.readSync(fd, byte, 0, 1, offset);
    byte[0] = (byte[0] ?? 0) ^ 0x01;
    fs.writeSync(fd, byte, 0, 1, offset);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The -wal and -journal files beside a database that hold pages SQLite would replay or roll back onto
 * it. (A reader of a WAL database leaves an empty -wal and a -shm index behind, as the app does: those hold nothing.)
 */
export function sidecarsWithPages(filePath: string): string[] {
  const size = (file: string): number => (fs.existsSync(file) ? fs.statSync(file).size : 0);
  return ['-wal', '-journal'].filter((suffix) => size(`${filePath}${suffix}`) > 0);
}

/** Every row of every table, as one string: equal for two files exactly when their content is equal. */
export function contentDigest(filePath: string): string {
  const db = new Database(filePath, { readonly: true });
  try {
    const hash = crypto.createHash('sha256');
    const tables = db
      .prepare("SELECT name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
      .all() as { name: string; sql: string | null }[];
    for (const table of tables) {
      hash.update(`${table.name}\n${table.sql ?? ''}\n`);
      if (table.sql?.startsWith('CREATE TABLE') === true) {
        for (const row of db.prepare(`SELECT * FROM "${table.name}" ORDER BY rowid`).raw().iterate()) {
          hash.update(rowText(row));
        }
      }
    }
    return hash.digest('hex');
  } finally {
    db.close();
  }
}
