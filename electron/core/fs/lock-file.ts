import * as fs from 'node:fs';
import { LifeboatFailure } from '../lifeboat-failure';
import { isRunning } from './durable-file';
import { readUntrustedText } from './untrusted-file';

/**
 * A lock between processes: a file created with O_EXCL that holds the owner's pid. A lock whose
 * process is gone (killed, crashed) is stale and is taken over; a live one is waited for, briefly.
 * withFileLock holds it around short work (a read-modify-write of a settings file); whileLocked
 * around a whole job that must never run twice at once (a restore), refusing rather than waiting.
 */

const pollMs = 10;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** The pid a lock file names, or null when it cannot be read (being written, gone, or not a small regular file). */
function ownerOf(lockPath: string): number | null {
  const read = readUntrustedText(lockPath, 32);
  const pid = read.kind === 'text' ? Number.parseInt(read.text, 10) : Number.NaN;
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/**
 * Whether a lock with no readable pid may still be getting it: one changed within the last second.
 * Anything else there (left by a process killed while creating it, or garbage, a link or a FIFO that
 * the folder's owner put there, whatever time it claims) holds nothing, even for a taker that never waits.
 */
function beingWritten(lockPath: string, now: number): boolean {
  try {
    return Math.abs(now - fs.lstatSync(lockPath).mtimeMs) <= 1000;
  } catch {
    // Gone meanwhile: the next attempt to create it decides.
    return true;
  }
}

/** The live process holding the lock at `lockPath`, or null when it is free or stale. */
export function liveHolder(lockPath: string): number | null {
  const owner = ownerOf(lockPath);
  return owner !== null && isRunning(owner) ? owner : null;
}

function tryCreate(lockPath: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(
      lockPath,
      fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW,
      0o600,
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      return false;
    }
    throw error;
  }
  try {
    fs.writeSync(fd, String(process.pid));
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

/**
 * Takes the lock at `lockPath` if it is free or stale, waiting up to `timeoutMs` for a live holder;
 * returns null when it is still held then, with the holder's pid in `heldBy`.
 */
function acquire(lockPath: string, timeoutMs: number): { heldBy: number | null } | null {
  const deadline = Date.now() + timeoutMs;
  while (!tryCreate(lockPath)) {
    const owner = ownerOf(lockPath);
    const now = Date.now();
    const stale =
      (owner !== null && owner !== process.pid && !isRunning(owner)) ||
      (owner === null && !beingWritten(lockPath, now));
    if (stale && ownerOf(lockPath) === owner) {
      fs.rmSync(lockPath, { force: true });
      continue;
    }
    if (now >= deadline) {
      return { heldBy: owner };
    }
    sleepSync(pollMs);
  }
  return null;
}

/** Runs `work` while holding the lock at `lockPath`; fails with IO_ERROR if another live process keeps it past `timeoutMs`. */
export function withFileLock<T>(lockPath: string, work: () => T, timeoutMs = 10_000): T {
  const held = acquire(lockPath, timeoutMs);
  if (held !== null) {
    throw new LifeboatFailure(
      'IO_ERROR',
      `${lockPath} is held by process ${String(held.heldBy)}, which did not let go of it. If no Lifeboat is running, delete that file.`,
      lockPath,
    );
  }
  try {
    return work();
  } finally {
    fs.rmSync(lockPath, { force: true });
  }
}

/**
 * Runs async `work` (a whole job) holding the lock at `lockPath`, or calls `refused` with the pid of
 * the live process that holds it: no waiting, since such work takes minutes.
 */
export async function whileLocked<T>(
  lockPath: string,
  refused: (heldBy: number | null) => LifeboatFailure,
  work: () => Promise<T>,
): Promise<T> {
  const outcome = await ifUnlocked(lockPath, work);
  if (!outcome.ran) {
    throw refused(outcome.heldBy);
  }
  return outcome.value;
}

/** Runs async `work` holding the lock if no live process holds it; else says who does and runs nothing. */
export async function ifUnlocked<T>(
  lockPath: string,
  work: () => Promise<T>,
): Promise<{ ran: true; value: T } | { ran: false; heldBy: number | null }> {
  const held = acquire(lockPath, 0);
  if (held !== null) {
    return { ran: false, heldBy: held.heldBy };
  }
  try {
    return { ran: true, value: await work() };
  } finally {
    fs.rmSync(lockPath, { force: true });
  }
}
