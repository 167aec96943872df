import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Where the better-sqlite3 build for Electron's ABI lives during development: `npm start` builds it
 * into `.electron-native/` beside `node_modules`, so the build for Node (tests, CLI) stays untouched.
 * A packaged app has its module rebuilt for Electron by electron-builder and needs no override.
 */
export function developmentBindingPath(appPath: string): string {
  return path.join(
    appPath,
    '.electron-native',
    'node_modules',
    'better-sqlite3',
    'build',
    'Release',
    'better_sqlite3.node',
  );
}

/** Points core's open-database at the Electron build (before any worker starts), if there is one. */
export function useElectronBinding(appPath: string, packaged: boolean): void {
  const binding = developmentBindingPath(appPath);
  if (!packaged && process.env['LIFEBOAT_SQLITE_BINDING'] === undefined && fs.existsSync(binding)) {
    process.env['LIFEBOAT_SQLITE_BINDING'] = binding;
  }
}
