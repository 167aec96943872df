import Database from 'better-sqlite3';
import { spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test as base } from '@playwright/test';
import { sidecarsWithPages, snapshotRowsDigest } from '../electron/testing/fixtures';
import { bin, expect, startHost, test as withHost } from './fixtures';
import { setUpHub, type HubSetup } from './hub-setup';
import { AppPage } from './pages/app-page';

/**
 * The hub in a real Chromium: `lifeboat serve` shows the apps of two hosts, each Debian's sshd on
 * 127.0.0.1 started here, where the Lifeboat of this checkout answers with a settings folder of its
 * own; a third alias leads nowhere. HOME is a scratch folder with .ssh/config, the key and known_hosts.
 */
const test = base;

test('two hosts in the sidebar and the fleet view; a snapshot and a restore run on a host', async ({
  page,
}, testInfo) => {
  test.setTimeout(120_000);
  const hub = await setUpHub(testInfo.outputPath('hub'), {
    nas: ['paperless', 'jellyfin'],
    vps: ['vaultwarden'],
  });
  const dir = testInfo.outputPath('hub');
  let serve: ChildProcess | null = null;
  try {
    const started = await startHost(hub.dataDir, path.join(dir, 'work'), hub.env);
    serve = started.child;
    await page.goto(started.url);
    const app = new AppPage(page);

    // The sidebar: this computer (no apps), then each host with its apps; attic says why it is out of reach.
    await expect(app.sidebar.getByText('No apps here.')).toBeVisible();
    const onNas = app.sidebar.getByRole('list', { name: 'Apps on nas' });
    await expect(onNas.getByRole('button')).toHaveText([/paperless/, /jellyfin/]);
    await expect(app.sidebar.getByRole('list', { name: 'Apps on vps' }).getByRole('button')).toHaveText([
      /vaultwarden/,
    ]);
    await expect(app.sidebar.getByTestId('host-state-nas')).toContainText('online · Lifeboat');
    await expect(app.sidebar.getByTestId('host-state-attic')).toHaveText('unreachable · never reached');
    // Through lifeboat serve, hosts are shown, never added or removed.
    await expect(app.sidebar.getByRole('button', { name: '+ Add a host…' })).toHaveCount(0);

    // An app on vps: the same card, table and snapshot dialog as a local one.
    await app.sidebar.getByRole('button', { name: /vaultwarden/ }).click();
    await expect(page.getByRole('region', { name: 'Live database' })).toContainText('vps');
    await expect(page.getByTestId('offsite')).toContainText('only on vps');
    const dialog = await app.startSnapshot('from-the-hub');
    await expect(dialog).toBeHidden({ timeout: 30_000 });
    await expect(app.row('from-the-hub')).toHaveCount(1);
    const vaultBackups = path.join(dir, 'vps', 'vaultwarden', 'backups');
    expect(fs.readdirSync(vaultBackups).some((name) => name.includes('from-the-hub'))).toBe(true);
    await app.screenshot('40-hosts-sidebar');

    // A copy would be written on the host, and the dialog says so. Through lifeboat serve the host
    // applies the web host's rules: no folder outside those allowed, and this one allows none.
    await app.row('from-the-hub').click();
    await app.details.getByRole('button', { name: 'Restore as a copy…' }).click();
    await expect(app.dialog.getByLabel('New file on vps')).toBeVisible();
    await app.screenshot('43-copy-on-host');
    await app.dialog.getByRole('button', { name: 'Write the copy' }).click();
    await expect(app.dialog.getByRole('alert')).toContainText('is out of reach');
    await app.dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(
      fs.readdirSync(path.join(dir, 'vps', 'vaultwarden')).filter((n) => n.endsWith('-copy.db')),
    ).toEqual([]);

    // The app writes after the snapshot; then a restore with its stepper, run by vps's Lifeboat.
    const vaultDb = path.join(dir, 'vps', 'vaultwarden', 'app.db');
    const later = new Database(vaultDb);
    later.exec("INSERT INTO ledger (account, amount, at) VALUES (1, 5, 'after the snapshot')");
    later.close();
    await app.details.getByRole('button', { name: 'Restore…' }).click();
    await app.dialog.getByRole('button', { name: 'Restore', exact: true }).click();
    await expect(app.dialog.getByRole('status')).toContainText('Restored.', { timeout: 30_000 });
    await expect(app.dialog).toContainText('Pre-restore snapshot (pinned)');
    // On vps, the live database now holds the snapshot's rows, with no sidecar left beside it.
    const restoredFrom = path.join(
      vaultBackups,
      fs.readdirSync(vaultBackups).find((name) => name.endsWith('-from-the-hub.db')) ?? '',
    );
    expect(sidecarsWithPages(vaultDb)).toEqual([]);
    expect(snapshotRowsDigest(vaultDb, restoredFrom)).toBe(snapshotRowsDigest(restoredFrom, restoredFrom));
    await app.dialog.getByRole('button', { name: 'Close' }).click();

    // The fleet: every app of every host, and the host that cannot be reached, with why.
    await app.sidebar.getByRole('button', { name: /Fleet/ }).click();
    const fleet = page.getByRole('table', { name: 'Every app on every host' });
    await expect(fleet.getByTestId('fleet-row')).toHaveCount(3);
    const vault = fleet.getByTestId('fleet-row').filter({ hasText: 'vaultwarden' });
    await expect(vault).toContainText('vps');
    await expect(vault).toContainText('restored');
    await expect(fleet.getByTestId('fleet-row').filter({ hasText: 'paperless' })).toContainText(
      'no snapshot yet',
    );
    await expect(page.getByTestId('fleet-down-attic')).toContainText('could not be reached over SSH');
    await expect(fleet).not.toContainText('…');
    await app.screenshot('41-fleet');
    await vault.getByRole('button', { name: /vaultwarden/ }).click();
    await expect(page.getByRole('heading', { name: 'vaultwarden' })).toBeVisible();
  } finally {
    await stopServeAndHub(serve, hub);
  }
});

test('a host that goes out of reach keeps its apps, greyed, with when it was last seen; they come back with it', async ({
  page,
}, testInfo) => {
  test.setTimeout(120_000);
  const dir = testInfo.outputPath('hub');
  const hub = await setUpHub(dir, { nas: ['paperless'], vps: ['vaultwarden'] });
  // vaultwarden has a snapshot, so its freshness is known before vps goes off.
  const made = spawnSync(
    process.execPath,
    [bin, 'backup', '--db', path.join(dir, 'vps', 'vaultwarden', 'app.db')],
    {
      encoding: 'utf8',
    },
  );
  expect(made.status, made.stderr).toBe(0);
  let serve: ChildProcess | null = null;
  try {
    const started = await startHost(hub.dataDir, path.join(dir, 'work'), hub.env);
    serve = started.child;
    await page.goto(started.url);
    const app = new AppPage(page);
    const onVps = app.sidebar.getByRole('list', { name: 'Apps on vps' });
    const vault = onVps.getByRole('button').filter({ hasText: 'vaultwarden' });
    await expect(app.sidebar.getByTestId('host-state-vps')).toContainText('online · Lifeboat');
    await expect(vault.locator('.app-age')).toHaveText(/^(just now|\d+ s ago)$/);
    await expect(vault.locator('.dot')).toHaveClass(/health-ok/);
    await expect(vault).not.toHaveClass(/out-of-reach/);

    // vps goes off mid-session: its sshd stops and the Lifeboat the hub was talking to there is killed.
    await hub.takeDown('vps');
    await expect(app.sidebar.getByTestId('host-state-vps')).toHaveText(
      /^unreachable · last seen (just now|\d+ s ago)$/,
    );
    // Its app stays, greyed, as vps last listed it: the same dot and age, and when vps was last seen.
    await expect(vault).toHaveCount(1);
    await expect(vault).toHaveClass(/out-of-reach/);
    await expect(vault.locator('.dot')).toHaveClass(/health-ok/);
    await expect(vault.locator('.app-age')).toHaveText(
      /^(just now|\d+ s ago) · last seen (just now|\d+ s ago)$/,
    );
    await expect(
      app.sidebar
        .getByRole('list', { name: 'Apps on nas' })
        .getByRole('button')
        .filter({ hasText: 'paperless' }),
    ).not.toHaveClass(/out-of-reach/);
    await app.screenshot('44-host-out-of-reach-sidebar');

    // The fleet keeps its row too, greyed, with its last known freshness.
    await app.sidebar.getByRole('button', { name: /Fleet/ }).click();
    const fleet = page.getByRole('table', { name: 'Every app on every host' });
    await expect(fleet.getByTestId('fleet-row')).toHaveCount(2);
    const vaultRow = fleet.getByTestId('fleet-row').filter({ hasText: 'vaultwarden' });
    await expect(vaultRow).toHaveClass(/out-of-reach/);
    await expect(vaultRow.locator('td').first()).toHaveText(/^vps · last seen (just now|\d+ s ago)$/);
    await expect(vaultRow.locator('td').nth(2)).toHaveText('fresh');
    await expect(fleet.getByTestId('fleet-row').filter({ hasText: 'paperless' })).not.toHaveClass(
      /out-of-reach/,
    );
    await expect(page.getByTestId('fleet-down-vps')).toContainText('last seen');
    await app.screenshot('45-host-out-of-reach-fleet');

    // vps is back: "Try again" reaches it, and its app is shown as it is now.
    await hub.bringBack('vps');
    await page.getByTestId('fleet-down-vps').getByRole('button', { name: 'Try again' }).click();
    await expect(app.sidebar.getByTestId('host-state-vps')).toContainText('online · Lifeboat');
    await expect(vaultRow).not.toHaveClass(/out-of-reach/);
    await expect(vaultRow.locator('td').first()).toHaveText('vps');
    await expect(vault).not.toHaveClass(/out-of-reach/);
    await expect(vault.locator('.app-age')).not.toContainText('last seen');
  } finally {
    await stopServeAndHub(serve, hub);
  }
});

withHost("the desktop app's Add a host dialog; lifeboat serve refuses to add one", async ({ app }) => {
  // The desktop app may add hosts; through lifeboat serve the page is told it may not. Here the page is
  // told it may (the answer rewritten on its way), to show the dialog; the host still refuses to add.
  await app.page.route('**/api/apps:list', async (route) => {
    const response = await route.fetch();
    const body = (await response.json()) as { ok: boolean; value?: { host: object } };
    if (body.ok && body.value !== undefined) {
      body.value.host = { editOffsite: true, keepsKeys: true, editHosts: true };
    }
    await route.fulfill({ response, json: body });
  });
  await app.openDemo();
  await app.sidebar.getByRole('button', { name: '+ Add a host…' }).click();
  await expect(app.dialog.getByRole('heading', { name: 'Add a host' })).toBeVisible();
  await app.dialog.getByLabel('SSH alias or user@host').fill('-oProxyCommand=evil');
  await app.dialog.getByLabel('Lifeboat command on the host (optional)').fill('/opt/lifeboat/bin/lifeboat');
  await app.screenshot('42-add-host');
  await app.dialog.getByRole('button', { name: 'Add host' }).click();
  await expect(app.dialog.getByRole('alert')).toContainText('an SSH alias or user@host[:port]');
  await app.dialog.getByLabel('SSH alias or user@host').fill('nas');
  await app.dialog.getByRole('button', { name: 'Add host' }).click();
  await expect(app.dialog.getByRole('alert')).toContainText('Hosts cannot be added through lifeboat serve');
});

/** Ends the page's host, then the hub's hosts. */
async function stopServeAndHub(serve: ChildProcess | null, hub: HubSetup): Promise<void> {
  if (serve !== null) {
    const exited = new Promise<void>((resolve) => serve.once('exit', () => resolve()));
    serve.kill('SIGTERM');
    await exited;
  }
  await hub.stop();
}
