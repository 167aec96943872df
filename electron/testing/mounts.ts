import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

/**
 * Small tmpfs mounts for disk-full and read-only tests. They need root (as in CI); elsewhere
 * `mountTmpfs` returns a reason to skip, which the test prints.
 */
export function mountTmpfs(dir: string, options: string): { ok: true; unmount: () => void } | { ok: false; reason: string } {
  if (process.getuid?.() !== 0) {
    return { ok: false, reason: 'mounting a small tmpfs needs root; run the tests as root (CI does) to cover this case' };
  }
  fs.mkdirSync(dir, { recursive: true });
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
  if (result.status !== 0) {
    return { ok: false, reason: `mount -t tmpfs failed here: ${result.stderr.trim() || String(result.error)}` };
  }
  return {
    ok: true,
    unmount: () => {
      spawnSync('umount', [dir]);
    },
  };
}

/** Makes a mounted tmpfs read-only, keeping its files (for "the folder is on a read-only disk"). */
export function remountReadOnly(dir: string): void {
  const result = spawnSync('mount', ['-o', 'remount,ro', dir], { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`remount read-only failed: ${result.stderr}`);
  }
}
