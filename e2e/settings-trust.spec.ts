import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, test } from './fixtures';

// The app's user is played by nobody (uid 65534), who owns the file: only root can give it to them.
const nobody = 65534;

test("a lifeboat.json the app's user owns is ignored, shown, and adopted once read; commands are never adopted through serve", async ({
  app,
  host,
}) => {
  test.skip(process.getuid?.() !== 0, "needs root, to give the file to another user (the app's)");
  await app.openDemo();
  const file = path.join(host.dataDir, 'demo', 'corner-shop', 'lifeboat.json');
  fs.writeFileSync(file, JSON.stringify({ schedule: { every: '6h' }, retention: { keepLast: 5 } }, null, 2));
  fs.chownSync(file, nobody, nobody);
  await app.page.reload();

  const card = app.page.getByRole('region', { name: 'Live database' });
  const notice = card.getByTestId('settings-ignored');
  await expect(notice).toContainText(`Its lifeboat.json is ignored: it is owned by uid ${nobody}`);
  await expect(notice).toHaveAttribute('title', file);
  // Nothing of it is in effect: the schedule it names is not kept.
  await expect(card.getByTestId('protection')).toContainText('no schedule');
  await expect(app.row('manual')).toBeVisible();
  await app.screenshot('40-settings-ignored');

  await notice.getByRole('button', { name: 'Review and adopt…' }).click();
  const dialog = app.dialog;
  await expect(dialog.getByTestId('settings-text')).toContainText('"every": "6h"');
  const lines = dialog.getByTestId('adopts').getByRole('listitem');
  await expect(lines).toHaveText([
    'schedule: every 6h',
    /^retention: \{"keepLast":5\}, which deletes \d+ of the 13 snapshots at its next run$/,
  ]);
  const deletes = Number(/deletes (\d+)/.exec((await lines.nth(1).textContent()) ?? '')?.[1]);
  expect(deletes).toBeGreaterThan(0);
  await app.screenshot('41-settings-review');
  await dialog.getByRole('button', { name: 'Adopt these settings' }).click();
  await expect(dialog).toBeHidden();
  await expect(notice).toContainText('Lifeboat uses the copy of its settings you adopted');
  await expect(card.getByTestId('protection')).toContainText('every 6h');
  // The schedule was due: its run took a snapshot, then deleted exactly what the review said.
  await expect(app.page.getByTestId('snapshot-count')).toHaveText(String(13 + 1 - deletes));

  // The app's user changes the file: what was adopted stays, and the card says the file changed.
  fs.writeFileSync(
    file,
    JSON.stringify({ run: { preset: 'commands', stop: { shell: 'touch /tmp/lifeboat-pwned' } } }),
  );
  fs.chownSync(file, nobody, nobody);
  await app.page.reload();
  await expect(notice).toContainText('Its lifeboat.json is ignored:');
  await expect(card.getByTestId('protection')).toContainText('every 6h');
  await notice.getByRole('button', { name: 'Review and adopt…' }).click();
  await expect(dialog).toContainText(
    'sets commands to run, which lifeboat serve does not take from the page',
  );
  await expect(dialog.getByRole('button', { name: 'Adopt these settings' })).toBeDisabled();
  await app.screenshot('42-settings-commands-refused');
});
