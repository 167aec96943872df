import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRecord, writeRecord } from '../electron/core/snapshot/snapshot-records';
import { createLiveDatabase } from '../electron/testing/fixtures';
import { bin, expect, test } from './fixtures';
import { AppPage } from './pages/app-page';

/** A snapshot taken by the CLI; its file name. */
function backup(database: string, label: string): string {
  const run = spawnSync(process.execPath, [bin, 'backup', label, '--db', database, '--json'], {
    encoding: 'utf8',
  });
  return (JSON.parse(run.stdout) as { snapshot: { file: string } }).snapshot.file;
}

test('one clock and one verdict: the banner, the card and the sidebar say the same age, and a damaged file is the first thing the card says', async ({
  page,
  host,
}) => {
  // notes: one snapshot taken 3 min 35 s ago (4 min, rounded), stale after 2 min.
  const notesDir = path.join(host.workDir, 'notes');
  fs.mkdirSync(notesDir, { recursive: true });
  const notes = path.join(notesDir, 'notes.db');
  createLiveDatabase(notes, 'wal', 64 * 1024);
  fs.writeFileSync(path.join(notesDir, 'lifeboat.json'), JSON.stringify({ staleAfter: '2m' }));
  const file = backup(notes, 'hourly');
  const notesBackups = path.join(notesDir, 'backups');
  const record = readRecord(notesBackups, file);
  if (record === null) throw new Error('no record');
  writeRecord(notesBackups, { ...record, recordedAt: new Date(Date.now() - 215_000).toISOString() });

  // shop: fresh (a snapshot just now) beside an older one damaged behind Lifeboat's back.
  const shopDir = path.join(host.workDir, 'shop');
  fs.mkdirSync(shopDir, { recursive: true });
  const shop = path.join(shopDir, 'shop.db');
  createLiveDatabase(shop, 'wal', 64 * 1024);
  const damaged = backup(shop, 'older');
  backup(shop, 'newer');
  const damagedPath = path.join(shopDir, 'backups', damaged);
  fs.chmodSync(damagedPath, 0o644);
  fs.appendFileSync(damagedPath, Buffer.alloc(4096));

  // The page's clock is Playwright's, so that time can be moved on.
  await page.clock.install();
  await page.goto(host.url);
  const app = new AppPage(page);
  const card = page.getByRole('region', { name: 'Live database' });
  // An app just added is shown once it is read: only then is the choice of another one the person's.
  await app.addApp(notes);
  await expect(card.locator('h1')).toHaveText('notes');
  await app.addApp(shop);
  await expect(card.locator('h1')).toHaveText('shop');
  const sidebarItem = (name: string) =>
    app.sidebar.getByRole('button').filter({ has: page.locator('.app-name', { hasText: name }) });

  await sidebarItem('notes').click();
  await expect(card.locator('h1')).toHaveText('notes');
  const alert = card.getByTestId('freshness-alert');
  await expect(alert).toHaveText(
    'No recent snapshot. The newest snapshot was taken 4 min ago, more than 2 min.',
  );
  await expect(card.getByTestId('newest-snapshot')).toHaveText('4 min ago');
  await expect(sidebarItem('notes').locator('.app-age')).toHaveText('4 min ago');
  await expect(card.getByTestId('protection')).toContainText('Stale · no schedule');
  await expect(sidebarItem('notes').locator('.dot')).toHaveClass(/health-stale/);
  await app.screenshot('60-ages-agree');

  // Five minutes on: every age moves together, the banner's too (it was the host's sentence, frozen).
  await page.clock.fastForward('05:00');
  await expect(alert).toHaveText(
    'No recent snapshot. The newest snapshot was taken 9 min ago, more than 2 min.',
  );
  await expect(card.getByTestId('newest-snapshot')).toHaveText('9 min ago');
  await expect(sidebarItem('notes').locator('.app-age')).toHaveText('9 min ago');
  await expect(sidebarItem('notes').locator('.dot')).toHaveAttribute(
    'aria-label',
    'The newest snapshot was taken 9 min ago, more than 2 min.',
  );
  await app.screenshot('61-ages-agree-five-minutes-on');

  // shop: the dot is red for the damaged file, and that is the card's first line, not "Fresh" in green.
  await sidebarItem('shop').click();
  await expect(card.locator('h1')).toHaveText('shop');
  await expect(sidebarItem('shop').locator('.dot')).toHaveClass(/health-problem/);
  // The open card's first line after its disclosure (the closed card's summary names it first too).
  const firstLine = card.locator('#live-card-more > :first-child');
  await expect(firstLine).toHaveAttribute('data-testid', 'freshness-alert');
  await expect(firstLine).toHaveText(
    `1 damaged or incomplete file(s) in the backups folder: ${damaged} (corrupt).`,
  );
  await expect(card.getByTestId('protection')).toContainText('Needs attention · no schedule');
  await expect(card.getByTestId('protection')).not.toContainText('Fresh');
  await expect(card.getByTestId('protection').locator('.freshness-state')).toHaveClass(/failing/);
  await app.screenshot('62-damaged-file-first');

  // The fleet says the same: the dot's verdict and the same ages.
  await app.sidebar.getByRole('button', { name: /^Fleet/ }).click();
  const notesRow = page.getByTestId('fleet-row').filter({ hasText: 'notes' });
  await expect(notesRow.locator('td').nth(2)).toHaveText('stale');
  await expect(notesRow.locator('td').nth(3)).toHaveText('9 min ago');
  const shopRow = page.getByTestId('fleet-row').filter({ hasText: 'shop' });
  await expect(shopRow.locator('td').nth(2)).toHaveText('needs attention');
  await app.screenshot('63-fleet-verdicts');
});
