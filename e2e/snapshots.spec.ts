import * as fs from 'node:fs';
import * as path from 'node:path';
import { createLiveDatabase } from '../electron/testing/fixtures';
import { expect, test } from './fixtures';

test('first run explains Lifeboat and offers the ways in', async ({ app }) => {
  await expect(app.emptyState).toBeVisible();
  await expect(app.page.getByRole('button', { name: 'Add an app…' })).toBeVisible();
  await expect(app.page.getByRole('button', { name: 'Open the demo' })).toBeVisible();
  await app.screenshot('01-empty-state');
});

test('add an app by path, see its snapshots, take one with a label and see it verified', async ({
  app,
  host,
}) => {
  fs.mkdirSync(host.workDir, { recursive: true });
  const databasePath = path.join(host.workDir, 'app.db');
  createLiveDatabase(databasePath, 'wal', 2 * 1024 * 1024);
  // A snapshot made earlier by a backup script in the same naming convention.
  fs.mkdirSync(path.join(host.workDir, 'backups'));
  fs.copyFileSync(databasePath, path.join(host.workDir, 'backups', 'app-20260101-020000-nightly.db'));

  await app.addApp(databasePath);
  await expect(app.sidebar.getByRole('button', { name: /work/ })).toBeVisible();
  await expect(app.row('nightly')).toHaveCount(1);
  await expect(app.cell('nightly', 'Status')).toHaveText('Unverified');
  await expect(app.page.getByRole('region', { name: 'Live database' })).toContainText('wal');

  const dialog = await app.startSnapshot('before-upgrade', 'Before v2');
  await expect(dialog).toBeHidden();
  const row = app.row('before-upgrade');
  await expect(row).toHaveCount(1);
  await expect(app.cell('before-upgrade', 'Status')).toHaveText('Verified');
  await expect(row).toContainText('Before v2');
  await expect(app.rows()).toHaveCount(2);
  const files = fs.readdirSync(path.join(host.workDir, 'backups')).filter((n) => n.endsWith('.db'));
  expect(files.some((n) => /^app-\d{8}-\d{6}-before-upgrade\.db$/.test(n))).toBe(true);
  await app.screenshot('02-app-with-snapshots');

  await row.click();
  await expect(app.details).toContainText('SHA-256');
  await expect(app.details.getByRole('cell', { name: 'accounts' })).toBeVisible();
  await expect(app.details.getByRole('cell', { name: '100', exact: true })).toBeVisible();
  await app.screenshot('03-detail-panel');
});

test('the snapshot dialog shows progress and cancelling leaves no file', async ({ app, host }) => {
  // Writing the 1 GiB database alone takes most of a minute on a busy 2-core machine (58 s seen in CI).
  test.setTimeout(180_000);
  fs.mkdirSync(host.workDir, { recursive: true });
  const databasePath = path.join(host.workDir, 'big.db');
  // Large enough (1 GiB) that the copy is still running when Cancel is pressed.
  createLiveDatabase(databasePath, 'delete', 1024 * 1024 * 1024);
  await app.addApp(databasePath);
  await expect(app.page.getByText('No snapshots yet.')).toBeVisible();

  const dialog = await app.startSnapshot('will-cancel');
  await expect(dialog.getByRole('progressbar', { name: 'Snapshot progress' })).toBeVisible();
  await expect(dialog).toContainText('Copying pages');
  // How much is copied, of how much, and (once there is enough to go by) how long is left.
  await expect(dialog.getByTestId('snapshot-amount')).toContainText(/ of 1\.0 GiB/);
  await app.screenshot('04-snapshot-progress');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toContainText('Nothing was kept');
  const backups = path.join(host.workDir, 'backups');
  expect(fs.existsSync(backups) ? fs.readdirSync(backups).filter((n) => n !== '.lifeboat') : []).toEqual([]);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(app.page.getByText('No snapshots yet.')).toBeVisible();
});

test('a hostile file in the backups folder shows its status', async ({ app, host }) => {
  fs.mkdirSync(path.join(host.workDir, 'backups'), { recursive: true });
  const databasePath = path.join(host.workDir, 'app.db');
  createLiveDatabase(databasePath, 'delete', 64 * 1024);
  fs.writeFileSync(
    path.join(host.workDir, 'backups', 'app-20260101-000000-garbage.db'),
    'not a database at all',
  );
  fs.writeFileSync(path.join(host.workDir, 'backups', 'app-20260102-000000-empty.db'), '');
  await app.addApp(databasePath);
  await expect(app.cell('garbage', 'Status')).toHaveText('Not a database');
  await expect(app.cell('empty', 'Status')).toHaveText('Incomplete');
  await expect(app.sidebar.getByRole('img', { name: /damaged or incomplete/ })).toBeVisible();
});

test('the demo opens with its snapshots, filters by label, and works in the dark theme', async ({ app }) => {
  await app.openDemo();
  await expect(app.rows()).toHaveCount(13);
  // Times read as ages within the last week and as dates beyond it (never "31 days ago").
  await expect(app.rows().first().getByRole('gridcell').first()).toHaveText(/ ago$/);
  await expect(app.rows().last().getByRole('gridcell').first()).toHaveText(
    /^\d{1,2} [A-Z][a-z]{2}( \d{4})?$/,
  );
  await app.filter.fill('before-upgrade');
  await expect(app.rows()).toHaveCount(2);
  await app.filter.fill('');
  await app.page.emulateMedia({ colorScheme: 'dark' });
  await app.rows().first().click();
  await expect(app.details.getByRole('cell', { name: 'customers' })).toBeVisible();
  await app.screenshot('05-dark-theme');
});

test('keyboard: shortcuts open the snapshot dialog and move through the table', async ({ app }) => {
  await app.openDemo();
  await app.grid.focus();
  await app.page.keyboard.press('ArrowDown');
  await app.page.keyboard.press('Enter');
  await expect(app.details).toBeVisible();
  await app.page.keyboard.press('Escape');
  await expect(app.details).toBeHidden();
  await app.page.keyboard.press('Control+n');
  await expect(app.dialog.getByLabel('Label')).toBeFocused();
  await app.page.keyboard.press('Escape');
  await expect(app.dialog).toBeHidden();
  await app.page.keyboard.press('/');
  await expect(app.filter).toBeFocused();
  // A dialog gives the focus back to what opened it.
  await expect(app.dialog).toBeHidden();
  await app.snapshotNow.focus();
  await app.page.keyboard.press('Enter');
  await expect(app.dialog.getByLabel('Label')).toBeFocused();
  await app.page.keyboard.press('Escape');
  await expect(app.snapshotNow).toBeFocused();
  await app.rows().first().click();
  const restore = app.details.getByRole('button', { name: 'Restore…' });
  await restore.focus();
  await app.page.keyboard.press('Enter');
  await expect(app.dialog.getByRole('button', { name: 'Cancel' })).toBeVisible();
  await app.dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(restore).toBeFocused();
  // The keyboard's row stands out by its ring, the open one by its bar.
  await app.grid.focus();
  await app.page.keyboard.press('ArrowDown');
  await expect(app.rows().nth(1)).toHaveCSS('box-shadow', /inset/);
  await app.screenshot('18-keyboard-row');
});

test('the host refuses requests without its token or from another origin', async ({ host, playwright }) => {
  const anonymous = await playwright.request.newContext();
  expect((await anonymous.post(`${host.origin}/api/apps:list`, { data: {} })).status()).toBe(401);
  expect((await anonymous.get(`${host.origin}/`)).status()).toBe(401);
  const token = new URL(host.url).searchParams.get('token') ?? '';
  const withToken = await playwright.request.newContext({
    extraHTTPHeaders: { Authorization: `Bearer ${token}` },
  });
  expect((await withToken.post(`${host.origin}/api/apps:list`, { data: {} })).status()).toBe(200);
  const rebinding = await withToken.post(`${host.origin}/api/apps:list`, {
    data: {},
    headers: { Host: 'attacker.example' },
  });
  expect(rebinding.status()).toBe(403);
  const crossSite = await withToken.post(`${host.origin}/api/apps:list`, {
    data: {},
    headers: { Origin: 'http://attacker.example' },
  });
  expect(crossSite.status()).toBe(403);
  await anonymous.dispose();
  await withToken.dispose();
});

test('10,000 snapshots: the table renders only the visible rows and the keyboard reaches the last one', async ({
  app,
  host,
}) => {
  // Writing and listing 10,000 files is slow on a loaded machine: more time, still waiting for conditions.
  test.slow();
  const backups = path.join(host.workDir, 'backups');
  fs.mkdirSync(backups, { recursive: true });
  const databasePath = path.join(host.workDir, 'app.db');
  createLiveDatabase(databasePath, 'delete', 16 * 1024);
  const image = fs.readFileSync(databasePath);
  const start = new Date(2025, 0, 1).getTime();
  for (let i = 0; i < 10_000; i += 1) {
    const stamp = new Date(start + i * 3600_000);
    const p = (n: number): string => String(n).padStart(2, '0');
    const name = `app-${stamp.getFullYear()}${p(stamp.getMonth() + 1)}${p(stamp.getDate())}-${p(stamp.getHours())}${p(stamp.getMinutes())}00-hourly-${i}.db`;
    fs.writeFileSync(path.join(backups, name), image);
  }
  await app.addApp(databasePath);
  await expect(app.page.getByRole('heading', { name: /Snapshots/ })).toContainText('10,000', {
    timeout: 90_000,
  });
  await expect(app.grid).toHaveAttribute('aria-rowcount', '10001');
  const rendered = await app.rows().count();
  expect(rendered).toBeGreaterThan(5);
  expect(rendered).toBeLessThan(100);
  await app.grid.focus();
  await app.page.keyboard.press('End');
  await expect(app.row('hourly-0')).toBeVisible();
  await app.page.keyboard.press('Home');
  await expect(app.row('hourly-9999')).toBeVisible();
  // A filter says how many of all match, and shows them from the top wherever the list was scrolled.
  await app.page.keyboard.press('End');
  await app.filter.fill('hourly-99');
  await expect(app.page.getByTestId('snapshot-count')).toHaveText('111 of 10,000');
  await expect(app.row('hourly-9999')).toBeVisible();
  await app.filter.fill('');
  await expect(app.page.getByTestId('snapshot-count')).toHaveText('10,000');
});

test('verify and delete a snapshot from its detail panel', async ({ app }) => {
  await app.openDemo();
  const scriptMade = app.row('pre-deploy');
  await expect(app.cell('pre-deploy', 'Status')).toHaveText('Unverified');
  await scriptMade.click();
  await app.details.getByRole('button', { name: 'Verify' }).click();
  await expect(app.page.getByRole('status')).toContainText('Verified: integrity and checksum are ok.');
  await expect(app.cell('pre-deploy', 'Status')).toHaveText('Verified');
  await expect(app.details).toContainText('another tool');

  await app.details.getByRole('button', { name: 'Delete…' }).click();
  await expect(app.dialog).toContainText('cannot be undone');
  await app.dialog.getByRole('button', { name: 'Keep it' }).click();
  await expect(app.rows()).toHaveCount(13);
  await app.details.getByRole('button', { name: 'Delete…' }).click();
  await app.dialog.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(app.page.getByRole('heading', { name: /Snapshots/ })).toContainText('12');
  await expect(app.rows()).toHaveCount(12);
  await expect(app.row('pre-deploy')).toHaveCount(0);

  await app.page.getByRole('tab', { name: 'Activity' }).click();
  const activity = app.page.getByRole('table', { name: 'Activity, newest first' });
  await expect(activity.getByRole('row').nth(1)).toContainText('Delete');
  await expect(activity.getByRole('row').nth(2)).toContainText('Verify');
  await expect(activity.getByRole('row').nth(1)).toContainText('web');
  await app.screenshot('07-activity');
});

test('pin a snapshot from its details: marked in the table, and it cannot be deleted until unpinned', async ({
  app,
}) => {
  await app.openDemo();
  const row = app.row('manual');
  await expect(row.getByRole('img', { name: 'Pinned' })).toHaveCount(0);
  await row.click();
  await app.details.getByRole('button', { name: 'Pin', exact: true }).click();
  await expect(app.page.getByRole('status')).toContainText('it is kept until you unpin it');
  await expect(row.getByRole('img', { name: 'Pinned' })).toBeVisible();
  await expect(app.details.getByRole('button', { name: 'Delete…' })).toBeDisabled();
  await expect(app.details).toContainText('Kept until you unpin it: it cannot be deleted');
  await app.screenshot('08-pinned');
  await app.details.getByRole('button', { name: 'Unpin' }).click();
  await expect(row.getByRole('img', { name: 'Pinned' })).toHaveCount(0);
  await expect(app.details.getByRole('button', { name: 'Delete…' })).toBeEnabled();
  await app.page.getByRole('tab', { name: 'Activity' }).click();
  const activity = app.page.getByRole('table', { name: 'Activity, newest first' });
  await expect(activity.getByRole('row').nth(1)).toContainText('Unpin');
  await expect(activity.getByRole('row').nth(2)).toContainText('Pin');
});

test('a wrong path gets the core’s sentence, next to the field', async ({ app }) => {
  await app.page.getByRole('button', { name: 'Add an app…' }).click();
  await app.dialog.getByLabel('Database file').fill('relative/app.db');
  await app.dialog.getByRole('button', { name: 'Add app' }).click();
  await expect(app.dialog.getByRole('alert')).toContainText('is a relative path. Give the full path');
  await app.dialog.getByLabel('Database file').fill('postgres://db.example/app');
  await app.dialog.getByRole('button', { name: 'Add app' }).click();
  await expect(app.dialog.getByRole('alert')).toContainText('is not an SQLite database URL');
  await app.page.keyboard.press('Escape');
  await expect(app.emptyState).toBeVisible();
});

test('the schema view places the live database and the snapshots on the demo’s migrations', async ({
  app,
}) => {
  await app.openDemo();
  await expect(app.row('initial-import').getByText('4 behind')).toBeVisible();
  await expect(app.row('manual').getByText('1 behind')).toBeVisible();
  await app.page.getByRole('tab', { name: /Schema/ }).click();
  const revisions = app.page.getByRole('list', { name: 'Revisions, newest first' }).getByRole('listitem');
  await expect(revisions).toHaveCount(5);
  await expect(revisions.first()).toContainText('order notes');
  await expect(revisions.first()).toContainText('pending');
  await expect(revisions.nth(1)).toContainText('live database');
  await expect(app.page.getByRole('status', { name: 'Schema status' })).toContainText('1 behind');
  await app.screenshot('06-schema-view');
  await revisions
    .nth(4)
    .getByRole('button', { name: /Show the 4 snapshots at revision 1/ })
    .click();
  await expect(app.rows()).toHaveCount(4);
  await expect(app.page.getByRole('button', { name: /Showing snapshots at revision 1/ })).toBeVisible();
});

test('the migrations of an app can be chosen, and a folder without any is refused next to the field', async ({
  app,
  host,
}) => {
  await app.openDemo();
  const card = app.page.getByRole('region', { name: 'Live database' });
  await expect(card).toContainText('PRAGMA user_version 4 · 1 behind');
  await card.getByRole('button', { name: 'Change where the migrations are' }).click();
  await expect(app.dialog).toContainText('Detected: user-version');
  // Through lifeboat serve, a folder outside those it was started with (--allow) is out of reach.
  await app.dialog.getByLabel('Migrations folder').fill('/etc');
  await app.dialog.getByRole('button', { name: 'Save' }).click();
  await expect(app.dialog.getByRole('alert')).toContainText(
    'The migrations folder /etc is outside the folders this lifeboat serve may reach',
  );
  await app.screenshot('21-migrations-folder-out-of-reach');
  await app.dialog.getByLabel('Migrations folder').fill(path.join(host.workDir, 'no', 'such', 'folder'));
  await app.dialog.getByRole('button', { name: 'Save' }).click();
  await expect(app.dialog.getByRole('alert')).toContainText('does not exist');
  await app.dialog.getByRole('button', { name: 'Use detection' }).click();
  await expect(app.dialog).toBeHidden();
  await expect(card).toContainText('PRAGMA user_version 4 · 1 behind');
});

test('without its token, the browser gets a page that says how to get in, not a bare 401', async ({
  page,
  host,
}) => {
  const answer = await page.goto(`${host.origin}/`);
  expect(answer?.status()).toBe(401);
  await expect(page.getByRole('heading', { name: 'This link needs its token' })).toBeVisible();
  await expect(page.getByRole('main')).toContainText(
    'copy the new address from the output of lifeboat serve',
  );
  await page.screenshot({ path: 'test-results/screenshots/22-no-token.png' });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: 'test-results/screenshots/22-no-token-dark.png' });
});

test('at 1024 px the table drops columns rather than overprint them, and the details float over it', async ({
  app,
}) => {
  await app.page.setViewportSize({ width: 1024, height: 700 });
  await app.openDemo();
  await app.rows().first().click();
  await expect(app.details).toBeVisible();
  const headers = app.grid.getByRole('columnheader');
  const boxes = [];
  for (const header of await headers.all()) {
    const box = await header.boundingBox();
    if (box !== null && (await header.isVisible())) {
      boxes.push({ name: await header.innerText(), left: box.x, right: box.x + box.width });
    }
  }
  const grid = await app.grid.boundingBox();
  expect(boxes.map((b) => b.name.replace(/ [↑↓]$/, ''))).toEqual([
    'When',
    'Label',
    'Size',
    'Status',
    'Last verified',
    'Schema',
  ]);
  // Below 1200 px the details are an overlay: the table behind them keeps its width.
  const details = await app.details.boundingBox();
  expect((details?.x ?? 0) + (details?.width ?? 0)).toBeLessThanOrEqual(
    (grid?.x ?? 0) + (grid?.width ?? 0) + 1,
  );
  for (const [i, box] of boxes.entries()) {
    expect(box.right, `${box.name} runs out of the table`).toBeLessThanOrEqual(
      (grid?.x ?? 0) + (grid?.width ?? 0) + 1,
    );
    expect(box.left, `${box.name} overlaps the column before it`).toBeGreaterThanOrEqual(
      (boxes[i - 1]?.right ?? 0) - 1,
    );
  }
  await app.screenshot('23-narrow-table');
});

test('the list follows the backups folder: a file a script adds, changes or deletes shows without a reload', async ({
  app,
  host,
}) => {
  fs.mkdirSync(host.workDir, { recursive: true });
  const databasePath = path.join(host.workDir, 'app.db');
  createLiveDatabase(databasePath, 'wal', 64 * 1024);
  await app.addApp(databasePath);
  await expect(await app.startSnapshot('by-lifeboat')).toBeHidden();
  await expect(app.cell('by-lifeboat', 'Status')).toHaveText('Verified');
  const backups = path.join(host.workDir, 'backups');
  const made = path.join(backups, fs.readdirSync(backups).find((n) => n.includes('by-lifeboat')) ?? '');

  // A nightly script's copy appears...
  fs.copyFileSync(databasePath, path.join(backups, 'app-20260101-020000-nightly.db'));
  await expect(app.row('nightly')).toHaveCount(1);
  await expect(app.page.getByTestId('snapshot-count')).toHaveText('2');
  // ...a snapshot changed behind Lifeboat's back no longer shows Verified...
  fs.chmodSync(made, 0o644);
  fs.appendFileSync(made, Buffer.alloc(4096));
  await expect(app.cell('by-lifeboat', 'Status')).toHaveText('Corrupt');
  // The newest snapshot that could be restored is now the script's: the card and the sidebar agree.
  const sidebarAge = app.sidebar.locator('.app-age');
  // An age (never empty: two empty texts would agree too), the script's, not the corrupt one's.
  await expect(sidebarAge).toHaveText(/\d/);
  await expect(sidebarAge).not.toHaveText('just now');
  await expect(app.page.getByTestId('newest-snapshot')).toHaveText((await sidebarAge.textContent()) ?? '');
  // ...and one deleted on disk disappears, from the table and from its open details panel.
  await app.row('nightly').click();
  await expect(app.details.getByRole('button', { name: 'Restore…' })).toBeEnabled();
  fs.rmSync(path.join(backups, 'app-20260101-020000-nightly.db'));
  await expect(app.row('nightly')).toHaveCount(0);
  await expect(app.page.getByTestId('snapshot-count')).toHaveText('1');
  await expect(app.details.getByRole('status')).toHaveText(
    'This snapshot is no longer in the backups folder: it was deleted (by retention, a script or by hand). Nothing can be done with it here.',
  );
  await expect(app.details.getByText('Verified', { exact: true })).toHaveCount(0);
  for (const action of ['Restore…', 'Verify', 'Pin', 'Browse…', 'Delete…']) {
    await expect(app.details.getByRole('button', { name: action, exact: true })).toBeDisabled();
  }
  await app.screenshot('09-details-of-a-deleted-snapshot');
});

test('Verify all checks every snapshot with progress, and the Last verified column says when', async ({
  app,
  host,
}) => {
  const backups = path.join(host.workDir, 'backups');
  fs.mkdirSync(backups, { recursive: true });
  const databasePath = path.join(host.workDir, 'app.db');
  createLiveDatabase(databasePath, 'delete', 16 * 1024 * 1024);
  for (let day = 1; day <= 20; day += 1) {
    fs.copyFileSync(
      databasePath,
      path.join(backups, `app-202601${String(day).padStart(2, '0')}-020000-nightly-${day}.db`),
    );
  }
  // One copy has bad pages: verifying must find them, not just stamp the time.
  const damaged = fs.openSync(path.join(backups, 'app-20260107-020000-nightly-7.db'), 'r+');
  fs.writeSync(damaged, Buffer.alloc(4096, 0xa5), 0, 4096, 4096 * 3);
  fs.closeSync(damaged);
  await app.addApp(databasePath);
  await expect(app.rows()).toHaveCount(20);
  await expect(app.cell('nightly-1', 'Last verified')).toHaveText('never');
  await app.page.getByRole('button', { name: 'Verify all' }).click();
  await expect(app.page.getByRole('progressbar', { name: 'Verifying snapshots' })).toBeVisible();
  await app.screenshot('16-verify-all-progress');
  await expect(app.page.getByRole('button', { name: 'Verify all' })).toBeVisible({ timeout: 60_000 });
  await expect(app.cell('nightly-1', 'Status')).toHaveText('Verified');
  await expect(app.cell('nightly-20', 'Status')).toHaveText('Verified');
  await expect(app.cell('nightly-20', 'Last verified')).toHaveText('just now');
  await expect(app.cell('nightly-7', 'Status')).toHaveText('Corrupt');
  await expect(app.page.getByRole('status').filter({ hasText: 'failed verification' })).toHaveText(
    '1 snapshot(s) failed verification.',
  );
});

test('adding an app whose folder does not exist warns first; removing an app keeps every file', async ({
  app,
  host,
}) => {
  fs.mkdirSync(host.workDir, { recursive: true });
  createLiveDatabase(path.join(host.workDir, 'app.db'), 'wal', 64 * 1024);
  await app.addApp(path.join(host.workDir, 'app.db'));
  await expect(app.sidebar.getByRole('button', { name: /work/ })).toBeVisible();

  const missing = path.join(host.workDir, 'not-mounted', 'app.db');
  await app.sidebar.getByRole('button', { name: '+ Add an app' }).click();
  await app.dialog.getByLabel('Database file').fill(missing);
  await app.dialog.getByRole('button', { name: 'Add app' }).click();
  await expect(app.dialog.getByRole('alert')).toContainText(
    'does not exist: check the path (a typo, or a volume that is not mounted)',
  );
  await app.screenshot('19-add-app-missing-folder');
  await app.dialog.getByRole('button', { name: 'Add anyway' }).click();
  await expect(app.dialog).toBeHidden();
  await expect(app.sidebar.getByRole('button', { name: /not-mounted/ })).toBeVisible();

  await app.sidebar.getByRole('button', { name: /work/ }).click();
  await expect(await app.startSnapshot('keep-me')).toBeHidden();
  const backups = path.join(host.workDir, 'backups');
  const before = fs.readdirSync(backups).sort();
  await app.page.getByRole('button', { name: 'Remove app…' }).click();
  await expect(app.dialog).toContainText('Every file is kept');
  await app.dialog.getByRole('button', { name: 'Remove from Lifeboat' }).click();
  await expect(app.sidebar.getByRole('button', { name: /work/ })).toHaveCount(0);
  expect(fs.readdirSync(backups).sort()).toEqual(before);
  expect(fs.existsSync(path.join(host.workDir, 'app.db'))).toBe(true);
});

test('when lifeboat serve stops, the page says it lost the connection and keeps retrying', async ({
  app,
  host,
}) => {
  await app.openDemo();
  await expect(app.rows()).toHaveCount(13);
  await expect(app.page.getByTestId('disconnected')).toHaveCount(0);
  await host.stop();
  await expect(app.page.getByTestId('disconnected')).toContainText(
    'Lost the connection to Lifeboat. Retrying every few seconds',
  );
  await app.screenshot('20-lost-connection');
});

test('keyboard: the view tabs are one tab stop, moved through with the arrow keys; sort headers are reachable', async ({
  app,
}) => {
  await app.openDemo();
  const snapshots = app.page.getByRole('tab', { name: 'Snapshots' });
  await snapshots.focus();
  await app.page.keyboard.press('ArrowRight');
  const schema = app.page.getByRole('tab', { name: /^Schema/ });
  await expect(schema).toBeFocused();
  await expect(schema).toHaveAttribute('aria-selected', 'true');
  await expect(app.page.getByRole('tabpanel', { name: /^Schema/ })).toBeVisible();
  await app.page.keyboard.press('End');
  await expect(app.page.getByRole('tab', { name: 'Activity' })).toBeFocused();
  await expect(app.page.getByRole('tabpanel', { name: 'Activity' })).toBeVisible();
  await app.page.keyboard.press('ArrowRight');
  await expect(snapshots).toBeFocused();
  await expect(snapshots).toHaveAttribute('tabindex', '0');
  await expect(schema).toHaveAttribute('tabindex', '-1');
  // The table's sort headers are buttons in the tab order.
  const label = app.page.getByRole('button', { name: /^Label/ });
  await label.focus();
  await app.page.keyboard.press('Enter');
  await expect(app.page.getByRole('columnheader', { name: /^Label/ })).toHaveAttribute(
    'aria-sort',
    /ascending|descending/,
  );
});

test('in a browser, a snapshot that ends while the page is hidden is told by a desktop notification', async ({
  app,
  host,
}) => {
  // The page's Notification API, recorded; the page behind other windows.
  await app.page.context().grantPermissions(['notifications']);
  await app.page.addInitScript(() => {
    const shown: { title: string; body: string }[] = [];
    Object.assign(window, { shownNotifications: shown });
    class RecordedNotification {
      static readonly permission = 'granted';
      static requestPermission(): Promise<string> {
        return Promise.resolve('granted');
      }
      constructor(title: string, options: { body: string }) {
        shown.push({ title, body: options.body });
      }
    }
    Object.assign(window, { Notification: RecordedNotification });
    Object.defineProperty(document, 'hidden', { get: () => true });
  });
  await app.page.reload();
  fs.mkdirSync(host.workDir, { recursive: true });
  const databasePath = path.join(host.workDir, 'app.db');
  createLiveDatabase(databasePath, 'wal', 64 * 1024);
  await app.addApp(databasePath);
  await expect(await app.startSnapshot('while-away')).toBeHidden();
  const file = fs.readdirSync(path.join(host.workDir, 'backups')).find((n) => n.endsWith('-while-away.db'));
  await expect
    .poll(() =>
      app.page.evaluate(() => (window as unknown as { shownNotifications: unknown[] }).shownNotifications),
    )
    .toEqual([{ title: 'Lifeboat', body: `Snapshot ${file ?? ''} is ready.` }]);
});
