import * as fs from 'node:fs';
import * as path from 'node:path';
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
  fs.rmSync(path.join(demo, 'backups', lost ?? ''));
  await expect(app.row('initial-import')).toHaveCount(0);

  await offsite.getByRole('button', { name: 'Restore from offsite…' }).click();
  const list = app.dialog.getByRole('radiogroup', { name: 'Snapshots on nas' });
  await expect(list.getByRole('radio')).toHaveCount(12);
  await list.locator('label', { hasText: 'initial-import' }).getByRole('radio').check();
  await app.screenshot('31-restore-from-offsite');
  await app.dialog.getByRole('button', { name: 'Bring back and restore…' }).click();
  await expect(app.dialog.getByRole('heading', { name: `Restore ${lost ?? ''}` })).toBeVisible();
  await expect(app.row('initial-import')).toHaveCount(1);
  await app.dialog.getByRole('button', { name: 'Restore', exact: true }).click();
  await expect(app.dialog.getByRole('status')).toContainText('Restored.');
  await expect(app.dialog).toContainText('Pre-restore snapshot (pinned)');
});
