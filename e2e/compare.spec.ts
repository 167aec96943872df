import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DiffResult } from '../electron/contract/diff';
import { createLiveDatabase } from '../electron/testing/fixtures';
import { expect, test } from './fixtures';

const bin = path.resolve(__dirname, '..', 'bin', 'lifeboat.js');

test('compare a snapshot with the live database: the counts of lifeboat diff, the rows, changed cells marked; from the restore preview and back', async ({
  app,
  host,
}) => {
  fs.mkdirSync(host.workDir, { recursive: true });
  const live = path.join(host.workDir, 'shop.db');
  createLiveDatabase(live, 'wal', 64 * 1024);
  const backup = spawnSync(process.execPath, [bin, 'backup', 'before-cleanup', '--db', live, '--json'], {
    encoding: 'utf8',
  });
  const snapshot = (JSON.parse(backup.stdout) as { snapshot: { file: string } }).snapshot.file;
  const db = new Database(live);
  db.exec(
    'UPDATE accounts SET balance = 4242 WHERE id = 3; DELETE FROM accounts WHERE id IN (7, 8); INSERT INTO accounts (balance) VALUES (7);',
  );
  db.close();
  const cli = JSON.parse(
    spawnSync(process.execPath, [bin, 'diff', snapshot, 'live', '--db', live, '--json'], { encoding: 'utf8' })
      .stdout,
  ) as DiffResult;
  const accounts = cli.tables.find((t) => t.name === 'accounts');
  expect([accounts?.added, accounts?.changed, accounts?.deleted]).toEqual([1, 1, 2]);
  // The reference: SQLite's own sqldiff (Debian's sqlite3-tools, installed by .ci/run).
  const reference = spawnSync(
    'sqldiff',
    ['--primarykey', '--summary', '--table', 'accounts', path.join(host.workDir, 'backups', snapshot), live],
    { encoding: 'utf8' },
  );
  expect(reference.error, 'sqldiff (apt-get install sqlite3-tools) is the reference').toBeUndefined();
  expect(reference.stdout.trim()).toMatch(/^accounts: 1 changes, 1 inserts, 2 deletes/);
  const before = accounts?.samples.changed[0]?.before?.[1];
  if (typeof before !== 'number')
    throw new Error(`the old balance is a number, not ${JSON.stringify(before)}`);

  await app.addApp(live);
  await app.row('before-cleanup').click();
  await app.details.getByLabel('Compare with').selectOption('live');
  const headline = app.dialog.getByTestId('compare-headline');
  await expect(headline).toHaveText(
    'Restoring this snapshot would lose 1 row added since, undo the changes to 1 row and get back 2 rows deleted since.',
  );
  const table = app.dialog.getByRole('button', { name: /^accounts/ });
  await expect(table).toContainText('−2');
  await expect(table).toContainText('~1');
  await expect(table).toContainText('+1');
  await table.click();
  await expect(table).toHaveAttribute('aria-expanded', 'true');
  await expect(app.dialog.locator('td.changed-cell')).toHaveText([String(before), '4242']);
  await expect(app.dialog.getByText('Rows you would get back (deleted since): 2')).toBeVisible();
  await app.screenshot('24-compare-with-live');
  await app.dialog.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(app.dialog).toBeHidden();

  // From a restore's preview: the comparison, then back to the preview.
  await app.details.getByRole('button', { name: 'Restore…' }).click();
  await expect(app.dialog.getByTestId('row-changes')).toHaveText(
    'Rows you would lose: 1 · changes undone: 1 · rows you would get back: 2 See the rows…',
  );
  await app.screenshot('26-restore-preview-rows');
  await app.dialog.getByRole('button', { name: 'See the rows…' }).click();
  await expect(headline).toBeVisible();
  await app.dialog.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(app.dialog.getByRole('heading', { name: /Restore/ })).toBeVisible();
});
