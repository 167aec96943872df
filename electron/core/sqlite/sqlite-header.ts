import * as fs from 'node:fs';
import type { FileJournalMode } from '../../contract/restore';

/** The fields of the 100-byte SQLite file header that Lifeboat reads without opening the file. */
export interface SqliteHeader {
  readonly pageSize: number;
  /** 1 = rollback journal, 2 = WAL (bytes 18 and 19). */
  readonly writeVersion: number;
  readonly readVersion: number;
  /** Database size in pages, or null when the header's copy of it is stale (written by old SQLite). */
  readonly pageCount: number | null;
  /** SQLITE_VERSION_NUMBER of the library that last wrote the file, e.g. 3045001. */
  readonly lastWriterVersion: number;
}

export const headerLength = 100;
const magic = Buffer.from('SQLite format 3\0', 'latin1');

export type HeaderReading =
  | { readonly kind: 'empty' }
  | { readonly kind: 'not-sqlite' }
  | { readonly kind: 'sqlite'; readonly header: SqliteHeader };

/** Parses a header from the first bytes of a file. */
export function parseSqliteHeader(bytes: Buffer): HeaderReading {
  if (bytes.length === 0) {
    return { kind: 'empty' };
  }
  if (bytes.length < headerLength || !bytes.subarray(0, magic.length).equals(magic)) {
    return { kind: 'not-sqlite' };
  }
  const rawPageSize = bytes.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) {
    return { kind: 'not-sqlite' };
  }
  const changeCounter = bytes.readUInt32BE(24);
  const inHeaderSize = bytes.readUInt32BE(28);
  const validFor = bytes.readUInt32BE(92);
  return {
    kind: 'sqlite',
    header: {
      pageSize,
      writeVersion: bytes.readUInt8(18),
      readVersion: bytes.readUInt8(19),
      pageCount: inHeaderSize > 0 && validFor === changeCounter ? inHeaderSize : null,
      lastWriterVersion: bytes.readUInt32BE(96),
    },
  };
}

/** Reads and parses the header of a file (never opens it with SQLite). */
export async function readSqliteHeader(filePath: string): Promise<HeaderReading> {
  const handle = await fs.promises.open(filePath, 'r');
  try {
    const buffer = Buffer.alloc(headerLength);
    const { bytesRead } = await handle.read(buffer, 0, headerLength, 0);
    return parseSqliteHeader(buffer.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/** The same, synchronously, for worker code; a FIFO put in a file's place fails the read rather than blocking it. */
export function readSqliteHeaderSync(filePath: string): HeaderReading {
  const fd = fs.openSync(filePath, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  try {
    const buffer = Buffer.alloc(headerLength);
    const bytesRead = fs.readSync(fd, buffer, 0, headerLength, 0);
    return parseSqliteHeader(buffer.subarray(0, bytesRead));
  } finally {
    fs.closeSync(fd);
  }
}

/** The journal mode a header records: 2 in bytes 18-19 is WAL, 1 a rollback journal. */
function fileJournalModeOf(header: SqliteHeader): FileJournalMode {
  return header.writeVersion === 2 ? 'wal' : 'rollback';
}

/** The journal mode of a database file by its header; null when it is empty or not SQLite. */
export function readFileJournalMode(filePath: string): FileJournalMode | null {
  const reading = readSqliteHeaderSync(filePath);
  return reading.kind === 'sqlite' ? fileJournalModeOf(reading.header) : null;
}

/**
 * Sets the journal mode in the header of the database open at `fd`, exactly as `PRAGMA
 * journal_mode` would (bytes 18-19: 2 for WAL, 1 for a rollback journal). Only for a file nothing else
 * has open and that has no -wal beside it: the staged copy of a restore.
 */
export function writeFileJournalMode(fd: number, mode: FileJournalMode): void {
  const version = mode === 'wal' ? 2 : 1;
  fs.writeSync(fd, Buffer.from([version, version]), 0, 2, 18);
}

/** 3045001 → "3.45.1". */
export function formatSqliteVersion(versionNumber: number): string {
  return `${Math.floor(versionNumber / 1000000)}.${Math.floor(versionNumber / 1000) % 1000}.${versionNumber % 1000}`;
}
