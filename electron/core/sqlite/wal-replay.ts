import * as fs from 'node:fs';
import type { JobControl } from '../jobs/job-control';

/**
 * Replays the committed frames of an SQLite write-ahead log onto a raw copy of its database file.
 *
 * Format (sqlite.org/fileformat2.html#walformat): a 32-byte header (magic, version, page size,
 * checkpoint sequence, two salts, a checksum), then frames of a 24-byte header (page number, database
 * size after commit or 0, the salts, a cumulative checksum) and one page. A frame belongs to the log
 * when its salts match the header and its checksum continues the chain; a transaction counts only up
 * to a frame whose commit size is non-zero. Everything after the last valid commit (an unfinished
 * transaction, a frame being written, a stale frame from an earlier generation) is ignored, exactly
 * as SQLite's own recovery does.
 */

const walHeaderLength = 32;
const frameHeaderLength = 24;
const walMagicLittleEndian = 0x377f0682;
const walMagicBigEndian = 0x377f0683;
const framesPerRead = 256;

export interface WalReplayOutcome {
  /** Distinct pages written from the log. */
  readonly pagesApplied: number;
  /** Database size in pages after the last commit found, or null when the log holds none. */
  readonly commitPageCount: number | null;
  /**
   * True when a writer restarted the log (new salts) while it was being read, so pages re-read from
   * it may belong to the new generation: the caller must copy again.
   */
  readonly restarted: boolean;
}

const nothingApplied: WalReplayOutcome = { pagesApplied: 0, commitPageCount: null, restarted: false };

interface Checksum {
  s1: number;
  s2: number;
}

/** SQLite's WAL checksum over `data` (a multiple of 8 bytes), continuing from `sum`. */
export function walChecksum(data: Buffer, bigEndian: boolean, sum: Checksum): Checksum {
  let s1 = sum.s1;
  let s2 = sum.s2;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const little = !bigEndian;
  for (let i = 0; i < data.byteLength; i += 8) {
    s1 = (s1 + view.getUint32(i, little) + s2) >>> 0;
    s2 = (s2 + view.getUint32(i + 4, little) + s1) >>> 0;
  }
  return { s1, s2 };
}

/**
 * Applies the log at `walPath` to the file open at `destFd` (a copy of the main database file).
 * Returns what it applied; a missing or empty log, or one with another page size, applies nothing.
 */
export function replayWal(walPath: string, destFd: number, pageSize: number, control: JobControl, onBytesRead: (bytes: number) => void): WalReplayOutcome {
  let fd: number;
  try {
    fd = fs.openSync(walPath, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return nothingApplied;
    }
    throw error;
  }
  try {
    const header = Buffer.alloc(walHeaderLength);
    if (fs.readSync(fd, header, 0, walHeaderLength, 0) < walHeaderLength) {
      return nothingApplied;
    }
    const magicNumber = header.readUInt32BE(0);
    if ((magicNumber !== walMagicLittleEndian && magicNumber !== walMagicBigEndian) || header.readUInt32BE(8) !== pageSize) {
      return nothingApplied;
    }
    const bigEndian = magicNumber === walMagicBigEndian;
    const headerSum = walChecksum(header.subarray(0, 24), bigEndian, { s1: 0, s2: 0 });
    if (headerSum.s1 !== header.readUInt32BE(24) || headerSum.s2 !== header.readUInt32BE(28)) {
      return nothingApplied;
    }
    const salt1 = header.readUInt32BE(16);
    const salt2 = header.readUInt32BE(20);

    const frameLength = frameHeaderLength + pageSize;
    const chunk = Buffer.alloc(frameLength * framesPerRead);
    // Page number → offset in the log of its newest committed frame.
    const committed = new Map<number, number>();
    let pending: Array<[number, number]> = [];
    let commitPageCount: number | null = null;
    let sum = headerSum;
    let position = walHeaderLength;
    let valid = true;
    while (valid) {
      control.throwIfCancelled();
      const bytesRead = fs.readSync(fd, chunk, 0, chunk.length, position);
      onBytesRead(bytesRead);
      const frames = Math.floor(bytesRead / frameLength);
      if (frames === 0) {
        break;
      }
      for (let i = 0; i < frames; i += 1) {
        const frame = chunk.subarray(i * frameLength, (i + 1) * frameLength);
        const pageNumber = frame.readUInt32BE(0);
        const commitSize = frame.readUInt32BE(4);
        if (pageNumber === 0 || frame.readUInt32BE(8) !== salt1 || frame.readUInt32BE(12) !== salt2) {
          valid = false;
          break;
        }
        const next = walChecksum(frame.subarray(frameHeaderLength), bigEndian, walChecksum(frame.subarray(0, 8), bigEndian, sum));
        if (next.s1 !== frame.readUInt32BE(16) || next.s2 !== frame.readUInt32BE(20)) {
          valid = false;
          break;
        }
        sum = next;
        pending.push([pageNumber, position + i * frameLength + frameHeaderLength]);
        if (commitSize !== 0) {
          for (const [page, offset] of pending) {
            committed.set(page, offset);
          }
          pending = [];
          commitPageCount = commitSize;
        }
      }
      position += frames * frameLength;
      valid = valid && frames === framesPerRead;
    }

    const page = Buffer.alloc(pageSize);
    let pagesApplied = 0;
    for (const [pageNumber, offset] of committed) {
      if (commitPageCount !== null && pageNumber > commitPageCount) {
        continue;
      }
      fs.readSync(fd, page, 0, pageSize, offset);
      fs.writeSync(destFd, page, 0, pageSize, (pageNumber - 1) * pageSize);
      pagesApplied += 1;
    }
    const after = Buffer.alloc(walHeaderLength);
    fs.readSync(fd, after, 0, walHeaderLength, 0);
    const restarted = after.readUInt32BE(16) !== salt1 || after.readUInt32BE(20) !== salt2;
    return { pagesApplied, commitPageCount, restarted };
  } finally {
    fs.closeSync(fd);
  }
}
