import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppPage } from './pages/app-page';
import { expect, startHost, test } from './fixtures';

/**
 * Every job from the page (#31 item 13): a plain lifeboat serve says before the form is filled in that
 * it cannot save an offsite target, and gives the lifeboat.json to write and what to write in it;
 * `lifeboat serve --admin` saves it.
 */
test('offsite target on a plain serve: the path and a fragment to paste, before anything is saved', async ({
  app,
  host,
  context,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await app.page.setViewportSize({ width: 1024, height: 700 });
  await app.openDemo();
  const file = path.join(host.dataDir, 'demo', 'corner-shop', 'lifeboat.json');
  const nas = path.join(host.workDir, 'nas');
  const card = app.page.getByRole('region', { name: 'Live database' });
  // At 700 px the live card opens closed, as one line: its details first.
  await card.getByRole('button', { name: 'Show details' }).click();
  await card.getByRole('button', { name: 'Change where snapshots are sent offsite' }).click();
  // Said first, before a field is filled in: the page cannot save, and which file to write instead.
  await expect(app.dialog.getByTestId('offsite-read-only')).toContainText(
    'This page cannot save offsite targets: lifeboat serve was started without --admin',
  );
  await expect(app.dialog.getByTestId('settings-path')).toHaveText(file);
  await expect(app.dialog.getByTestId('settings-path-ignored')).toHaveCount(0);
  await expect(app.dialog.getByRole('button', { name: 'Save' })).toHaveCount(0);
  await app.screenshot('59-offsite-refused-first-1024');
  await app.dialog.getByLabel('Name').fill('nas');
  await app.dialog.getByLabel('Address').fill(`file://${nas}`);
  await app.dialog.getByRole('group', { name: 'Keep on nas' }).getByLabel('Daily').fill('14');
  const fragment = app.dialog.getByTestId('offsite-fragment');
  await expect(fragment).toContainText('"name": "nas"');
  const written = JSON.parse((await fragment.textContent()) ?? '') as unknown;
  expect(written).toEqual({
    offsite: [{ name: 'nas', url: `file://${nas}`, gzip: true, retention: { keepDaily: 14 } }],
  });
  await app.dialog.getByRole('button', { name: 'Copy' }).click();
  await expect(app.dialog.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await app.page.evaluate(() => navigator.clipboard.readText())).toBe(await fragment.textContent());
  await app.screenshot('60-offsite-fragment-1024');
  await app.dialog.getByRole('button', { name: 'Close' }).click();
  expect(fs.existsSync(file)).toBe(false);

  // Written where the page said, the target is the app's, read from that file.
  fs.writeFileSync(file, (await app.page.evaluate(() => navigator.clipboard.readText())) ?? '');
  await app.page.reload();
  await expect(card.getByTestId('offsite')).toContainText('nas: 0 of 12');
});

test('offsite target with lifeboat serve --admin: said on the page, and saved from it', async ({
  page,
}, testInfo) => {
  const dataDir = testInfo.outputPath('data');
  const workDir = testInfo.outputPath('work');
  const nas = path.join(workDir, 'nas');
  const { url, child } = await startHost(dataDir, workDir, {}, ['--admin']);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.goto(url);
    const app = new AppPage(page);
    await app.openDemo();
    await expect(page.getByTestId('admin-banner')).toContainText(
      'Admin mode (lifeboat serve --admin). This page can make the server run commands',
    );
    const card = page.getByRole('region', { name: 'Live database' });
    // At 700 px the live card opens closed, as one line: its details first.
    await card.getByRole('button', { name: 'Show details' }).click();
    await card.getByRole('button', { name: 'Change where snapshots are sent offsite' }).click();
    await expect(app.dialog.getByTestId('offsite-read-only')).toHaveCount(0);
    await expect(app.dialog).toContainText('No target yet');
    await app.dialog.getByRole('button', { name: 'Add a target' }).click();
    await app.dialog.getByLabel('Name').fill('nas');
    await app.dialog.getByLabel('Address').fill(`file://${nas}`);
    await app.screenshot('61-offsite-admin-1024');
    await app.dialog.getByRole('button', { name: 'Save' }).click();
    await expect(app.dialog).toHaveCount(0);
    await expect(card.getByTestId('offsite')).toContainText('nas: 0 of 12');
    const settings = JSON.parse(fs.readFileSync(path.join(dataDir, 'settings.json'), 'utf8')) as {
      apps: { offsite?: unknown }[];
    };
    expect(settings.apps[0]?.offsite).toEqual([{ name: 'nas', url: `file://${nas}`, gzip: true }]);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
});
