import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createLiveDatabase, flipBit } from '../electron/testing/fixtures';
import { bin, expect, test } from './fixtures';

/** `lifeboat ARGS` as the person runs it in a terminal beside the page, with the host's data folder. */
function lifeboat(args: string[], dataDir: string): { status: number | null; stdout: string } {
  const run = spawnSync(process.execPath, [bin, ...args, '--data-dir', dataDir], {
    encoding: 'utf8',
    env: { ...process.env, LIFEBOAT_HOST: 'homeserver', LIFEBOAT_DB: '' },
  });
  return { status: run.status, stdout: run.stdout + run.stderr };
}

test("drills: the card's Protection line says a copy was proven restorable, and a failed drill turns the app amber naming the step", async ({
  app,
  host,
}) => {
  const appDir = path.join(host.workDir, 'vault');
  const nas = path.join(host.workDir, 'nas');
  fs.mkdirSync(appDir, { recursive: true });
  fs.mkdirSync(nas);
  const db = path.join(appDir, 'vault.db');
  createLiveDatabase(db, 'wal', 64 * 1024);
  expect(spawnSync('sqlite3', [db, 'PRAGMA user_version = 42']).status).toBe(0);
  fs.writeFileSync(
    path.join(appDir, 'lifeboat.json'),
    JSON.stringify({
      database: 'vault.db',
      offsite: [{ name: 'nas', url: `file://${nas}` }],
      drill: { every: '7d' },
    }),
  );
  expect(lifeboat(['backup', 'nightly', '--app', appDir], host.dataDir).status).toBe(0);
  expect(lifeboat(['push', '--app', appDir], host.dataDir).status).toBe(0);
  const proven = lifeboat(['drill', '--app', appDir], host.dataDir);
  expect(proven.stdout).toMatch(/^nas: homeserver\/vault\/\S+-nightly restored, integrity ok, revision 42;/);
  expect(proven.status).toBe(0);

  await app.addApp(db);
  const card = app.page.getByRole('region', { name: 'Live database' });
  await expect(card.getByTestId('protection')).toHaveText(
    /^Fresh · no schedule · proven: restored from nas \d+ s ago, integrity ok, revision 42, [\d.]+ s Change/,
  );
  await expect(app.sidebar.locator('.dot.health-ok')).toHaveCount(1);
  await expect(card.getByText('Reading the database…')).toBeHidden();
  await app.screenshot('drill-proven');

  // The copy on the NAS is damaged there: the next drill fails at its download, and the card says so.
  const folder = path.join(nas, 'homeserver', 'vault');
  const [object = ''] = fs.readdirSync(folder).filter((f) => f.endsWith('.db'));
  flipBit(path.join(folder, object), 100);
  const damaged = lifeboat(['drill', '--app', appDir], host.dataDir);
  expect(damaged.status).toBe(6);
  expect(damaged.stdout).toMatch(/^nas: failed at download: .*\[DRILL_STORED_MISMATCH\]/);
  await app.page.reload();
  await app.sidebar.getByRole('button', { name: /vault/ }).click();
  await expect(card.getByTestId('protection')).toHaveText(
    /^Stale · no schedule · drill failed \d+ s ago: nas at step download \[DRILL_STORED_MISMATCH\] Change/,
  );
  await expect(app.sidebar.locator('.dot.health-stale')).toHaveCount(1);
  // The dot's reason is the card's first line: the drill, never "No recent snapshot" for a snapshot just taken.
  const reason = card.getByTestId('freshness-alert');
  await expect(reason).toContainText('drill failed');
  await expect(reason).not.toContainText('No recent snapshot');
  await app.page.getByRole('tab', { name: 'Activity' }).click();
  await expect(app.page.getByRole('tabpanel', { name: 'Activity' }).getByText('Drill').first()).toBeVisible();
  await app.screenshot('drill-failed');

  // The settings dialog says what a drill costs.
  await app.page.getByRole('tab', { name: 'Snapshots' }).click();
  await card.getByRole('button', { name: 'Change the schedule and retention' }).click();
  await expect(app.dialog.getByTestId('drill-setting')).toHaveText(
    'Drills every 7d, from the app’s lifeboat.json. Each drill reads the newest copy in full from its target: a drill of a 1 GiB copy reads 1 GiB, which the target may bill as egress.',
  );
  await app.screenshot('drill-dialog');
});
