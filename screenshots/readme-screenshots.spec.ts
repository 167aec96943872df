import { expect, test, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { AppPage } from '../e2e/pages/app-page';
import { startHost as startServe } from '../e2e/fixtures';
import { setUpHub } from '../e2e/hub-setup';

/**
 * Every screenshot in the README, from the demo, at a neutral path (/tmp/lifeboat-demo, not a test
 * folder), light and dark, in one run: `npm run screenshots`. It writes docs/screenshots/*.png.
 */
const root = path.resolve(__dirname, '..');
const out = path.join(root, 'docs', 'screenshots');
const dataDir = '/tmp/lifeboat-demo';

let host: ChildProcess | null = null;

async function startHost(): Promise<string> {
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  const child = spawn(
    process.execPath,
    [
      path.join(root, 'bin', 'lifeboat.js'),
      'serve',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--allow',
      dataDir,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  host = child;
  for await (const line of readline.createInterface({ input: child.stdout })) {
    const url = /serving on (http:\/\/\S+)/.exec(line)?.[1];
    if (url !== undefined) {
      return url;
    }
  }
  throw new Error('lifeboat serve exited before printing its URL');
}

async function shoot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(out, { recursive: true });
  await page.screenshot({ path: path.join(out, `${name}.png`) });
}

test.afterAll(() => {
  host?.kill('SIGTERM');
});

test('the README screenshots', async ({ page }) => {
  await page.goto(await startHost());
  const app = new AppPage(page);
  await page.setViewportSize({ width: 1280, height: 800 });
  await expect(app.emptyState).toBeVisible();
  await shoot(page, 'empty-state');

  await app.openDemo();
  await expect(app.rows()).toHaveCount(13);
  await page.setViewportSize({ width: 1400, height: 900 });
  await app.row('manual').click();
  await expect(app.details.getByRole('cell', { name: 'customers' })).toBeVisible();
  await shoot(page, 'app-with-details');

  await page.keyboard.press('Escape');
  await page.getByRole('tab', { name: /Schema/ }).click();
  await expect(page.getByRole('status', { name: 'Schema status' })).toBeVisible();
  await shoot(page, 'schema-view');

  await page.getByRole('tab', { name: 'Snapshots' }).click();
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.setViewportSize({ width: 1920, height: 1080 });
  await app.row('before-upgrade').first().click();
  await expect(app.details.getByRole('cell', { name: 'customers' })).toBeVisible();
  await shoot(page, 'dark-theme');

  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.keyboard.press('Escape');
  await app.row('initial-import').click();
  await app.details.getByRole('button', { name: 'Restore…' }).click();
  await expect(app.dialog.getByRole('button', { name: 'Restore', exact: true })).toBeEnabled();
  await expect(app.dialog.getByTestId('row-changes')).toBeVisible();
  await shoot(page, 'restore-preview');
  await page.setViewportSize({ width: 1280, height: 900 });
  await app.dialog.getByRole('button', { name: 'See the rows…' }).click();
  await app.dialog.getByRole('button', { name: /^customers/ }).click();
  await shoot(page, 'compare-with-live');
  await app.dialog.getByRole('button', { name: 'Close', exact: true }).click();
  await page.setViewportSize({ width: 1024, height: 700 });

  await page.setViewportSize({ width: 1280, height: 800 });
  await app.dialog.getByRole('button', { name: 'Restore', exact: true }).click();
  await expect(app.dialog.getByRole('status').filter({ hasText: /^Restored./ })).toBeVisible({
    timeout: 60_000,
  });
  await shoot(page, 'restore-done');
  await app.dialog.getByRole('button', { name: 'Close' }).click();

  await page.getByRole('tab', { name: 'Activity' }).click();
  await expect(page.getByRole('tabpanel', { name: 'Activity' })).toContainText('Restore');
  await shoot(page, 'activity');

  await page.getByRole('tab', { name: 'Snapshots' }).click();
  await page.setViewportSize({ width: 1280, height: 800 });
  await app.row('nightly').first().click();
  await app.details.getByRole('button', { name: 'Browse…' }).click();
  await app.dialog.getByLabel('Table').selectOption('orders');
  await expect(app.dialog.getByTestId('browse-range')).toBeVisible();
  await shoot(page, 'browse');
  await app.dialog.getByRole('button', { name: 'Close', exact: true }).click();

  // Offsite: a folder target in the demo's lifeboat.json, one push, then what the target holds.
  const nas = path.join(dataDir, 'nas');
  fs.mkdirSync(nas, { recursive: true });
  fs.writeFileSync(
    path.join(dataDir, 'demo', 'corner-shop', 'lifeboat.json'),
    JSON.stringify({ offsite: [{ name: 'nas', url: `file://${nas}`, gzip: true }] }),
  );
  await page.reload();
  const offsite = page.getByTestId('offsite');
  await offsite.getByRole('button', { name: 'Send offsite now' }).click();
  await expect(offsite).toContainText(/nas: ([1-9]\d*) of \1 /);
  await shoot(page, 'offsite-marks');
  await offsite.getByRole('button', { name: 'Restore from offsite…' }).click();
  await app.dialog.getByRole('radio').nth(1).check();
  await shoot(page, 'restore-from-offsite');
  await app.dialog.getByRole('button', { name: 'Cancel' }).click();

  // Last: saving a schedule runs it, and its retention then thins the demo's snapshots.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByRole('button', { name: 'Change the schedule and retention' }).click();
  await app.dialog.getByLabel('Scheduled snapshots').selectOption('daily');
  await app.dialog.getByLabel('Daily', { exact: true }).fill('3');
  await app.dialog.getByLabel('Weekly').fill('2');
  await app.dialog.getByLabel('Monthly').fill('2');
  await expect(app.dialog.getByTestId('retention-preview')).toBeVisible();
  await shoot(page, 'retention-preview');
});

test('the README screenshot of the fleet', async ({ page }) => {
  // Two hosts (Debian's sshd on 127.0.0.1, each with this checkout's Lifeboat) and one that is off.
  const dir = '/tmp/lifeboat-hub';
  fs.rmSync(dir, { recursive: true, force: true });
  const hub = await setUpHub(dir, { nas: ['paperless', 'jellyfin'], vps: ['vaultwarden', 'uptime-kuma'] });
  const started = await startServe(hub.dataDir, path.join(dir, 'work'), hub.env);
  try {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(started.url);
    const app = new AppPage(page);
    await app.sidebar.getByRole('button', { name: /vaultwarden/ }).click();
    await (await app.startSnapshot('nightly')).waitFor({ state: 'hidden' });
    await app.sidebar.getByRole('button', { name: /Fleet/ }).click();
    const fleet = page.getByRole('table', { name: 'Every app on every host' });
    await expect(fleet.getByTestId('fleet-row')).toHaveCount(4);
    await expect(fleet).not.toContainText('…');
    await shoot(page, 'fleet');
  } finally {
    started.child.kill('SIGTERM');
    await hub.stop();
  }
});
