import * as fs from 'node:fs';
import * as path from 'node:path';
import { contentDigest, sidecarsWithPages, snapshotRowsDigest } from '../electron/testing/fixtures';
import { expect, test } from './fixtures';

test('offsite: send the demo shop to a folder target, see each snapshot marked, then restore one from the target', async ({
  app,
  host,
}) => {
  await app.openDemo();
  const demo = path.join(host.dataDir, 'demo', 'corner-shop');
  const nas = path.join(host.workDir, 'nas');
  fs.mkdirSync(nas, { recursive: true });
  fs.writeFileSync(
    path.join(demo, 'lifeboat.json'),
    JSON.stringify({ offsite: [{ name: 'nas', url: `file://${nas}`, gzip: true }] }),
  );
  await app.page.reload();
  const card = app.page.getByRole('region', { name: 'Live database' });
  const offsite = card.getByTestId('offsite');
  await expect(offsite).toContainText('nas: 0 of 12');
  await expect(app.row('manual').getByRole('img', { name: 'Offsite: 0 of 1 targets hold it' })).toBeVisible();

  // Through lifeboat serve the targets are shown, never changed.
  await card.getByRole('button', { name: 'Change where snapshots are sent offsite' }).click();
  await expect(app.dialog.getByTestId('offsite-read-only')).toBeVisible();
  await expect(app.dialog).toContainText(`nas file://${nas}`);
  await app.dialog.getByRole('button', { name: 'Close' }).click();

  await offsite.getByRole('button', { name: 'Send offsite now' }).click();
  await expect(offsite).toContainText('nas: 12 of 12');
  await expect(app.row('manual').getByRole('img', { name: 'Offsite: 1 of 1 targets hold it' })).toBeVisible();
  // The unverified file made by hand is not sent, and its mark says why.
  await expect(
    app.row('pre-deploy').getByRole('img', { name: 'Offsite: 0 of 1 targets hold it' }),
  ).toBeVisible();
  await app.row('manual').click();
  await expect(app.details.getByTestId('detail-offsite')).toHaveText('nas: held');
  await app.screenshot('30-offsite-marks');

  // The disk loses a snapshot; the target still has it.
  const lost = fs.readdirSync(path.join(demo, 'backups')).find((name) => name.includes('initial-import'));
  expect(lost).toBeDefined();
  const lostPath = path.join(demo, 'backups', lost ?? '');
  const lostContent = contentDigest(lostPath);
  fs.rmSync(lostPath);
  await expect(app.row('initial-import')).toHaveCount(0);

  await offsite.getByRole('button', { name: 'Restore from offsite…' }).click();
  const list = app.dialog.getByRole('radiogroup', { name: 'Snapshots on nas' });
  await expect(list.getByRole('radio')).toHaveCount(12);
  await list.locator('label', { hasText: 'initial-import' }).getByRole('radio').check();
  await app.screenshot('31-restore-from-offsite');
  // The pull's answer is held back until the pull has ended (its file is listed again): a fast target's
  // end is heard before the job's id comes back, and the restore must open all the same.
  await app.page.route('**/api/offsite:pull', async (route) => {
    const response = await route.fetch();
    await expect(app.row('initial-import')).toHaveCount(1);
    await route.fulfill({ response });
  });
  await app.dialog.getByRole('button', { name: 'Bring back and restore…' }).click();
  await expect(app.dialog.getByRole('heading', { name: `Restore ${lost ?? ''}` })).toBeVisible();
  await expect(app.row('initial-import')).toHaveCount(1);
  await app.dialog.getByRole('button', { name: 'Restore', exact: true }).click();
  await expect(app.dialog.getByRole('status')).toContainText('Restored.');
  await expect(app.dialog).toContainText('Pre-restore snapshot (pinned)');
  // The copy brought back is the snapshot that was lost, and the live database holds its rows.
  expect(contentDigest(lostPath)).toBe(lostContent);
  const live = path.join(demo, 'shop.db');
  expect(sidecarsWithPages(live)).toEqual([]);
  expect(snapshotRowsDigest(live, lostPath)).toBe(snapshotRowsDigest(lostPath, lostPath));
});

test("offsite: the desktop app's target editor checks what is typed, and the web host still refuses to save it", async ({
  app,
}) => {
  // The desktop app may edit targets and keep keys; through lifeboat serve the page is told it may not.
  // Here the page is told it may (the answer rewritten on its way), to show and check the editor's form.
  await app.page.route('**/api/apps:list', async (route) => {
    const response = await route.fetch();
    const body = (await response.json()) as { ok: boolean; value?: { host: object } };
    if (body.ok && body.value !== undefined) {
      body.value.host = { editOffsite: true, keepsKeys: true };
    }
    await route.fulfill({ response, json: body });
  });
  await app.openDemo();
  const card = app.page.getByRole('region', { name: 'Live database' });
  await expect(card.getByTestId('offsite')).toContainText('only on this machine');
  await card.getByRole('button', { name: 'Change where snapshots are sent offsite' }).click();
  const dialog = app.dialog;
  await expect(dialog).toContainText('No target yet');
  await dialog.getByRole('button', { name: 'Add a target' }).click();
  await dialog.getByLabel('Name').fill('r2');
  await dialog
    .getByLabel('Address')
    .fill('s3://shop-backups/lifeboat?endpoint=https://acc.r2.cloudflarestorage.com&region=auto');
  await expect(dialog.getByLabel('Access key ID')).toBeVisible();
  await dialog.getByLabel('Access key ID').fill('AKIAEXAMPLE');
  await dialog.getByLabel('Secret access key').fill('not-shown');
  await dialog.getByLabel('Encrypt to (age recipients, optional)').fill('not-a-recipient');
  await dialog.getByRole('group', { name: 'Keep on r2' }).getByLabel('Daily').fill('14');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toContainText('r2: Encrypt to: each must be an age recipient');
  await dialog
    .getByLabel('Encrypt to (age recipients, optional)')
    .fill('age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p');
  await app.screenshot('32-offsite-target-editor');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toContainText('Offsite targets cannot be set through lifeboat serve');
});
