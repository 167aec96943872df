import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultUserDataDir } from '../core/settings/user-data-dir';
import { runInAppWindow } from './app-window';
import { buildNativeModule, downloadElectron, electronBinary, out, root } from './electron-binary';

/**
 * `npm start` (and `lifeboat desktop`): launches the desktop app in Electron (electron-binary.ts
 * fetches it and builds its SQLite module on first start). Where Electron cannot be had, Lifeboat
 * opens in an app window of an installed browser instead (app-window.ts).
 */

export interface DesktopOptions {
  readonly dataDir: string;
  readonly allow: readonly string[];
  readonly demo: boolean;
}

/** Electron's binary, downloaded on first start where it can be; else why it cannot be had. */
function findElectron(): { binary: string } | { error: string } {
  if (!fs.existsSync(path.join(root, 'node_modules', 'electron', 'install.js'))) {
    return { error: 'Electron is not installed with this Lifeboat' };
  }
  const found = electronBinary();
  return found === null ? downloadElectron() : { binary: found };
}

/**
 * `npm start` and `lifeboat desktop`: the desktop app in Electron's window where Electron can be had,
 * else in an app window of an installed Chromium-family browser (app-window.ts), the same core either way.
 */
export async function startDesktop(options: DesktopOptions): Promise<number> {
  const electron = findElectron();
  if ('error' in electron) {
    return runInAppWindow({
      ...options,
      rendererDir: path.join(__dirname, '..', '..', 'renderer'),
      why: `Electron's window is not available (${electron.error})`,
      log: out,
    });
  }
  try {
    await buildNativeModule();
  } catch (error) {
    out(
      `Building better-sqlite3 for Electron failed: ${String(error)}\nIt needs make, a C++ compiler, Python 3 and Electron's headers (downloaded once). Meanwhile, npx lifeboat serve --demo works.`,
    );
    return 1;
  }
  out('Lifeboat opens in its Electron window.');
  const child = spawn(electron.binary, [root], {
    stdio: 'inherit',
    env: { ...process.env, LIFEBOAT_USER_DATA: options.dataDir },
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 0)));
}

if (require.main === module) {
  void startDesktop({ dataDir: defaultUserDataDir(), allow: [], demo: false }).then((code) => {
    process.exitCode = code;
  });
}
