import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Electron for the desktop app: its binary, which the electron npm package installs without (its
 * download script is not allowed to run at install time) and which is fetched on first start where
 * it can be, and better-sqlite3 built for Electron's ABI into .electron-native/ (leaving the Node
 * build that the tests and CLI use untouched).
 */

export const root = path.resolve(__dirname, '..', '..', '..');
const nativeDir = path.join(root, '.electron-native');

export function out(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** The Electron binary, as the electron package locates it (dist/ + path.txt), or null if not downloaded. */
export function electronBinary(): string | null {
  const packageDir = path.join(root, 'node_modules', 'electron');
  const pathFile = path.join(packageDir, 'path.txt');
  if (!fs.existsSync(pathFile)) {
    return null;
  }
  const binary = path.join(packageDir, 'dist', fs.readFileSync(pathFile, 'utf8').trim());
  return fs.existsSync(binary) ? binary : null;
}

/** Runs the electron package's own download; returns the binary, or the first line of its error. */
export function downloadElectron(): { binary: string } | { error: string } {
  out('Downloading Electron (first start only)...');
  const result = spawnSync(process.execPath, [path.join(root, 'node_modules', 'electron', 'install.js')], {
    cwd: path.join(root, 'node_modules', 'electron'),
    encoding: 'utf8',
  });
  const binary = electronBinary();
  if (binary !== null) {
    return { binary };
  }
  const firstLine =
    `${result.stderr}${result.stdout}`.split('\n').find((line) => line.trim() !== '') ??
    `exit code ${String(result.status)}`;
  return { error: firstLine.trim() };
}

function versionOf(packageName: string): string {
  const manifest = JSON.parse(
    fs.readFileSync(path.join(root, 'node_modules', packageName, 'package.json'), 'utf8'),
  ) as { version: string };
  return manifest.version;
}

/** Builds better-sqlite3 for Electron into .electron-native/ unless that build is current. */
export async function buildNativeModule(): Promise<void> {
  const electronVersion = versionOf('electron');
  const sqliteVersion = versionOf('better-sqlite3');
  const stampPath = path.join(nativeDir, 'stamp.json');
  const stamp = JSON.stringify({ electronVersion, sqliteVersion });
  if (fs.existsSync(stampPath) && fs.readFileSync(stampPath, 'utf8') === stamp) {
    return;
  }
  out(`Building better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} (first start only)...`);
  fs.rmSync(nativeDir, { recursive: true, force: true });
  const moduleDir = path.join(nativeDir, 'node_modules', 'better-sqlite3');
  fs.cpSync(path.join(root, 'node_modules', 'better-sqlite3'), moduleDir, {
    recursive: true,
    filter: (source) =>
      !source.includes(`${path.sep}build${path.sep}`) && !source.endsWith(`${path.sep}build`),
  });
  fs.writeFileSync(
    path.join(nativeDir, 'package.json'),
    JSON.stringify({
      name: 'lifeboat-electron-native',
      private: true,
      dependencies: { 'better-sqlite3': sqliteVersion },
    }),
  );
  const { rebuild } = await import('@electron/rebuild');
  await rebuild({ buildPath: nativeDir, electronVersion, onlyModules: ['better-sqlite3'], force: true });
  fs.writeFileSync(stampPath, stamp);
}
