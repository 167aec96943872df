import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator } from '@playwright/test';
import { giveToAppUser, hostileUserSkip } from '../electron/testing/hostile-user';
import { bin, expect, test, type Host } from './fixtures';
import type { AppPage } from './pages/app-page';

/**
 * Issue #31, item 9: the snapshot list is the main job of the main screen. Whatever the live card
 * holds, at 1024×700 and 1280×800 at least eight rows are on screen, whole.
 */

/** Fills the demo's card with everything it can hold: the last restore's note, the banner of an
 * interrupted restore, and the notice of a lifeboat.json that is ignored (its user is not Lifeboat's). */
function fillTheCard(host: Host): void {
  const dir = path.join(host.dataDir, 'demo', 'corner-shop');
  const db = path.join(dir, 'shop.db');
  const backups = path.join(dir, 'backups');
  const snapshot = (label: string): string =>
    fs.readdirSync(backups).find((name) => name.endsWith(`-${label}.db`)) ?? '';
  const restored = spawnSync(
    process.execPath,
    [bin, 'restore', snapshot('initial-import'), '--db', db, '--yes'],
    {
      encoding: 'utf8',
    },
  );
  expect(restored.status, restored.stderr).toBe(0);
  // The second restore's process dies right after the live file was set aside (a test-only hook).
  const killed = spawnSync(process.execPath, [bin, 'restore', snapshot('nightly'), '--db', db, '--yes'], {
    env: { ...process.env, LIFEBOAT_TEST_KILL_AT: 'put-in-place' },
  });
  expect(killed.signal).toBe('SIGKILL');
  const file = path.join(dir, 'lifeboat.json');
  fs.writeFileSync(file, JSON.stringify({ schedule: { every: '6h' } }));
  giveToAppUser(file);
}

/** That at least `count` rows of the table are wholly inside both the table's scrolling body and the window. */
async function expectRowsInView(app: AppPage, count: number): Promise<void> {
  const viewport = app.page.viewportSize();
  const body = await app.grid.locator('.grid-body').boundingBox();
  if (viewport === null || body === null) throw new Error('no viewport or no table body');
  const top = Math.max(body.y, 0);
  const bottom = Math.min(body.y + body.height, viewport.height);
  const rows = app.rows();
  await expect(rows.nth(count - 1)).toBeAttached();
  let whole = 0;
  for (const row of await rows.all()) {
    const box = await row.boundingBox();
    if (box !== null && box.y >= top - 0.5 && box.y + box.height <= bottom + 0.5) {
      whole += 1;
    }
  }
  expect(whole, `rows wholly on screen at ${viewport.width}×${viewport.height}`).toBeGreaterThanOrEqual(
    count,
  );
}

/** The first row's cells, by column (a narrow table hides the note, so by aria-colindex, not by position). */
async function expectFirstRow(app: AppPage): Promise<void> {
  const cell = (column: number): Locator => app.rows().first().locator(`[aria-colindex="${column}"]`);
  await expect(cell(1)).toHaveText(/^(just now|\d+ (s|min) ago)$/);
  await expect(cell(2)).toHaveText('pre-restore');
  await expect(cell(2).getByRole('img', { name: 'Pinned' })).toBeVisible();
  await expect(cell(4)).toHaveText(/^\d+(\.\d+)? KiB$/);
  await expect(cell(5)).toHaveText('Verified');
}

function card(app: AppPage): Locator {
  return app.page.getByRole('region', { name: 'Live database' });
}

test('at 1024×700 a full live card closes to one line and the list shows eight whole rows; the details float over it', async ({
  app,
  host,
}) => {
  test.skip(hostileUserSkip !== false, hostileUserSkip || '');
  // Two restores by the command line, three reloads: more than a minute on a busy machine.
  test.setTimeout(180_000);
  await app.page.setViewportSize({ width: 1024, height: 700 });
  await app.openDemo();
  fillTheCard(host);
  await app.page.reload();
  const live = card(app);
  const disclosure = live.getByRole('button', { name: 'Show details' });
  // A short window: the card opens closed, one line naming what needs attention first.
  await expect(disclosure).toHaveAttribute('aria-expanded', 'false');
  const summary = live.getByTestId('card-summary');
  await expect(summary).toContainText(
    /^Restore interrupted · lifeboat\.json ignored · restored \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} from shop-\d{8}-\d{6}-initial-import\.db · /,
  );
  const summaryBox = await summary.boundingBox();
  expect(summaryBox?.height ?? 99, 'the summary is one line').toBeLessThan(30);
  // What cannot wait is still one click away on that line.
  await expect(live.getByRole('button', { name: 'Finish the restore' })).toBeVisible();
  await expect(live.getByRole('button', { name: 'Roll back' })).toBeVisible();
  await expect(live.getByTestId('settings-ignored')).toBeHidden();
  await expectRowsInView(app, 8);
  await expectFirstRow(app);
  await app.screenshot('60-layout-1024-closed');

  // The disclosure opens the rest, from the keyboard too, and the list still keeps its eight rows.
  await disclosure.focus();
  await app.page.keyboard.press('Enter');
  const hide = live.getByRole('button', { name: 'Hide details' });
  await expect(hide).toHaveAttribute('aria-expanded', 'true');
  await expect(live.getByTestId('last-restore')).toContainText(
    /^Restored .* from shop-.*initial-import\.db\./,
  );
  await expect(live.getByRole('alert')).toContainText('A restore was interrupted');
  await expect(live.getByTestId('settings-ignored')).toContainText('Its lifeboat.json is ignored');
  await expect(summary).toHaveCount(0);
  // Opened by choice on a short window: the card takes a little more room, and scrolls within it.
  await expectRowsInView(app, 5);
  await app.screenshot('61-layout-1024-open');
  // The card scrolls within itself to what is below.
  await live.getByTestId('protection').scrollIntoViewIfNeeded();
  await expect(live.getByTestId('protection')).toBeInViewport();

  // Remembered: after a reload the card is as the person left it.
  await app.page.reload();
  await expect(card(app).getByRole('button', { name: 'Hide details' })).toHaveAttribute(
    'aria-expanded',
    'true',
  );
  await card(app).getByRole('button', { name: 'Hide details' }).click();
  await app.page.reload();
  await expect(card(app).getByRole('button', { name: 'Show details' })).toHaveAttribute(
    'aria-expanded',
    'false',
  );

  // Below 1200 px the details float over the list: the table keeps its width and its rows.
  const before = await app.grid.boundingBox();
  await app.rows().first().click();
  await expect(app.details).toBeVisible();
  const after = await app.grid.boundingBox();
  expect(after?.width).toBe(before?.width);
  const details = await app.details.boundingBox();
  expect((details?.x ?? 0) + (details?.width ?? 0)).toBeLessThanOrEqual(
    (after?.x ?? 0) + (after?.width ?? 0) + 1,
  );
  expect(details?.x ?? 0).toBeGreaterThan(after?.x ?? 0);
  await expectRowsInView(app, 8);
  await app.screenshot('62-layout-1024-details-overlay');
  await app.page.emulateMedia({ colorScheme: 'dark' });
  await app.screenshot('62-layout-1024-details-overlay-dark');
});

test('at 1280×800 the open live card with everything in it leaves eight whole rows', async ({
  app,
  host,
}) => {
  test.skip(hostileUserSkip !== false, hostileUserSkip || '');
  await app.openDemo();
  fillTheCard(host);
  await app.page.reload();
  const live = card(app);
  // A taller window opens the card, and it scrolls within itself rather than push the list down.
  await expect(live.getByRole('button', { name: 'Hide details' })).toHaveAttribute('aria-expanded', 'true');
  await expect(live.getByTestId('settings-ignored')).toBeAttached();
  // What cannot wait comes first, on screen without scrolling the card.
  await expect(live.getByRole('button', { name: 'Finish the restore' })).toBeInViewport({ ratio: 1 });
  await expectRowsInView(app, 8);
  await expectFirstRow(app);
  await app.screenshot('63-layout-1280-open');
  // The details sit beside the list here, not over it.
  await app.rows().first().click();
  const grid = await app.grid.boundingBox();
  const details = await app.details.boundingBox();
  expect(details?.x ?? 0).toBeGreaterThanOrEqual((grid?.x ?? 0) + (grid?.width ?? 0));
  await expectRowsInView(app, 8);
  await app.page.emulateMedia({ colorScheme: 'dark' });
  await app.screenshot('63-layout-1280-details-dark');
});
