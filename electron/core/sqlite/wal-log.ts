import * as fs from 'node:fs';
import type { JobControl } from '../job-control';
import { openIfPresent } from '../fs/durable-file';

/**
 * Reads the committed content of an SQLite write-ahead log without SQLite's help.
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

/** The committed pages of a log: for each page, where its newest committed version lies. */
export interface WalLog {
  /** Open descriptor of the log, to read pages from; closed by `close()`. */
  readonly fd: number | null;
  /** Page number → byte offset of its newest committed page image in the log. */
  readonly pages: ReadonlyMap<number, number>;
  /** Database size in pages after the last commit, or null when the log holds none. */
  readonly commitPageCount: number | null;
  /** True when a writer restarted the log since it was scanned: offsets may now hold other pages. */
  restartedSinceScan(): boolean;
  close(): void;
}

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

const emptyLog: WalLog = {
  fd: null,
  pages: new Map(),
  commitPageCount: null,
  restartedSinceScan: () => false,
  close: () => undefined,
};

function readSalts(fd: number): [number, number] {
  const header = Buffer.alloc(walHeaderLength);
  const bytes = fs.readSync(fd, header, 0, walHeaderLength, 0);
  return bytes < walHeaderLength ? [0, 0] : [header.readUInt32BE(16), header.readUInt32BE(20)];
}

/**
 * Scans the log at `walPath` for a database of `pageSize`. A missing or empty log, or one with
 * another page size or a bad header, holds nothing.
 */
export function scanWal(
  walPath: string,
  pageSize: number,
  control: JobControl,
  onBytesRead: (bytes: number) => void,
): WalLog {
  const fd = openIfPresent(walPath);
  if (fd === null) {
    return emptyLog;
  }
  const close = (): void => fs.closeSync(fd);
  try {
    const header = Buffer.alloc(walHeaderLength);
    if (fs.readSync(fd, header, 0, walHeaderLength, 0) < walHeaderLength) {
      close();
      return emptyLog;
    }
    const magicNumber = header.readUInt32BE(0);
    const bigEndian = magicNumber === walMagicBigEndian;
    const headerSum = walChecksum(header.subarray(0, 24), bigEndian, { s1: 0, s2: 0 });
    const usable =
      (magicNumber === walMagicLittleEndian || bigEndian) &&
      header.readUInt32BE(8) === pageSize &&
      headerSum.s1 === header.readUInt32BE(24) &&
      headerSum.s2 === header.readUInt32BE(28);
    if (!usable) {
      close();
      return emptyLog;
    }
    const salt1 = header.readUInt32BE(16);
    const salt2 = header.readUInt32BE(20);

    const frameLength = frameHeaderLength + pageSize;
    const chunk = Buffer.alloc(frameLength * framesPerRead);
    const pages = new Map<number, number>();
    let pending: Array<[number, number]> = [];
    let commitPageCount: number | null = null;
    let sum = headerSum;
    let position = walHeaderLength;
    for (let valid = true; valid;) {
      control.throwIfCancelled();
      const bytesRead = fs.readSync(fd, chunk, 0, chunk.length, position);
      onBytesRead(bytesRead);
      const frames = Math.floor(bytesRead / frameLength);
      valid = frames === framesPerRead;
      for (let i = 0; i < frames; i += 1) {
        const frame = chunk.subarray(i * frameLength, (i + 1) * frameLength);
        const pageNumber = frame.readUInt32BE(0);
        const commitSize = frame.readUInt32BE(4);
        const next = walChecksum(
          frame.subarray(frameHeaderLength),
          bigEndian,
          walChecksum(frame.subarray(0, 8), bigEndian, sum),
        );
        const belongs =
          pageNumber !== 0 &&
          frame.readUInt32BE(8) === salt1 &&
          frame.readUInt32BE(12) === salt2 &&
          next.s1 === frame.readUInt32BE(16) &&
          next.s2 === frame.readUInt32BE(20);
        if (!belongs) {
          valid = false;
          break;
        }
        sum = next;
        pending.push([pageNumber, position + i * frameLength + frameHeaderLength]);
        if (commitSize !== 0) {
          for (const [page, offset] of pending) {
            pages.set(page, offset);
          }
          pending = [];
          commitPageCount = commitSize;
        }
      }
      position += frames * frameLength;
    }
    return {
      fd,
      pages,
      commitPageCount,
      restartedSinceScan: () => {
        const [now1, now2] = readSalts(fd);
        return now1 !== salt1 || now2 !== salt2;
      },
      close,
    };
  } catch (error) {
    close();
    throw error;
  }
}
