import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bin } from './fixtures';
import { AppPage } from './pages/app-page';

/**
 * `lifeboat desktop` (what `npm start` runs) where Electron cannot be had, as on this machine: the
 * installed Chromium's app window on a real X display (Debian's Xvfb), found by its title, seen in a
 * screenshot of the display, and read through the browser's own DevTools port.
 */

const browserPath = '/usr/bin/chromium';
const needed = ['Xvfb', 'xdotool', 'import'];

function missingTools(): string[] {
  const missing = needed.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
  return fs.existsSync(browserPath) ? missing : [...missing, browserPath];
}

/** Xvfb on a display number it picks itself; stopped by the test. */
async function startXvfb(): Promise<{ display: string; stop: () => void }> {
  const server = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1366x850x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
  });
  const number = await new Promise<string>((resolve, reject) => {
    let text = '';
    server.stdio[3]?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(text.trim());
    });
    server.once('exit', () => reject(new Error('Xvfb exited before it named its display')));
  });
  return { display: `:${number}`, stop: () => server.kill() };
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode === null
    ? new Promise((resolve) => child.once('exit', (code) => resolve(code)))
    : Promise.resolve(child.exitCode);
}

/** The processes whose command line names `text`. */
function processesNaming(text: string): string[] {
  const found = spawnSync('pgrep', ['-f', text], { encoding: 'utf8' });
  return found.stdout.split('\n').filter((line) => line.trim() !== '');
}

test('without Electron, lifeboat desktop opens the app window of the installed Chromium; closing it stops everything; a second start shows the running one', async ({}, testInfo) => {
  const missing = missingTools();
  if (missing.length > 0) {
    expect(process.env['CI'], `.ci/run installs ${missing.join(', ')}`).not.toBe('true');
    test.skip(true, `needs ${missing.join(', ')} (apt-get install xvfb xdotool imagemagick chromium)`);
  }
  test.setTimeout(120_000);
  const dataDir = testInfo.outputPath('data');
  const profile = path.join(dataDir, 'app-window');
  const x = await startXvfb();
  const env = {
    ...process.env,
    DISPLAY: x.display,
    CHROMIUM_PATH: browserPath,
    // The test reads the page through DevTools; the port is written into the window's profile.
    LIFEBOAT_BROWSER_ARGS: '--disable-gpu --disable-background-networking --remote-debugging-port=0',
  };
  let output = '';
  const first = spawn(process.execPath, [bin, 'desktop', '--demo', '--data-dir', dataDir], { env });
  first.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  first.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let connected: Browser | null = null;
  try {
    // One line says which shell is used and why.
    await expect
      .poll(() => output, { timeout: 30_000 })
      .toMatch(
        /Electron's window is not available \(.*\), so Lifeboat opens in an app window of chromium \(\/usr\/bin\/chromium\)\./,
      );
    // The window, by its title, on the X display.
    const windowIds = (): string =>
      spawnSync('xdotool', ['search', '--name', '^Lifeboat$'], { env, encoding: 'utf8' }).stdout.trim();
    await expect.poll(windowIds, { timeout: 30_000 }).not.toBe('');

    // What it shows: the demo's snapshot list.
    const portFile = path.join(profile, 'DevToolsActivePort');
    await expect.poll(() => fs.existsSync(portFile)).toBe(true);
    const port = fs.readFileSync(portFile, 'utf8').split('\n')[0] ?? '';
    connected = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
    const context = connected.contexts()[0];
    const lifeboatPage = (): Page | undefined =>
      context?.pages().find((page) => page.url().startsWith('http://127.0.0.1:'));
    await expect.poll(() => lifeboatPage() !== undefined).toBe(true);
    const page = lifeboatPage() as Page;
    expect(new URL(page.url()).search, 'the one-time address is traded for a cookie').toBe('');
    const app = new AppPage(page);
    await expect(app.rows()).toHaveCount(13);
    await expect(page).toHaveTitle('Lifeboat');

    // A screenshot of the display itself, not of a page: the window as a person sees it.
    const shot = testInfo.outputPath('app-window-x11.png');
    const taken = spawnSync('import', ['-window', 'root', '-display', x.display, shot], { encoding: 'utf8' });
    expect(taken.status, taken.stderr).toBe(0);
    fs.mkdirSync('test-results/screenshots', { recursive: true });
    fs.copyFileSync(shot, 'test-results/screenshots/50-app-window-x11.png');
    const geometry = spawnSync('xdotool', ['getwindowgeometry', windowIds().split('\n')[0] ?? ''], {
      env,
      encoding: 'utf8',
    }).stdout;
    expect(geometry).toMatch(/Geometry: 1280x800/);

    // A second start starts nothing: the running Lifeboat shows its window again.
    const second = spawnSync(process.execPath, [bin, 'desktop', '--data-dir', dataDir], {
      env,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(second.status).toBe(0);
    expect(second.stderr).toContain(`Lifeboat is already open (process ${String(first.pid)})`);
    await expect
      .poll(() => context?.pages().filter((p) => p.url().startsWith('http://127.0.0.1:')).length)
      .toBe(2);
    expect(processesNaming(`${bin} desktop`)).toHaveLength(1);

    // Closing its windows stops the core and the browser; nothing is left running.
    for (const open of context?.pages() ?? []) {
      await open.close();
    }
    expect(await exited(first)).toBe(0);
    expect(output).toContain('Lifeboat stopped: its window was closed.');
    expect(fs.existsSync(path.join(dataDir, 'app-window.lock'))).toBe(false);
    await expect.poll(() => processesNaming(profile)).toEqual([]);
  } finally {
    first.kill();
    await connected?.close().catch(() => undefined);
    x.stop();
  }
});
