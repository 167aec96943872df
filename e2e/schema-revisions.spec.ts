import { applyDieselMigrations, openDieselDatabase } from '../electron/testing/diesel-database';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, test } from './fixtures';

/**
 * An app whose migrations are compiled in (Vaultwarden runs Diesel from its binary): only the data
 * folder is on the host. Lifeboat reads the Diesel bookkeeping and compares each snapshot with the
 * live database, naming the revision everywhere it shows one.
 */
test('an app without migration files: snapshots are compared with the live database, by revision', async ({
  app,
  host,
}) => {
  const dataDir = path.join(host.workDir, 'vw-data');
  fs.mkdirSync(dataDir, { recursive: true });
  const databasePath = path.join(dataDir, 'db.sqlite3');
  const db = openDieselDatabase(databasePath, ['20180114171611', '20180217205753']);
  await app.page.setViewportSize({ width: 1024, height: 700 });
  await app.addApp(databasePath);
  const live = app.page.getByRole('region', { name: 'Live database' });
  await expect(live.getByTestId('live-schema')).toContainText('Diesel 20180217205753 (from the database)');
  await expect(await app.startSnapshot('before-upgrade')).toBeHidden();

  // The app upgrades itself when it starts: two more migrations.
  applyDieselMigrations(
    db,
    ['20210315163412', '20240313101500'],
    'CREATE TABLE sends (uuid TEXT PRIMARY KEY)',
  );
  db.close();
  await expect(await app.startSnapshot('after-upgrade')).toBeHidden();
  await expect(live.getByTestId('live-schema')).toContainText('Diesel 20240313101500 (from the database)');
  await expect(app.row('after-upgrade')).toContainText('20240313 · same as live');
  await expect(app.row('before-upgrade')).toContainText('20180217 · 2 behind live');
  await app.screenshot('12-schema-against-live-1024');

  await app.row('before-upgrade').click();
  const schema = app.details.getByTestId('detail-schema');
  await expect(schema).toContainText('20180217205753 · 2 behind live');
  await expect(schema).toContainText('Diesel, against the live database');
  await expect(schema).toContainText(
    'The live database has 2 migrations the snapshot lacks: 20210315163412, 20240313101500.',
  );
  await app.page.emulateMedia({ colorScheme: 'dark' });
  await app.screenshot('13-schema-details-dark-1024');
  await app.details.getByRole('button', { name: 'Restore…' }).click();
  const preview = app.dialog.getByTestId('preview-schema');
  await expect(preview).toContainText('20180217205753 · 2 behind live');
  await expect(preview).toContainText(
    'The live database has 2 migrations the snapshot lacks: 20210315163412, 20240313101500.',
  );
  await expect(app.dialog).toContainText('Lifeboat runs no upgrade');
  await app.screenshot('15-restore-preview-against-live-dark');
  await app.dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(app.dialog).toBeHidden();
  await app.page.keyboard.press('Escape');

  await app.page.setViewportSize({ width: 1920, height: 1080 });
  await app.page.getByRole('tab', { name: /Schema/ }).click();
  await expect(app.page.getByRole('status', { name: 'Schema status' })).toContainText(
    'Diesel records 4 migrations, the newest 20240313101500',
  );
  await expect(
    app.page.getByRole('list', { name: 'Revisions, newest first' }).getByRole('listitem'),
  ).toHaveCount(4);
  await app.screenshot('14-schema-view-live-reference-dark');
});
