import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';

/**
 * The attacker of the security tests: the app's own user, who owns the app's folders, while Lifeboat
 * runs as root (a container entrypoint, a server). Played by a real unprivileged user (`nobody`,
 * through util-linux's setpriv), so the kernel decides what each side may do, as it would on a server.
 */

const nobody = { uid: 65534, gid: 65534 };
const setpriv = '/usr/bin/setpriv';

/** Why the hostile-user tests cannot run here, or false when they can (root, with setpriv). */
function hostileUserSkipReason(): string | false {
  if (process.getuid?.() !== 0) {
    return 'needs root, to play both Lifeboat run as root and the app user (nobody) attacking it';
  }
  return fs.existsSync(setpriv) ? false : `needs ${setpriv} (util-linux) to run code as the user nobody`;
}
export const hostileUserSkip: string | false = hostileUserSkipReason();

export const appUser = nobody;

/** Gives a folder (and everything in it) to the app's user, as a container's volume is. */
export function giveToAppUser(...paths: string[]): void {
  for (const p of paths) {
    fs.chownSync(p, nobody.uid, nobody.gid);
  }
}

function asAppUserArgs(script: string, args: readonly string[]): string[] {
  return [
    `--reuid=${nobody.uid}`,
    `--regid=${nobody.gid}`,
    '--clear-groups',
    process.execPath,
    '-e',
    script,
    '--',
    ...args,
  ];
}

/** Runs a Node script as the app's user and waits for it; throws with its stderr if it fails. */
export function runAsAppUser(script: string, ...args: string[]): string {
  const result = spawnSync(setpriv, asAppUserArgs(script, args), { encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) {
    throw new Error(
      `The app user's script failed (${String(result.status ?? result.signal)}): ${result.stderr}`,
    );
  }
  return result.stdout;
}

/** Starts a Node script as the app's user, running on its own (an attacker racing Lifeboat); stop it with `kill()`. */
export function startAsAppUser(script: string, ...args: string[]): ChildProcess {
  return spawn(setpriv, asAppUserArgs(script, args), { stdio: ['ignore', 'pipe', 'inherit'] });
}
