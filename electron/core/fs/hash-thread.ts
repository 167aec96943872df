import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { sha256OfDescriptor } from './durable-file';

/**
 * SHA-256 of a whole file on a thread of its own, so that the thread asking can do other CPU work
 * meanwhile (a snapshot's quick_check). Worth it for large files only: starting the thread costs
 * 20-30 ms, about what hashing 32 MiB does.
 */

const workerPath = path.join(__dirname, 'hash-worker.js');
const ownThreadFromBytes = 64 * 1024 * 1024;

export interface PendingHash {
  /** The hex digest; rejects if the file could not be read. */
  readonly digest: Promise<string>;
  /** Stops hashing if it still runs, and resolves once the file is no longer read. */
  stop(): Promise<void>;
}

/** A digest already known (a file hashed as it was written). */
export function knownSha256(hex: string): PendingHash {
  return { digest: Promise.resolve(hex), stop: () => Promise.resolve() };
}

/**
 * Starts hashing the `size` bytes of the file open at `fd` (which must stay open until the digest
 * settles): on another thread when the file is large, else here and now.
 */
export function startSha256(fd: number, size: number): PendingHash {
  if (size < ownThreadFromBytes) {
    return knownSha256(sha256OfDescriptor(fd, () => undefined));
  }
  const worker = new Worker(workerPath, { workerData: { fd } });
  const digest = new Promise<string>((resolve, reject) => {
    worker.once('message', (hex: string) => resolve(hex));
    worker.once('error', reject);
  });
  // A digest abandoned (the snapshot failed on another count) may reject with no one waiting for it.
  digest.catch(() => undefined);
  return {
    digest,
    stop: async () => {
      await worker.terminate();
    },
  };
}
