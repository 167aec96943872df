import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

/**
 * Small tmpfs mounts for disk-full and read-only tests. They need root (as in CI); elsewhere
 * `mountTmpfs` returns a reason to skip, which the test prints.
 */
export function mountTmpfs(
  dir: string,
  options: string,
): { ok: true; unmount: () => void } | { ok: false; reason: string } {
  if (process.getuid?.() !== 0) {
    return {
      ok: false,
      reason: 'mounting a small tmpfs needs root; run the tests as root (CI does) to cover this case',
    };
  }
  fs.mkdirSync(dir, { recursive: true });
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
  if (result.status !== 0) {
    return {
      ok: false,
      reason: `mount -t tmpfs failed here: ${result.stderr.trim() || String(result.error)}`,
    };
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

/**
 * A small XFS file system with reflinks, in a loop-mounted image inside `dir`'s parent (for "a copy
 * shares its blocks"). Needs root, mkfs.xfs (xfsprogs) and a loop device; otherwise a reason to skip.
 */
export function mountReflinkXfs(
  dir: string,
  sizeMb = 600,
): { ok: true; unmount: () => void } | { ok: false; reason: string } {
  if (process.getuid?.() !== 0) {
    return {
      ok: false,
      reason: 'mounting a loop image needs root; run the tests as root (CI does) to cover this case',
    };
  }
  const image = `${dir}.xfs.img`;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(image, '');
  fs.truncateSync(image, sizeMb * 1024 * 1024);
  const made = spawnSync('mkfs.xfs', ['-q', '-m', 'reflink=1', image], { encoding: 'utf8' });
  if (made.status !== 0) {
    fs.rmSync(image, { force: true });
    return {
      ok: false,
      reason: `mkfs.xfs (xfsprogs) is not usable here: ${made.stderr.trim() || String(made.error)}`,
    };
  }
  const mounted = spawnSync('mount', ['-o', 'loop', image, dir], { encoding: 'utf8' });
  if (mounted.status !== 0) {
    fs.rmSync(image, { force: true });
    return {
      ok: false,
      reason: `mount -o loop failed here: ${mounted.stderr.trim() || String(mounted.error)}`,
    };
  }
  return {
    ok: true,
    unmount: () => {
      spawnSync('umount', [dir]);
      fs.rmSync(image, { force: true });
    },
  };
}
