import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The folder where Lifeboat keeps its settings and the demo: the same one Electron's `userData`
 * names for an app called Lifeboat, so the desktop app and `lifeboat serve` share their apps.
 */
export function defaultUserDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const home = os.homedir();
  switch (platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'Lifeboat');
    case 'win32':
      return path.join(env['APPDATA'] ?? path.join(home, 'AppData', 'Roaming'), 'Lifeboat');
    default:
      return path.join(env['XDG_CONFIG_HOME'] ?? path.join(home, '.config'), 'Lifeboat');
  }
}
