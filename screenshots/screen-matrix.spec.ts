import { expect, test, type Page } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppPage } from '../e2e/pages/app-page';
import { startHost } from '../e2e/fixtures';

/**
 * Every screen at 1024×700 and 1280×800 (the main screen at 1920×1080 too), light and dark, to look
 * at for anything cut, hidden or overlapping (#31): `npm run screenshots -- screen-matrix`. It writes
 * test-results/screen-matrix/<screen>-<width>x<height>-<theme>.png.
 */
const out = path.resolve(__dirname, '..', 'test-results', 'screen-matrix');
const small = { width: 1024, height: 700 };
const medium = { width: 1280, height: 800 };
const large = { width: 1920, height: 1080 };

/** Shoots what is on screen at each size, in each theme, and leaves the page light at 1280×800. */
async function shootAll(page: Page, name: string, sizes = [small, medium]): Promise<void> {
  fs.mkdirSync(out, { recursive: true });
  for (const size of sizes) {
    await page.setViewportSize(size);
    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await page.screenshot({ path: path.join(out, `${name}-${size.width}x${size.height}-${theme}.png`) });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(medium);
}

test('every screen at 1024×700 and 1280×800, light and dark', async ({ page }, testInfo) => {
  test.setTimeout(600_000);
  const dataDir = testInfo.outputPath('data');
  const workDir = testInfo.outputPath('work');
  const { url, child } = await startHost(dataDir, workDir);
  try {
    await page.setViewportSize(medium);
    await page.goto(url);
    const app = new AppPage(page);
    await expect(app.emptyState).toBeVisible();
    await shootAll(page, 'first-run');

    await app.openDemo();
    await expect(app.rows()).toHaveCount(13);
    await shootAll(page, 'main', [small, medium, large]);
    await app.row('manual').click();
    await expect(app.details.getByRole('cell', { name: 'customers' })).toBeVisible();
    await shootAll(page, 'main-details', [small, medium, large]);
    await page.keyboard.press('Escape');

    const card = page.getByRole('region', { name: 'Live database' });
    const dialogs: readonly [string, () => Promise<void>][] = [
      ['snapshot-dialog', () => app.snapshotNow.click()],
      ['add-app-dialog', () => app.sidebar.getByRole('button', { name: '+ Add an app' }).click()],
      ['remove-app-dialog', () => card.getByRole('button', { name: 'Remove app…' }).click()],
      [
        'migrations-dialog',
        () => card.getByRole('button', { name: 'Change where the migrations are' }).click(),
      ],
      [
        'run-settings-dialog',
        () =>
          card.getByRole('button', { name: 'Change how the app is stopped, started and upgraded' }).click(),
      ],
      [
        'automation-dialog',
        () => card.getByRole('button', { name: 'Change the schedule and retention' }).click(),
      ],
      [
        'offsite-dialog',
        () => card.getByRole('button', { name: 'Change where snapshots are sent offsite' }).click(),
      ],
    ];
    for (const [name, open] of dialogs) {
      await open();
      await expect(app.dialog).toBeVisible();
      await shootAll(page, name);
      await page.keyboard.press('Escape');
      await expect(app.dialog).toBeHidden();
    }

    await page.getByRole('tab', { name: /Schema/ }).click();
    await expect(page.getByRole('status', { name: 'Schema status' })).toBeVisible();
    await shootAll(page, 'schema');
    await page.getByRole('tab', { name: 'Snapshots' }).click();

    await app.row('nightly').first().click();
    await app.details.getByRole('button', { name: 'Browse…' }).click();
    await app.dialog.getByLabel('Table').selectOption('orders');
    await expect(app.dialog.getByTestId('browse-range')).toBeVisible();
    await shootAll(page, 'browse');
    await app.dialog.getByRole('button', { name: 'Close', exact: true }).click();

    await app.details.getByRole('button', { name: 'Restore as a copy…' }).click();
    await expect(app.dialog).toBeVisible();
    await shootAll(page, 'copy-dialog');
    await page.keyboard.press('Escape');

    await app.details.getByRole('button', { name: 'Delete…' }).click();
    await expect(app.dialog).toBeVisible();
    await shootAll(page, 'delete-dialog');
    await page.keyboard.press('Escape');

    await app.details.getByLabel('Compare with').selectOption({ label: 'the live database' });
    await app.dialog.getByRole('button', { name: /^customers/ }).click();
    await shootAll(page, 'compare');
    await app.dialog.getByRole('button', { name: 'Close', exact: true }).click();

    await page.keyboard.press('Escape');
    await app.row('initial-import').click();
    await app.details.getByRole('button', { name: 'Restore…' }).click();
    await expect(app.dialog.getByRole('button', { name: 'Restore', exact: true })).toBeEnabled();
    await expect(app.dialog.getByTestId('row-changes')).toBeVisible();
    await shootAll(page, 'restore-preview');
    await app.dialog.getByRole('button', { name: 'Rehearse' }).click();
    await expect(app.dialog.getByRole('status')).toContainText('Rehearsal passed');
    await shootAll(page, 'restore-rehearsal');
    await app.dialog.getByRole('button', { name: 'Back to the restore' }).click();
    await app.dialog.getByRole('button', { name: 'Restore', exact: true }).click();
    await expect(app.dialog.getByRole('status').filter({ hasText: /^Restored./ })).toBeVisible({
      timeout: 60_000,
    });
    await shootAll(page, 'restore-done');
    await app.dialog.getByRole('button', { name: 'Close' }).click();
    await shootAll(page, 'main-after-restore', [small, medium, large]);

    await page.getByRole('tab', { name: 'Activity' }).click();
    await expect(page.getByRole('tabpanel', { name: 'Activity' })).toContainText('Restore');
    await shootAll(page, 'activity');
    await page.getByRole('tab', { name: 'Snapshots' }).click();

    await app.sidebar.getByRole('button', { name: /Fleet/ }).click();
    await expect(page.getByRole('table', { name: 'Every app on every host' })).toBeVisible();
    await shootAll(page, 'fleet');
  } finally {
    child.kill('SIGTERM');
  }
});
