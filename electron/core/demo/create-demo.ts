import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DatabaseLocation } from '../database-location';
import { quietControl, unwatchedControl, type JobControl } from '../job-control';
import { createSnapshot } from '../snapshot/create-snapshot';
import { openOwnDatabase, type SqliteDatabase } from '../sqlite/open-database';
import { LifeboatFailure } from '../lifeboat-failure';
import { runSqlMigrations } from '../migrations/sql-migrate';

/**
 * The demo: a small shop's database with a few thousand rows, its schema history as numbered SQL
 * migrations, and a dozen labelled snapshots spread over six weeks and four schema revisions as the
 * shop grew, plus one copy made by a shell script in another naming convention; the code has one
 * migration the live database has not had yet. A newcomer sees every part of Lifeboat at once.
 * Made in `<data dir>/demo/corner-shop/`.
 */

export const demoAppName = 'Corner shop (demo)';

const firstNames = [
  'Ada',
  'Grace',
  'Alan',
  'Edsger',
  'Barbara',
  'Donald',
  'Margaret',
  'Ken',
  'Radia',
  'Linus',
  'Frances',
  'Niklaus',
];
const lastNames = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Hamilton',
  'Thompson',
  'Perlman',
  'Torvalds',
  'Allen',
  'Wirth',
];
const products = [
  'Sourdough loaf',
  'Oat milk',
  'Espresso beans',
  'Blood oranges',
  'Feta',
  'Basil',
  'Olive oil',
  'Dark chocolate',
  'Rye crackers',
  'Honey',
  'Lentils',
  'Miso paste',
];

/** The shop's schema history: numbered SQL files, applied by Lifeboat's own runner (user_version). */
const migrations: Readonly<Record<string, string>> = {
  '001_create_shop.sql': `CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE, joined TEXT NOT NULL);
CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price_cents INTEGER NOT NULL);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id), placed TEXT NOT NULL, total_cents INTEGER NOT NULL);
CREATE TABLE order_items (order_id INTEGER NOT NULL REFERENCES orders(id), product_id INTEGER NOT NULL REFERENCES products(id), quantity INTEGER NOT NULL);
CREATE INDEX orders_customer ON orders(customer_id);
`,
  '002_order_status.sql': "ALTER TABLE orders ADD COLUMN status TEXT NOT NULL DEFAULT 'paid';\n",
  '003_customer_phone.sql': 'ALTER TABLE customers ADD COLUMN phone TEXT;\n',
  '004_product_stock.sql': 'ALTER TABLE products ADD COLUMN stock INTEGER NOT NULL DEFAULT 0;\n',
  '005_order_notes.sql':
    'CREATE TABLE order_notes (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id), note TEXT NOT NULL);\n',
};

/** Snapshots over six weeks; `migrateTo` upgrades the shop right after that snapshot (v1.4, v1.5). */
const plan: ReadonlyArray<{ daysAgo: number; label: string; note?: string; migrateTo?: string }> = [
  { daysAgo: 42, label: 'initial-import', note: 'First import from the old spreadsheet' },
  { daysAgo: 38, label: 'nightly' },
  { daysAgo: 35, label: 'nightly' },
  {
    daysAgo: 31,
    label: 'before-upgrade',
    note: 'Before upgrading to v1.4',
    migrateTo: '002_order_status.sql',
  },
  { daysAgo: 28, label: 'nightly' },
  { daysAgo: 24, label: 'weekly' },
  { daysAgo: 21, label: 'before-price-change', note: 'Spring prices' },
  { daysAgo: 17, label: 'nightly' },
  { daysAgo: 14, label: 'weekly' },
  {
    daysAgo: 9,
    label: 'before-upgrade',
    note: 'Before upgrading to v1.5',
    migrateTo: '004_product_stock.sql',
  },
  { daysAgo: 4, label: 'nightly' },
  { daysAgo: 1, label: 'manual', note: 'Before cleaning up old customers' },
];

/** Writes the migration files up to `last` (all when undefined) and applies them. */
function migrate(location: DatabaseLocation, migrationsDir: string, last: string): void {
  for (const [file, sql] of Object.entries(migrations)) {
    if (file <= last) {
      fs.writeFileSync(path.join(migrationsDir, file), sql);
    }
  }
  const result = runSqlMigrations({ databasePath: location.databasePath, migrationsDir }, unwatchedControl);
  if (result.failed !== null) {
    throw new LifeboatFailure(
      'INTERNAL',
      `The demo's migration ${result.failed.file} failed: ${result.failed.error.message}`,
    );
  }
}

function addProducts(db: SqliteDatabase): void {
  const insertProduct = db.prepare('INSERT INTO products (name, price_cents) VALUES (?, ?)');
  products.forEach((name, i) => insertProduct.run(name, 150 + i * 85));
}

/** Adds customers and orders as if `days` of business happened up to `until`. */
function addBusiness(db: SqliteDatabase, orders: number, until: Date, seed: number): void {
  const customerCount = Number(db.prepare('SELECT count(*) FROM customers').pluck().get());
  const insertCustomer = db.prepare('INSERT INTO customers (name, email, joined) VALUES (?, ?, ?)');
  const insertOrder = db.prepare('INSERT INTO orders (customer_id, placed, total_cents) VALUES (?, ?, ?)');
  const insertItem = db.prepare('INSERT INTO order_items (order_id, product_id, quantity) VALUES (?, ?, ?)');
  db.transaction(() => {
    const newCustomers = Math.ceil(orders / 8);
    for (let i = 0; i < newCustomers; i += 1) {
      const n = customerCount + i;
      const first = firstNames[n % firstNames.length] ?? 'Sam';
      const last = lastNames[Math.floor(n / firstNames.length) % lastNames.length] ?? 'Doe';
      insertCustomer.run(
        `${first} ${last}`,
        `${first}.${last}.${n}@example.com`.toLowerCase(),
        until.toISOString(),
      );
    }
    const customers = customerCount + newCustomers;
    for (let i = 0; i < orders; i += 1) {
      const k = seed * 7919 + i * 104729;
      const placed = new Date(until.getTime() - (k % (3 * 86400)) * 1000).toISOString();
      const items = 1 + (k % 4);
      const order = insertOrder.run(1 + (k % customers), placed, 0).lastInsertRowid;
      let total = 0;
      for (let j = 0; j < items; j += 1) {
        const product = 1 + ((k + j * 31) % products.length);
        const quantity = 1 + ((k >> j) % 3);
        insertItem.run(order, product, quantity);
        total += quantity * (150 + (product - 1) * 85);
      }
      db.prepare('UPDATE orders SET total_cents = ? WHERE id = ?').run(total, order);
    }
  })();
}

/** Creates the demo app's files if they are not complete yet; returns where they are. */
export async function createDemo(
  dataDir: string,
  control: JobControl,
  now: Date = new Date(),
): Promise<DatabaseLocation> {
  const dir = path.join(dataDir, 'demo', 'corner-shop');
  const location: DatabaseLocation = {
    databasePath: path.join(dir, 'shop.db'),
    backupsDir: path.join(dir, 'backups'),
  };
  // Written last: without it, a half-built demo (interrupted) is built again from scratch.
  const complete = path.join(dir, '.demo-complete-v2');
  if (fs.existsSync(complete)) {
    return location;
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const migrationsDir = path.join(dir, 'migrations');
  fs.mkdirSync(migrationsDir, { recursive: true });
  const db = openOwnDatabase(location.databasePath);
  try {
    db.pragma('journal_mode = wal');
    migrate(location, migrationsDir, '001_create_shop.sql');
    addProducts(db);
    for (const [index, step] of plan.entries()) {
      control.throwIfCancelled();
      control.report('Building the demo shop', index / plan.length);
      const takenAt = new Date(now.getTime() - step.daysAgo * 86400000);
      addBusiness(db, 180 + index * 40, takenAt, index);
      await createSnapshot({ location, reason: step.label, note: step.note, takenAt }, quietControl(control));
      if (index === 6) {
        // A copy made by the shop's old deploy script, in its own naming convention.
        const stamp = takenAt.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
        db.pragma('wal_checkpoint(TRUNCATE)');
        fs.copyFileSync(location.databasePath, path.join(location.backupsDir, `shop.db.pre-deploy-${stamp}`));
      }
      if (step.migrateTo !== undefined) {
        migrate(location, migrationsDir, step.migrateTo);
      }
    }
    addBusiness(db, 300, now, plan.length);
    // The code has moved on by one migration the live database has not had yet.
    fs.writeFileSync(
      path.join(migrationsDir, '005_order_notes.sql'),
      migrations['005_order_notes.sql'] ?? '',
    );
  } finally {
    db.close();
  }
  fs.writeFileSync(complete, `${now.toISOString()}\n`);
  control.report('Done', 1);
  return location;
}
