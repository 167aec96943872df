import * as fs from 'node:fs';
import { LifeboatFailure } from '../lifeboat-failure';
import { isRunning } from './durable-file';

/**
 * A lock between processes: a file created with O_EXCL that holds the owner's pid. A lock whose
 * process is gone (killed, crashed) is stale and is taken over; a live one is waited for, briefly.
 * Held only around short work (a read-modify-write of a settings file), never across a job.
 */

const pollMs = 10;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** The pid a lock file names, or null when it cannot be read (being written, or gone). */
function ownerOf(lockPath: string): number | null {
  try {
    const pid = Number.parseInt(fs.readFileSync(lockPath, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function tryCreate(lockPath: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(lockPath, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
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

/** Runs `work` while holding the lock at `lockPath`; fails with IO_ERROR if another live process keeps it past `timeoutMs`. */
export function withFileLock<T>(lockPath: string, work: () => T, timeoutMs = 10_000): T {
  const deadline = Date.now() + timeoutMs;
  let unreadableSince: number | null = null;
  while (!tryCreate(lockPath)) {
    const owner = ownerOf(lockPath);
    const now = Date.now();
    // A lock with no readable pid for a whole second was left by a process killed while creating it.
    unreadableSince = owner === null ? (unreadableSince ?? now) : null;
    const stale = (owner !== null && owner !== process.pid && !isRunning(owner)) || (unreadableSince !== null && now - unreadableSince > 1000);
    if (stale && ownerOf(lockPath) === owner) {
      fs.rmSync(lockPath, { force: true });
      continue;
    }
    if (now > deadline) {
      throw new LifeboatFailure('IO_ERROR', `${lockPath} is held by process ${String(owner)}, which did not let go of it. If no Lifeboat is running, delete that file.`, lockPath);
    }
    sleepSync(pollMs);
  }
  try {
    return work();
  } finally {
    fs.rmSync(lockPath, { force: true });
  }
}
