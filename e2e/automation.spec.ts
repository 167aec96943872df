import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PruneResult } from '../electron/contract/retention';
import { readRecord, writeRecord } from '../electron/core/snapshot/snapshot-records';
import { createLiveDatabase } from '../electron/testing/fixtures';
import { expect, test } from './fixtures';

const bin = path.resolve(__dirname, '..', 'bin', 'lifeboat.js');

/** The CLI's own dry run over the same folder: what the UI's preview must agree with. */
function cliDryRun(database: string, flags: string[]): PruneResult {
  const run = spawnSync(process.execPath, [bin, 'prune', '--db', database, ...flags, '--dry-run', '--json'], {
    encoding: 'utf8',
  });
  return JSON.parse(run.stdout) as PruneResult;
}

test('retention: the preview shows what the rules keep and delete on the real snapshots, as prune would; saving with a schedule runs it', async ({
  app,
  host,
}) => {
  await app.openDemo();
  const card = app.page.getByRole('region', { name: 'Live database' });
  await expect(card.getByTestId('protection')).toContainText('Fresh · no schedule');
  await card.getByRole('button', { name: 'Change the schedule and retention' }).click();
  const dialog = app.dialog;
  await expect(dialog).toContainText('No rules: every snapshot is kept');
  await dialog.getByLabel('Daily', { exact: true }).fill('2');
  await dialog.getByLabel('Weekly').fill('2');
  const preview = dialog.getByTestId('retention-preview');
  await expect(preview).toBeVisible();

  const demoDb = path.join(host.dataDir, 'demo', 'corner-shop', 'shop.db');
  const expected = cliDryRun(demoDb, ['--keep-daily', '2', '--keep-weekly', '2']);
  const kept = expected.snapshots.filter((s) => s.decision === 'keep').length;
  const deleted = expected.snapshots.length - kept;
  expect(deleted).toBeGreaterThan(0);
  await expect(preview).toContainText(
    `${kept} kept, ${deleted} deleted of ${expected.snapshots.length} snapshots`,
  );
  await expect(preview.getByRole('listitem').filter({ hasText: 'not made by Lifeboat' })).toHaveCount(1);
  await expect(
    preview.getByRole('listitem').filter({ hasText: 'keep-daily: newest of' }).first(),
  ).toBeVisible();
  await app.screenshot('22-retention-preview');

  // Nothing is deleted by a preview.
  const backups = path.join(host.dataDir, 'demo', 'corner-shop', 'backups');
  const dbFiles = (): string[] =>
    fs
      .readdirSync(backups, { withFileTypes: true })
      .filter((d) => d.isFile() && !d.name.startsWith('.'))
      .map((d) => d.name);
  expect(dbFiles()).toHaveLength(expected.snapshots.length);

  // With a schedule, the preview is of its next run: that run's snapshot comes first, and can push
  // one of today's out of keep-daily. What it shows then is what the run must delete, no more.
  const withSchedule = app.page.waitForResponse(
    (response) =>
      response.url().includes('/api/retention:preview') &&
      /"schedule"/.test(response.request().postData() ?? ''),
  );
  await dialog.getByLabel('Scheduled snapshots').selectOption('every');
  await dialog.getByLabel('Every', { exact: true }).fill('6h');
  const shown = ((await (await withSchedule).json()) as { value: PruneResult }).value;
  const promised = shown.snapshots
    .filter((s) => s.decision === 'keep' && s.planned !== true)
    .map((s) => s.file);
  const doomed = shown.snapshots.filter((s) => s.decision === 'delete').length;
  expect(shown.snapshots.filter((s) => s.planned === true)).toHaveLength(1);
  await expect(preview).toContainText(
    `${promised.length + 1} kept, ${doomed} deleted of ${shown.snapshots.length} snapshots, the next scheduled one included`,
  );
  await expect(
    preview.getByRole('listitem').filter({ hasText: 'the next scheduled snapshot, taken first' }),
  ).toHaveCount(1);
  // The snapshot someone kept before an upgrade is called out by its label and note, and listed with them.
  await expect(
    dialog.getByRole('list', { name: 'Labelled snapshots the rules delete' }).getByRole('listitem').first(),
  ).toContainText(/^before-upgrade — Before upgrading to v1\.5 \(.*\) will be deleted$/);
  await expect(
    preview
      .getByRole('list', { name: 'Every snapshot, and what the rules do with it' })
      .getByRole('listitem')
      .filter({ hasText: 'before-upgrade — Before upgrading to v1.5' }),
  ).toContainText('Delete');
  await expect(dialog.getByRole('button', { name: `Save: delete ${doomed} at the next run` })).toBeVisible();
  await app.screenshot('22b-retention-preview-scheduled');
  await dialog.getByRole('button', { name: /^Save/ }).click();
  await expect(dialog).toBeHidden();
  // The keeper takes the first scheduled snapshot at once, then applies the rules.
  await expect(app.row('scheduled')).toHaveCount(1);
  await expect(card.getByTestId('protection')).toContainText('Fresh · every 6h');
  // Exactly what the preview promised: the files it kept and the scheduled snapshot, nothing else.
  const scheduled = (): string[] => dbFiles().filter((name) => name.endsWith('-scheduled.db'));
  await expect.poll(() => dbFiles().sort()).toEqual([...promised, ...scheduled()].sort());
  expect(scheduled()).toHaveLength(1);
  await expect(app.rows()).toHaveCount(promised.length + 1);
  await app.page.getByRole('tab', { name: 'Activity' }).click();
  await expect(app.page.getByRole('tabpanel', { name: 'Activity' })).toContainText('schedule');
  await expect(app.page.getByRole('tabpanel', { name: 'Activity' })).toContainText('Prune');
});

test('freshness: a failing schedule and a stale app show why, on the dot and the card', async ({
  app,
  host,
}) => {
  fs.mkdirSync(host.workDir, { recursive: true });
  // An app whose database is damaged: its scheduled snapshot fails.
  const brokenDir = path.join(host.workDir, 'wiki');
  fs.mkdirSync(brokenDir);
  const broken = path.join(brokenDir, 'wiki.db');
  createLiveDatabase(broken, 'delete', 256 * 1024);
  // Its header is intact (it is added as a database), the pages after the first two are not.
  const fd = fs.openSync(broken, 'r+');
  fs.writeSync(fd, Buffer.alloc(fs.fstatSync(fd).size - 8192, 0x5a), 0, undefined, 8192);
  fs.closeSync(fd);
  await app.addApp(broken);
  const card = app.page.getByRole('region', { name: 'Live database' });
  await card.getByRole('button', { name: 'Change the schedule and retention' }).click();
  await app.dialog.getByLabel('Scheduled snapshots').selectOption('daily');
  await app.dialog.getByRole('button', { name: 'Save' }).click();
  await expect(card.getByTestId('freshness-alert')).toContainText('Scheduled snapshots are failing.');
  await expect(card.getByTestId('protection')).toContainText('Failing · daily at 03:30');
  await expect(app.sidebar.locator('.dot.health-failing')).toHaveCount(1);

  // An app whose newest snapshot is older than the limit it set in its lifeboat.json.
  const notesDir = path.join(host.workDir, 'notes');
  fs.mkdirSync(notesDir);
  const notes = path.join(notesDir, 'notes.db');
  createLiveDatabase(notes, 'wal', 64 * 1024);
  fs.writeFileSync(path.join(notesDir, 'lifeboat.json'), JSON.stringify({ staleAfter: '2d' }));
  const backup = spawnSync(process.execPath, [bin, 'backup', '--db', notes, '--json'], { encoding: 'utf8' });
  const file = (JSON.parse(backup.stdout) as { snapshot: { file: string } }).snapshot.file;
  const backupsDir = path.join(notesDir, 'backups');
  const record = readRecord(backupsDir, file);
  if (record === null) throw new Error('no record');
  writeRecord(backupsDir, { ...record, recordedAt: new Date(Date.now() - 3 * 86_400_000).toISOString() });
  await app.addApp(notes);
  await expect(card.getByTestId('freshness-alert')).toContainText(
    'No recent snapshot. The newest snapshot was taken 3 days ago, more than 2 days.',
  );
  await expect(card.getByTestId('protection')).toContainText('Stale · no schedule');
  await expect(app.sidebar.locator('.dot.health-stale')).toHaveCount(1);
  await app.screenshot('23-freshness-stale');
  // Set in lifeboat.json: shown, not editable here.
  await card.getByRole('button', { name: 'Change the schedule and retention' }).click();
  await expect(app.dialog.getByLabel(/Warn when the newest snapshot is older than/)).toBeDisabled();
  await expect(app.dialog).toContainText('comes from the app’s lifeboat.json');
});
