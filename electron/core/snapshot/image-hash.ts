import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { sha256OfDescriptor } from '../fs/durable-file';

/**
 * The SHA-256 of a snapshot's image, computed beside the kernel's copy rather than after it. A
 * thread reads the snapshot's file close behind the copy (`image-hash-worker.ts`), so that hashing
 * costs the snapshot hardly more time than the copy does, and the quick_check runs beside the rest.
 *
 * Following the copy is done only on local file systems that grow a file as they write into it
 * (ext4, XFS, btrfs, tmpfs, f2fs): elsewhere (a network share may set the size first) the thread
 * waits until the copy is complete. Small images are hashed here once the copy is complete:
 * starting a thread costs 20-30 ms, what hashing about 32 MiB does.
 */

export const copyState = {
  /** The kernel is still copying: read only what it has written, take the log's pages from the log. */
  copying: 0,
  /** The image is complete in the file: read it as it is. */
  copied: 1,
  /** The hashing thread will not read the live database's log again. */
  letGo: 2,
} as const;

export interface ImageHashJob {
  readonly fd: number;
  readonly bytes: number;
  readonly pageSize: number;
  /** The live database's log, and its pages as pairs (page number, offset in the log); none in rollback-journal mode. */
  readonly logFd: number | null;
  readonly logPages: Float64Array;
  readonly trail: boolean;
  /** One Int32: a `copyState`. */
  readonly state: SharedArrayBuffer;
}

export type ImageHashMessage =
  | { readonly kind: 'progress'; readonly bytes: number }
  | { readonly kind: 'digest'; readonly sha256: string };

export interface ImageHash {
  /**
   * Says that the image is complete in the file (the copy done, the log's pages written over it);
   * resolves once the log will not be read again, so that the read transaction may end.
   */
  copied(): Promise<void>;
  /** The hex digest of the image. */
  readonly digest: Promise<string>;
  /** Stops hashing if it still runs (work abandoned), and resolves once nothing is read any more. */
  stop(): Promise<void>;
}

export interface ImageSpec {
  readonly bytes: number;
  readonly pageSize: number;
  readonly log: { readonly fd: number | null; readonly pages: ReadonlyMap<number, number> } | null;
}

const workerPath = path.join(__dirname, 'image-hash-worker.js');
const ownThreadFromBytes = 32 * 1024 * 1024;

// statfs magic numbers of the file systems whose size grows as copy_file_range writes.
const growingFileSystems = new Set([0xef53, 0x58465342, 0x9123683e, 0x01021994, 0xf2f52010]);

/** Whether bytes below the size of the file open at `fd` are already written while the kernel copies into it. */
export function growsAsWritten(fd: number): boolean {
  if (process.platform !== 'linux') {
    return false;
  }
  try {
    return growingFileSystems.has(Number(fs.statfsSync(`/proc/self/fd/${fd}`).type));
  } catch {
    return false;
  }
}

/** Starts hashing the image being copied into the file open at `fd`, which must stay open until the digest settles. */
export function startImageHash(fd: number, image: ImageSpec, onProgress: (bytes: number) => void): ImageHash {
  if (image.bytes < ownThreadFromBytes) {
    let resolve: (sha256: string) => void = () => undefined;
    const digest = new Promise<string>((settle) => {
      resolve = settle;
    });
    return {
      copied: () => {
        resolve(sha256OfDescriptor(fd, onProgress));
        return Promise.resolve();
      },
      digest,
      stop: () => Promise.resolve(),
    };
  }
  const state = new SharedArrayBuffer(4);
  const flag = new Int32Array(state);
  const logPages = new Float64Array([...(image.log?.pages ?? new Map<number, number>())].flat());
  const job: ImageHashJob = {
    fd,
    bytes: image.bytes,
    pageSize: image.pageSize,
    logFd: image.log?.fd ?? null,
    logPages,
    trail: growsAsWritten(fd),
    state,
  };
  const worker = new Worker(workerPath, { workerData: job });
  let running = true;
  const digest = new Promise<string>((resolve, reject) => {
    worker.on('message', (message: ImageHashMessage) => {
      if (message.kind === 'progress') {
        onProgress(message.bytes);
      } else {
        resolve(message.sha256);
      }
    });
    worker.once('error', reject);
    worker.once('exit', () => {
      running = false;
      reject(new Error('The thread hashing the snapshot stopped before it was done.'));
    });
  });
  // A digest abandoned (the snapshot failed on another count) may reject with no one waiting for it.
  digest.catch(() => undefined);
  return {
    copied: async () => {
      Atomics.compareExchange(flag, 0, copyState.copying, copyState.copied);
      Atomics.notify(flag, 0);
      // The thread looks at the flag between two chunks: a few milliseconds at most.
      while (running && Atomics.load(flag, 0) === copyState.copied) {
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    },
    digest,
    stop: async () => {
      await worker.terminate();
    },
  };
}
