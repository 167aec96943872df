import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  contentDigest,
  createLiveDatabase,
  sidecarsWithPages,
  snapshotRowsDigest,
} from '../electron/testing/fixtures';
import { holdFileOpen } from '../electron/testing/holding-process';
import { expect, test } from './fixtures';
import type { Locator } from '@playwright/test';
import type { AppPage } from './pages/app-page';
import type { Host } from './fixtures';

/** The demo shop's files, made by the headless host in its data folder. */
function demoFiles(host: Host): { db: string; migrations: string } {
  const dir = path.join(host.dataDir, 'demo', 'corner-shop');
  return { db: path.join(dir, 'shop.db'), migrations: path.join(dir, 'migrations') };
}

/** The demo shop's snapshot labelled `label`. */
function demoSnapshot(host: Host, label: string): string {
  const backups = path.join(host.dataDir, 'demo', 'corner-shop', 'backups');
  const file = fs.readdirSync(backups).find((name) => name.endsWith(`-${label}.db`));
  if (file === undefined) throw new Error(`no ${label} snapshot`);
  return path.join(backups, file);
}

/** That the live database holds the snapshot's rows (an upgrade may add columns), with no sidecar left beside it. */
function expectRestored(db: string, snapshot: string): void {
  expect(sidecarsWithPages(db), 'no -wal or -journal with pages left beside the restored database').toEqual(
    [],
  );
  expect(snapshotRowsDigest(db, snapshot), 'the live database holds the snapshot’s rows').toBe(
    snapshotRowsDigest(snapshot, snapshot),
  );
}

/** Writes the demo shop's lifeboat.json, with how to run it. */
function writeRunSettings(host: Host, run: object): void {
  fs.writeFileSync(
    path.join(host.dataDir, 'demo', 'corner-shop', 'lifeboat.json'),
    JSON.stringify({ run }, null, 2),
  );
}

async function openRestoreOf(app: AppPage, label: string): Promise<void> {
  await app.row(label).click();
  await app.details.getByRole('button', { name: 'Restore…' }).click();
  await expect(app.dialog.getByRole('heading', { name: /^Restore shop-/ })).toBeVisible();
}

/** The journal mode a database file's header records (bytes 18-19: 2 is WAL). */
function headerJournalMode(file: string): 'wal' | 'rollback' {
  return fs.readFileSync(file).readUInt8(18) === 2 ? 'wal' : 'rollback';
}

/** The preview's line per command: where it comes from and who runs it. */
function commandSources(app: AppPage): Locator {
  return app.dialog
    .getByRole('list', { name: 'Where each command comes from and who runs it' })
    .getByRole('listitem');
}

/** This process's user, as the preview names it (the host runs as the same user). */
const lifeboatUserText = `uid ${os.userInfo().uid} (${os.userInfo().username}), Lifeboat's own user`;
/** Who runs the app's commands here: the demo database's owner is the host's user, root or not. */
const appUserText =
  process.getuid?.() === 0
    ? "uid 0 (root), the database's owner"
    : `${lifeboatUserText}: Lifeboat does not run as root, so it cannot switch`;

function steps(app: AppPage, name = 'Restore steps'): Locator {
  return app.dialog.getByRole('list', { name }).getByRole('listitem');
}

test('the whole restore wizard on the demo: preview, rehearsal, restore with live output, undo, activity', async ({
  app,
  host,
}) => {
  await app.openDemo();
  const { db } = demoFiles(host);
  const original = contentDigest(db);

  // How to run the app: its own stop and start commands in the lifeboat.json committed with it,
  // shown verbatim before they run (through lifeboat serve, commands come only from that file).
  // The stop takes a moment (as a real one does), so the stepper can be seen while it runs.
  writeRunSettings(host, {
    preset: 'commands',
    stop: { shell: 'echo stopping the shop; sleep 2' },
    start: { shell: 'echo shop started; echo serving on port 8080' },
    smokeQueries: ['SELECT count(*) FROM orders'],
  });
  await app.page.reload();
  await expect(app.page.getByRole('region', { name: 'Live database' })).toContainText(
    'own commands (lifeboat.json)',
  );
  await app.page.getByRole('button', { name: 'Change how the app is stopped, started and upgraded' }).click();
  await expect(app.dialog).toContainText('These settings come from');
  await expect(app.dialog.getByLabel('Stop command')).toHaveValue('echo stopping the shop; sleep 2');
  await expect(app.dialog.getByLabel('Stop command')).toBeDisabled();
  // A checkbox sits beside its sentence, like the rest of the form: a box, not a field as wide as the form.
  const box = await app.dialog.getByRole('checkbox', { name: /LIFEBOAT_DATABASE_URL/ }).boundingBox();
  const sentence = await app.dialog.getByText(/The upgrade works on the database in/).boundingBox();
  expect(box?.width ?? 999).toBeLessThan(30);
  expect(Math.abs((box?.y ?? 0) - (sentence?.y ?? 999))).toBeLessThan(12);
  await app.screenshot('10-run-settings');
  await app.dialog.getByRole('button', { name: 'Cancel' }).click();

  await openRestoreOf(app, 'initial-import');
  const changes = app.dialog.getByRole('table');
  await expect(changes.getByRole('row', { name: /^orders/ })).toContainText('rows lost');
  await expect(app.dialog.getByRole('list', { name: 'Schema differences' })).toContainText(
    'The table orders differs: columns status only in the live database.',
  );
  await expect(app.dialog).toContainText(
    'Migrations the upgrade applies, in order: 2 order status → 3 customer phone → 4 product stock → 5 order notes',
  );
  await expect(app.dialog.locator('pre.commands')).toHaveText(
    'stop: echo stopping the shop; sleep 2\nstart: echo shop started; echo serving on port 8080',
  );
  // Each says where it comes from and who runs it: the database's owner, when Lifeboat runs as root.
  const from = `from lifeboat.json at ${path.join(host.dataDir, 'demo', 'corner-shop', 'lifeboat.json')}`;
  await expect(commandSources(app)).toHaveText([
    `stop: ${from}, as ${appUserText}`,
    `start: ${from}, as ${appUserText}`,
  ]);
  await expect(app.dialog.getByTestId('journal-mode')).toHaveText(
    'Journal mode: wal, kept; so are the file’s owner and permissions.',
  );
  expect(headerJournalMode(db)).toBe('wal');
  await app.screenshot('11-restore-preview');

  // A rehearsal on a scratch copy first: the same steps, nothing live touched.
  await app.dialog.getByRole('button', { name: 'Rehearse' }).click();
  await expect(app.dialog.getByRole('status')).toHaveText(
    'Rehearsal passed: the restore would go through. Nothing was changed.',
  );
  await expect(steps(app)).toHaveCount(4);
  await expect(steps(app).filter({ hasText: 'Upgrade' })).toContainText('applied 002_order_status.sql');
  expect(contentDigest(db)).toBe(original);
  await app.screenshot('12-rehearsal');
  await app.dialog.getByRole('button', { name: 'Back to the restore' }).click();

  await app.dialog.getByRole('button', { name: 'Restore', exact: true }).click();
  // While it runs: the stop step is current, its output is already there, nothing after it has begun.
  await expect(steps(app).filter({ hasText: 'Stop the app' })).toContainText('running');
  await expect(app.dialog.getByRole('log', { name: 'Output of the app’s commands' })).toHaveText(
    '$ echo stopping the shop; sleep 2\nstopping the shop',
  );
  await expect(app.dialog.getByRole('status')).toHaveText('Working… keep this window open.');
  await expect(steps(app).filter({ hasText: 'Swap' })).toContainText('waiting');
  await app.screenshot('12b-restore-running');
  await expect(app.dialog.getByRole('status')).toHaveText('Restored. The app runs on the snapshot’s data.');
  await expect(steps(app)).toHaveCount(9);
  for (const title of [
    'Preflight',
    'Stop the app',
    'Pre-restore snapshot',
    'Swap',
    'Upgrade',
    'Verify',
    'Start the app',
    'Clean up',
  ]) {
    await expect(steps(app).filter({ hasText: title }).first()).toContainText('done');
  }
  await expect(steps(app).filter({ hasText: 'Health' })).toContainText('skipped');
  await expect(steps(app).filter({ hasText: 'Health' })).toContainText('no health URL is set');
  await expect(app.dialog.getByRole('log', { name: 'Output of the app’s commands' })).toHaveText(
    '$ echo stopping the shop; sleep 2\nstopping the shop\n$ echo shop started; echo serving on port 8080\nshop started\nserving on port 8080',
  );
  await expect(app.dialog).toContainText('Pre-restore snapshot (pinned)');
  expectRestored(db, demoSnapshot(host, 'initial-import'));
  expect(contentDigest(db)).not.toBe(original);
  await app.screenshot('13-restore-done');
  await app.dialog.getByRole('button', { name: 'Close' }).click();
  await expect(app.row('pre-restore')).toHaveCount(1);
  await expect(app.row('pre-restore').getByRole('img', { name: 'Pinned' })).toBeVisible();
  await expect(app.page.getByRole('tab', { name: /Schema/ })).toContainText('at head');
  expect(headerJournalMode(db), 'the shop keeps the WAL mode it set').toBe('wal');

  // Undo last restore: the pre-restore snapshot goes back exactly as it was; the card says which and from when.
  await expect(app.page.getByTestId('last-restore')).toContainText(
    /^Restored \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} from shop-.*initial-import\.db\. Undo last restore puts back the database as it was just before \(shop-.*pre-restore\.db\)\.$/,
  );
  await app.page.getByRole('button', { name: 'Undo last restore' }).click();
  await expect(app.dialog.getByRole('heading', { name: 'Undo last restore' })).toBeVisible();
  await expect(app.dialog).toContainText('Put back as it was: no upgrade runs.');
  await app.dialog.getByRole('button', { name: 'Undo restore' }).click();
  await expect(app.dialog.getByRole('status')).toHaveText('Undone. The app runs on the snapshot’s data.');
  await expect(steps(app).filter({ hasText: 'Upgrade' })).toContainText('skipped');
  await app.dialog.getByRole('button', { name: 'Close' }).click();
  expect(contentDigest(db)).toBe(original);
  expect(sidecarsWithPages(db)).toEqual([]);
  expect(headerJournalMode(db)).toBe('wal');
  await expect(app.page.getByRole('tab', { name: /Schema/ })).toContainText('1 behind');
  // Named an undo: the card offers to redo it, and what was live is kept under a name of its own.
  await expect(app.page.getByTestId('last-restore')).toContainText(
    /^Restore undone \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}: shop-.*pre-restore\.db is back as it was\. Redo restore puts back what the restore had left \(shop-.*pre-undo\.db\)\.$/,
  );
  await expect(app.page.getByRole('button', { name: 'Undo last restore' })).toHaveCount(0);
  await expect(app.page.getByRole('button', { name: 'Redo restore' })).toBeVisible();
  await expect(app.row('pre-restore')).toHaveCount(1);
  await expect(app.row('pre-undo')).toHaveCount(1);

  await app.page.getByRole('tab', { name: 'Activity' }).click();
  const activity = app.page.getByRole('table', { name: 'Activity, newest first' });
  await expect(activity.getByRole('row').nth(1)).toContainText('Undo restore');
  await expect(activity.getByRole('row').nth(2)).toContainText(
    /^\S.*Restore.*Restored; pre-restore snapshot/,
  );
  await app.screenshot('14-activity-restores');
});

test('a migration that fails half-way rolls the restore back, shown as steps of its own', async ({
  app,
  host,
}) => {
  await app.openDemo();
  const { db, migrations } = demoFiles(host);
  const original = contentDigest(db);
  fs.writeFileSync(
    path.join(migrations, '006_gift_wrap.sql'),
    'ALTER TABLE orders ADD COLUMN gift INTEGER;\nINSERT INTO no_such_table VALUES (1);\n',
  );
  await openRestoreOf(app, 'initial-import');
  await app.dialog.getByRole('button', { name: 'Restore', exact: true }).click();
  await expect(app.dialog.getByRole('status')).toHaveText(
    'The restore failed and was rolled back: the live database is as it was before.',
  );
  await expect(steps(app).filter({ hasText: 'Swap' })).toContainText('done');
  await expect(steps(app).filter({ hasText: 'Upgrade' })).toContainText('failed');
  await expect(steps(app).filter({ hasText: 'Upgrade' })).toContainText(
    '006_gift_wrap.sql failed and was rolled back: no such table: no_such_table',
  );
  await expect(steps(app).filter({ hasText: 'Start the app' })).toContainText('not run');
  await expect(steps(app, 'Rollback steps')).toHaveCount(2);
  await expect(steps(app, 'Rollback steps').first()).toContainText('Put the database back');
  await expect(steps(app, 'Rollback steps').first()).toContainText('done');
  // Lifeboat did not stop the app (no stop command), so it does not start it: said, not left out.
  await expect(steps(app, 'Rollback steps').last()).toContainText('Start the app again');
  await expect(steps(app, 'Rollback steps').last()).toContainText('skipped');
  await expect(steps(app, 'Rollback steps').last()).toContainText('Lifeboat did not stop the app');
  await app.screenshot('15-restore-rolled-back');
  await app.page.emulateMedia({ colorScheme: 'dark' });
  await app.screenshot('17-restore-rolled-back-dark');
  await app.dialog.getByRole('button', { name: 'Close' }).click();
  expect(contentDigest(db)).toBe(original);
  expect(sidecarsWithPages(db)).toEqual([]);
  await expect(app.page.getByRole('button', { name: 'Undo last restore' })).toHaveCount(0);
});

test('an interrupted restore is offered at start-up: roll it back from the banner', async ({ app, host }) => {
  await app.openDemo();
  const { db } = demoFiles(host);
  const original = contentDigest(db);
  const snapshot =
    fs.readdirSync(path.join(path.dirname(db), 'backups')).find((n) => n.includes('initial-import')) ?? '';
  // The restoring process dies right after the live file was set aside (a test-only hook).
  const killed = spawnSync(
    process.execPath,
    [path.resolve('bin/lifeboat.js'), 'restore', snapshot, '--db', db, '--yes'],
    { env: { ...process.env, LIFEBOAT_TEST_KILL_AT: 'put-in-place' } },
  );
  expect(killed.signal).toBe('SIGKILL');

  await app.page.reload();
  await expect(app.sidebar.getByRole('button', { name: /Corner shop \(demo\)/ })).toContainText(
    'restore interrupted',
  );
  const banner = app.page.getByRole('region', { name: 'Live database' }).getByRole('alert');
  await expect(banner).toContainText('A restore was interrupted');
  await expect(banner).toContainText('put-in-place');
  await app.screenshot('16-interrupted-restore');
  await banner.getByRole('button', { name: 'Roll back' }).click();
  await expect(app.dialog.getByRole('heading', { name: 'Roll back the interrupted restore' })).toBeVisible();
  await expect(app.dialog.getByRole('status')).toHaveText(
    'Rolled back: the database is as it was before the restore.',
  );
  await expect(steps(app, 'Rollback steps').filter({ hasText: 'Put the database back' })).toContainText(
    'done',
  );
  await app.dialog.getByRole('button', { name: 'Close' }).click();
  await expect(banner).toHaveCount(0);
  await expect(app.sidebar.getByRole('button', { name: /Corner shop \(demo\)/ })).not.toContainText(
    'restore interrupted',
  );
  expect(contentDigest(db)).toBe(original);
  expect(sidecarsWithPages(db)).toEqual([]);
});

test('a process still holding the database after the stop command is named, and overriding it is explicit', async ({
  app,
  host,
}) => {
  await app.openDemo();
  const { db } = demoFiles(host);
  writeRunSettings(host, { preset: 'commands', stop: { shell: 'echo pretending to stop' } });
  await app.page.reload();
  // A worker the stop command does not reach keeps the database open.
  const holder = await holdFileOpen(db);
  try {
    await openRestoreOf(app, 'manual');
    await app.dialog.getByRole('button', { name: 'Restore', exact: true }).click();
    await expect(app.dialog.getByRole('status')).toHaveText('Stopped before anything was changed.');
    await expect(steps(app).filter({ hasText: 'Preflight' })).toContainText('done');
    await expect(steps(app).filter({ hasText: 'Stop the app' })).toContainText('failed');
    await expect(steps(app).filter({ hasText: 'Stop the app' })).toContainText(
      `${db} is held open by pid ${holder.pid}`,
    );
    await expect(steps(app).filter({ hasText: 'Swap' })).toContainText('not run');
    // Nothing was touched: the rollback says so rather than claim it put the database back.
    await expect(steps(app, 'Rollback steps').first()).toContainText('nothing had been changed');
    await app.screenshot('18-restore-held-open');
    await app.dialog.getByRole('button', { name: 'Restore anyway' }).click();
    await expect(app.dialog.getByRole('status')).toHaveText(
      'Restored. Start the app again now: no start command is set.',
    );
    expect(snapshotRowsDigest(db, demoSnapshot(host, 'manual'))).toBe(
      snapshotRowsDigest(demoSnapshot(host, 'manual'), demoSnapshot(host, 'manual')),
    );
  } finally {
    holder.release();
  }
});

test('through lifeboat serve, how to stop and start an app can be chosen, but no command typed in', async ({
  app,
  host,
}) => {
  await app.openDemo();
  // The shop runs under Docker Compose: its compose file declares the service (and a database beside it).
  fs.writeFileSync(
    path.join(path.dirname(demoFiles(host).db), 'compose.yaml'),
    'services:\n  shop:\n    image: corner-shop:1\n  cache:\n    image: redis:7\n',
  );
  await app.page.getByRole('button', { name: 'Change how the app is stopped, started and upgraded' }).click();
  await expect(app.dialog).toContainText('Commands cannot be changed through lifeboat serve');
  await expect(app.dialog.getByRole('option', { name: 'My own commands' })).toBeDisabled();
  await expect(app.dialog.getByLabel('Upgrade command (optional)')).toBeDisabled();
  await app.dialog.getByLabel('Stopping and starting').selectOption('docker-compose');
  // A service the app's compose file does not declare (another app's, the server's own) is refused.
  await app.dialog.getByLabel('Service').fill('postgres');
  await app.dialog.getByRole('button', { name: 'Save' }).click();
  await expect(app.dialog.getByRole('alert')).toContainText(
    'The Compose service "postgres" is not declared in a compose file',
  );
  await app.dialog.getByLabel('Service').fill('shop');
  await expect(app.dialog.getByLabel('Environment variables (optional, NAME=value per line)')).toBeDisabled();
  await app.dialog.getByLabel('Stop (s)').fill('30');
  await app.screenshot('10b-run-settings-web');
  await app.dialog.getByRole('button', { name: 'Save' }).click();
  await expect(app.dialog).toBeHidden();
  await expect(app.page.getByRole('region', { name: 'Live database' })).toContainText('Docker Compose');
  await app.page.getByRole('button', { name: 'Change how the app is stopped, started and upgraded' }).click();
  await expect(app.dialog.getByLabel('Service')).toHaveValue('shop');
  await expect(app.dialog.getByLabel('Stop (s)')).toHaveValue('30');
  await app.dialog.getByRole('button', { name: 'Cancel' }).click();
  await openRestoreOf(app, 'manual');
  await expect(app.dialog.locator('pre.commands')).toHaveText(
    'stop: docker compose stop shop\nstart: docker compose start shop',
  );
  // The preset's commands are Lifeboat's own, not the app's code: they run as Lifeboat's user.
  const preset = `Lifeboat's docker-compose preset (set in Lifeboat's settings), as ${lifeboatUserText}: stopping and starting a service needs it`;
  await expect(commandSources(app)).toHaveText([`stop: ${preset}`, `start: ${preset}`]);
});

test('the preview of a damaged snapshot says it cannot be read, shows no raw integrity report, and marks the row Corrupt', async ({
  app,
  host,
}) => {
  fs.mkdirSync(path.join(host.workDir, 'backups'), { recursive: true });
  const databasePath = path.join(host.workDir, 'app.db');
  createLiveDatabase(databasePath, 'wal', 256 * 1024);
  const damaged = path.join(host.workDir, 'backups', 'app-20260101-020000-nightly.db');
  fs.copyFileSync(databasePath, damaged);
  const fd = fs.openSync(damaged, 'r+');
  fs.writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, 4096 * 3);
  fs.closeSync(fd);
  await app.addApp(databasePath);
  await expect(app.cell('nightly', 'Status')).toHaveText('Unverified');
  await app.row('nightly').click();
  await app.details.getByRole('button', { name: 'Restore…' }).click();
  await expect(app.dialog.getByRole('alert')).toContainText(
    "is damaged: SQLite's integrity check found broken pages in it. Do not restore it",
  );
  await expect(app.dialog.getByTestId('unreadable-snapshot')).toBeVisible();
  await expect(app.dialog).not.toContainText('Every table has the same number of rows');
  await expect(app.dialog).not.toContainText('*** in database');
  await expect(app.dialog.getByRole('button', { name: 'Restore', exact: true })).toBeDisabled();
  await app.screenshot('17-restore-preview-damaged');
  await app.dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(app.cell('nightly', 'Status')).toHaveText('Corrupt');
  await expect(app.details.getByRole('button', { name: 'Restore…' })).toBeDisabled();
});
