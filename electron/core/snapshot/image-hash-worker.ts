import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { readFullySync } from '../fs/durable-file';
import { copyState, type ImageHashJob, type ImageHashMessage } from './image-hash';

/**
 * The thread `startImageHash` starts: the SHA-256 of a snapshot's image, read from the snapshot's
 * own file as the kernel copies into it. Until the copy is complete, only bytes already copied are
 * read (below the file's size, where the file system grows it as it writes), and the pages the log
 * holds are taken from the log, as they will be written over the copy; once the copy is complete
 * the file holds the whole image and is read as it is.
 */

const job = workerData as ImageHashJob;
const state = new Int32Array(job.state);
const logPages = new Map<number, number>();
for (let index = 0; index + 1 < job.logPages.length; index += 2) {
  logPages.set(job.logPages[index] as number, job.logPages[index + 1] as number);
}
const chunkBytes = 4 * 1024 * 1024;

function post(message: ImageHashMessage): void {
  parentPort?.postMessage(message);
}

/** Reads `length` bytes at `position`, zeros past the end of the file. */
function readAt(fd: number, buffer: Buffer, length: number, position: number): void {
  buffer.fill(0, readFullySync(fd, buffer, length, position), length);
}

/** The image's bytes in `buffer` from a chunk of the main file as copied: with the log's pages and the journal-mode bytes. */
function completeChunk(buffer: Buffer, position: number, length: number): void {
  if (job.logFd !== null) {
    for (let offset = 0; offset < length; offset += job.pageSize) {
      const logOffset = logPages.get((position + offset) / job.pageSize + 1);
      if (logOffset !== undefined) {
        readAt(job.logFd, buffer.subarray(offset), job.pageSize, logOffset);
      }
    }
  }
  if (position === 0) {
    buffer[18] = 1;
    buffer[19] = 1;
  }
}

/** Tells the copying thread that the live database and its log will not be read again. */
function letGo(): void {
  Atomics.store(state, 0, copyState.letGo);
  Atomics.notify(state, 0);
}

const hash = crypto.createHash('sha256');
const buffer = Buffer.allocUnsafe(chunkBytes);
let copied = false;
for (let position = 0; position < job.bytes;) {
  if (!copied && Atomics.load(state, 0) === copyState.copied) {
    copied = true;
    letGo();
  }
  const length = Math.min(chunkBytes, job.bytes - position);
  if (!copied && !(job.trail && fs.fstatSync(job.fd).size >= position + length)) {
    Atomics.wait(state, 0, copyState.copying, 5);
    continue;
  }
  readAt(job.fd, buffer, length, position);
  if (!copied) {
    completeChunk(buffer, position, length);
  }
  hash.update(buffer.subarray(0, length));
  position += length;
  post({ kind: 'progress', bytes: length });
}
letGo();
post({ kind: 'digest', sha256: hash.digest('hex') });
