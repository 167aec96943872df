import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LifeboatFailure, valueOrThrow } from '../core/lifeboat-failure';
import { liveHolder } from '../core/fs/lock-file';
import { dispatch } from '../core/service/dispatch';
import { LifeboatService } from '../core/service/lifeboat-service';
import { startWebHost } from '../web/web-host';

/**
 * Lifeboat in an app window of a Chromium-family browser already installed, for machines where
 * Electron cannot be had (its binary download blocked): the same core as `lifeboat serve`, in this
 * process, on 127.0.0.1, with the desktop app's data folder, shown in a window of its own (`--app`,
 * its own profile). Closing the window stops it; a second start has the running one open its window again.
 */

export interface Browser {
  readonly name: string;
  readonly path: string;
}

const linuxNames: ReadonlyArray<[string, string]> = [
  ['chromium', 'Chromium'],
  ['chromium-browser', 'Chromium'],
  ['google-chrome', 'Google Chrome'],
  ['google-chrome-stable', 'Google Chrome'],
  ['microsoft-edge', 'Microsoft Edge'],
  ['microsoft-edge-stable', 'Microsoft Edge'],
  ['brave-browser', 'Brave'],
];

function macBrowsers(): Browser[] {
  return [
    ['Google Chrome', 'Google Chrome'],
    ['Chromium', 'Chromium'],
    ['Microsoft Edge', 'Microsoft Edge'],
    ['Brave Browser', 'Brave'],
  ].map(([app = '', name = '']) => ({ name, path: `/Applications/${app}.app/Contents/MacOS/${app}` }));
}

function windowsBrowsers(env: NodeJS.ProcessEnv): Browser[] {
  const roots = [env['PROGRAMFILES'], env['PROGRAMFILES(X86)'], env['LOCALAPPDATA']].filter(
    (root): root is string => root !== undefined,
  );
  const installs: ReadonlyArray<[string, string]> = [
    ['Google\\Chrome\\Application\\chrome.exe', 'Google Chrome'],
    ['Microsoft\\Edge\\Application\\msedge.exe', 'Microsoft Edge'],
    ['BraveSoftware\\Brave-Browser\\Application\\brave.exe', 'Brave'],
    ['Chromium\\Application\\chrome.exe', 'Chromium'],
  ];
  return roots.flatMap((root) =>
    installs.map(([rest, name]) => ({ name, path: path.win32.join(root, rest) })),
  );
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The browser for the app window: CHROMIUM_PATH if set, else the first Chromium-family browser installed. */
export function findBrowser(env: NodeJS.ProcessEnv = process.env): Browser | null {
  const chosen = env['CHROMIUM_PATH'];
  if (chosen !== undefined && chosen !== '') {
    return isExecutable(chosen) ? { name: path.basename(chosen), path: chosen } : null;
  }
  let candidates: Browser[];
  if (process.platform === 'darwin') {
    candidates = macBrowsers();
  } else if (process.platform === 'win32') {
    candidates = windowsBrowsers(env);
  } else {
    const dirs = (env['PATH'] ?? '').split(path.delimiter).filter((dir) => dir !== '');
    candidates = linuxNames.flatMap(([command, name]) =>
      dirs.map((dir) => ({ name, path: path.join(dir, command) })),
    );
  }
  return candidates.find((browser) => isExecutable(browser.path)) ?? null;
}

/** How the browser is started: an app window (no tabs, no address bar) with its own profile. */
export function browserArgs(url: string, profileDir: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const extra = (env['LIFEBOAT_BROWSER_ARGS'] ?? '').split(/\s+/).filter((arg) => arg !== '');
  return [
    `--app=${url}`,
    `--user-data-dir=${profileDir}`,
    '--window-size=1280,800',
    // The window's class on Linux, so that a desktop groups it under its own name.
    '--class=Lifeboat',
    '--no-first-run',
    '--no-default-browser-check',
    // Chromium refuses to start as root with its sandbox on.
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    ...extra,
  ];
}

export interface AppWindowOptions {
  readonly dataDir: string;
  /** Folders apps may be added from through the window (the web host's rule): the home folder unless given. */
  readonly allow: readonly string[];
  readonly demo: boolean;
  readonly rendererDir: string;
  /** Why Electron is not used ("Electron's window is not available (…)"), said with the shell that is. */
  readonly why: string;
  readonly log: (line: string) => void;
}

/** Waits for SIGINT or SIGTERM. */
function stopSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

/** Takes the one-instance lock, or returns the pid of the Lifeboat window already running. */
function takeLock(lock: string): number | null {
  const running = liveHolder(lock);
  if (running !== null) {
    return running;
  }
  fs.rmSync(lock, { force: true });
  try {
    fs.writeFileSync(lock, String(process.pid), { flag: 'wx', mode: 0o600 });
    return null;
  } catch {
    // Another start took it between the two calls: that one runs, unless it is still writing its pid.
    const holder = liveHolder(lock);
    if (holder === null) {
      throw new LifeboatFailure(
        'IO_ERROR',
        'Another Lifeboat window is starting: try again in a moment.',
        lock,
      );
    }
    return holder;
  }
}

/**
 * Opens Lifeboat in an app window and runs its core until the window is closed (or Ctrl-C). A second
 * call while one runs asks that one to open its window again (a new window of the running browser)
 * and returns at once. Without a browser, serves and prints the address and how to get a browser.
 */
export async function runInAppWindow(options: AppWindowOptions): Promise<number> {
  const { dataDir, log } = options;
  fs.mkdirSync(dataDir, { recursive: true });
  const lock = path.join(dataDir, 'app-window.lock');
  const running = takeLock(lock);
  if (running !== null) {
    process.kill(running, 'SIGUSR2');
    log(`Lifeboat is already open (process ${running}): its browser opens its window again.`);
    return 0;
  }
  // Asked by another start to show the window (set once there is one); never the signal's default, which ends the process.
  let showWindow = (): void => undefined;
  const onShow = (): void => showWindow();
  process.on('SIGUSR2', onShow);
  const allow = options.allow.length === 0 ? [os.homedir()] : options.allow;
  const service = new LifeboatService({ dataDir, origin: 'web', allow, hub: true });
  try {
    service.followBackupsFolders();
    // Scheduled snapshots run while the window is open, as in the desktop app.
    service.startKeeper((line) => log(`${new Date().toISOString()} ${line}`));
    if (options.demo) {
      valueOrThrow(await dispatch(service, 'demo:open', {}));
    }
    const host = await startWebHost(service, { port: 0, rendererDir: options.rendererDir });
    try {
      const browser = findBrowser();
      if (browser === null) {
        log(
          [
            `${options.why}, and no Chromium-family browser was found (Chromium, Chrome, Edge or Brave; CHROMIUM_PATH chooses one).`,
            `Open ${host.url} in any browser on this machine, or install one (Debian/Ubuntu: sudo apt install chromium).`,
            'Press Ctrl-C to stop.',
          ].join('\n'),
        );
        await stopSignal();
        return 0;
      }
      log(`${options.why}, so Lifeboat opens in an app window of ${browser.name} (${browser.path}).`);
      const profileDir = path.join(dataDir, 'app-window');
      const open = (): ChildProcess =>
        spawn(browser.path, browserArgs(host.oneTimeUrl(), profileDir), { stdio: 'ignore' });
      const window = open();
      // Another start: the running browser takes the new command line and shows its window.
      showWindow = () => void open().on('error', () => undefined);
      const closed = new Promise<void>((resolve) => {
        window.once('exit', () => resolve());
        window.once('error', (error) => {
          log(`${browser.name} could not be started: ${error.message}. Open ${host.url} instead.`);
          resolve();
        });
      });
      await Promise.race([closed, stopSignal()]);
      window.kill();
      log(
        'Lifeboat stopped: its window was closed. Scheduled snapshots run only while it is open; on a server, lifeboat serve or lifeboat run-due from cron keeps them going.',
      );
      return 0;
    } finally {
      await host.close();
    }
  } finally {
    process.off('SIGUSR2', onShow);
    await service.shutdown();
    fs.rmSync(lock, { force: true });
  }
}
