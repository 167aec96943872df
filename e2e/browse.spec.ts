import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, test } from './fixtures';

test('browse a snapshot read only: pages, sort, filter; export what the filter shows; restore it as a copy; browse the live database', async ({
  app,
  host,
}) => {
  await app.openDemo();
  await app.row('manual').click();
  await app.details.getByRole('button', { name: 'Browse…' }).click();
  const dialog = app.dialog;
  await expect(dialog.getByRole('heading', { name: /^Browse manual/ })).toBeVisible();
  await dialog.getByLabel('Table').selectOption('customers');
  const range = dialog.getByTestId('browse-range');
  await expect(range).toHaveText(/^Rows 1–500 of [\d,]+$/);
  // The rows are drawn as soon as the table is chosen: the first one's id.
  const firstCell = dialog.getByRole('row').nth(1).getByRole('cell').first();
  await expect(firstCell).toHaveText('1');
  const total = Number((await range.textContent())?.replace(/^.* of /, '').replace(/,/g, ''));
  await dialog.getByRole('button', { name: 'Next' }).click();
  await expect(range).toHaveText(
    `Rows 501–${total.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`,
  );
  await expect(firstCell).toHaveText('501');
  // Only the rows in view are in the page: a page of 500 renders a few dozen (and not none).
  const rendered = await dialog.locator('tbody tr:not([aria-hidden])').count();
  expect(rendered).toBeGreaterThan(10);
  expect(rendered).toBeLessThan(80);
  // Sorting by a column starts again at the first page.
  await dialog.getByRole('button', { name: 'id', exact: true }).click();
  await dialog.getByRole('button', { name: 'id ↑' }).click();
  await expect(dialog.getByRole('columnheader', { name: 'id ↓' })).toHaveAttribute('aria-sort', 'descending');
  await expect(range).toHaveText(/^Rows 1–500 of/);
  await expect(dialog.getByRole('row').nth(1).getByRole('cell').first()).toHaveText(String(total));
  await dialog.getByLabel('Filter rows').fill('Turing');
  await expect(range).toHaveText(/matching the filter$/);
  const matching = Number(
    (await range.textContent())
      ?.replace(/^.* of /, '')
      .replace(/ matching.*$/, '')
      .replace(/,/g, ''),
  );
  expect(matching).toBeGreaterThan(0);
  expect(matching).toBeLessThan(total);
  await app.screenshot('25-browse-snapshot');

  // Export what the filter shows, as SQL, and load it into an empty database: the same rows.
  const target = path.join(host.workDir, 'turings.sql');
  fs.mkdirSync(host.workDir, { recursive: true });
  await dialog.getByLabel('Export the').selectOption('sql');
  await dialog.getByLabel('New file').fill(target);
  await dialog.getByRole('button', { name: 'Export' }).click();
  await expect(app.page.getByText(`Wrote ${matching} rows to ${target}.`)).toBeVisible();
  const backups = path.join(host.dataDir, 'demo', 'corner-shop', 'backups');
  const snapshotFile = fs.readdirSync(backups).find((f) => f.endsWith('-manual.db')) ?? '';
  const snapshot = new Database(path.join(backups, snapshotFile), { readonly: true });
  const createCustomers = snapshot
    .prepare("SELECT sql FROM sqlite_schema WHERE name = 'customers'")
    .pluck()
    .get() as string;
  snapshot.close();
  const check = new Database(':memory:');
  check.exec(createCustomers);
  check.exec(fs.readFileSync(target, 'utf8'));
  expect(check.prepare("SELECT count(*) FROM customers WHERE name LIKE '%Turing%'").pluck().get()).toBe(
    matching,
  );
  check.close();
  // A file that exists is never written over.
  await dialog.getByRole('button', { name: 'Export' }).click();
  await expect(dialog.getByText(/already exists: choose a new file name/)).toBeVisible();
  await dialog.getByRole('button', { name: 'Close', exact: true }).click();

  // Restore as a copy: a new, checked file; the live database untouched.
  const demoDb = path.join(host.dataDir, 'demo', 'corner-shop', 'shop.db');
  const liveBefore = fs.readFileSync(demoDb);
  const copy = path.join(host.workDir, 'inspect.db');
  await app.details.getByRole('button', { name: 'Restore as a copy…' }).click();
  await app.dialog.getByLabel('New file').fill(copy);
  await app.dialog.getByRole('button', { name: 'Write the copy' }).click();
  await expect(app.page.getByText(`Wrote a checked copy to ${copy}.`)).toBeVisible();
  const opened = new Database(copy, { readonly: true });
  expect(opened.prepare('SELECT count(*) FROM customers').pluck().get()).toBe(total);
  opened.close();
  expect(fs.readFileSync(demoDb).equals(liveBefore)).toBe(true);

  // The live database, read only, from the card.
  await app.page.getByRole('button', { name: "Browse the live database's tables, read only" }).click();
  await expect(
    app.dialog.getByRole('heading', { name: 'Browse the live database (read only)' }),
  ).toBeVisible();
  await expect(app.dialog.getByTestId('browse-range')).toHaveText(/^Rows 1–500 of/);
  await expect(app.dialog.getByRole('row').nth(1).getByRole('cell').first()).not.toHaveText('');
});
