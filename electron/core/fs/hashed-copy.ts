import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { promisify } from 'node:util';
import type { JobControl } from '../job-control';

/**
 * Writing a file in chunks while hashing it, as a snapshot's image is written.
 * Two buffers make a pipeline: while one chunk is written and the next one filled on libuv's thread
 * pool, this thread hashes the first, so the checksum costs almost no extra time.
 */

// 2 MiB: large enough for full disk speed, small enough that no single read or write keeps a core
// busy in the kernel for long while the main thread waits to be scheduled.
const chunkBytes = 2 * 1024 * 1024;
const readAsync = promisify(fs.read);
const writeAsync = promisify(fs.write);

/** Reads `length` bytes at `position` unless the file ends first; returns how many were read. */
export async function readFully(
  fd: number,
  buffer: Buffer,
  length: number,
  position: number,
): Promise<number> {
  let read = 0;
  while (read < length) {
    const { bytesRead } = await readAsync(fd, buffer, read, length - read, position + read);
    if (bytesRead === 0) {
      break;
    }
    read += bytesRead;
  }
  return read;
}

async function writeFully(fd: number, buffer: Buffer, length: number, position: number): Promise<void> {
  let written = 0;
  while (written < length) {
    const { bytesWritten } = await writeAsync(fd, buffer, written, length - written, position + written);
    written += bytesWritten;
  }
}

/**
 * Writes `totalBytes` to `destFd` from its start, each chunk's bytes put into the buffer by `fill`
 * (given the buffer, the chunk's position and its length); returns the SHA-256 of what was written.
 */
export async function writeHashed(
  destFd: number,
  totalBytes: number,
  fill: (buffer: Buffer, position: number, length: number) => Promise<void>,
  control: JobControl,
  progress: (bytes: number) => void,
): Promise<string> {
  const hash = crypto.createHash('sha256');
  const buffers = [Buffer.allocUnsafe(chunkBytes), Buffer.allocUnsafe(chunkBytes)] as const;
  const fillChunk = async (index: number): Promise<number> => {
    const position = index * chunkBytes;
    const length = Math.min(chunkBytes, totalBytes - position);
    await fill(buffers[index % 2] as Buffer, position, length);
    return length;
  };
  const chunks = Math.ceil(totalBytes / chunkBytes);
  let length = chunks > 0 ? await fillChunk(0) : 0;
  for (let index = 0; index < chunks; index += 1) {
    control.throwIfCancelled();
    const buffer = buffers[index % 2] as Buffer;
    const written = writeFully(destFd, buffer, length, index * chunkBytes);
    const next = index + 1 < chunks ? fillChunk(index + 1) : Promise.resolve(0);
    hash.update(buffer.subarray(0, length));
    const [, nextLength] = await Promise.all([written, next]);
    progress(length);
    length = nextLength;
  }
  return hash.digest('hex');
}
