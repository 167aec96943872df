import type { DiffValue } from '../../contract/diff';
import { compareOrder } from '../compare-order';

/**
 * SQLite's values as better-sqlite3 gives them with safe integers (null, bigint, number, string,
 * Buffer), ordered and compared the way SQLite does with the BINARY collation: NULL, then numbers (by
 * value, integers and reals alike), then text (by its UTF-8 bytes), then blobs (by their bytes).
 */
export type SqliteValue = null | bigint | number | string | Buffer;

function rank(value: SqliteValue): number {
  if (value === null) return 0;
  if (typeof value === 'bigint' || typeof value === 'number') return 1;
  return typeof value === 'string' ? 2 : 3;
}

/** UTF-8 byte order on UTF-16 strings: code point order, which puts a surrogate (a code point beyond U+FFFF) above every other unit. */
function compareText(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const fx = x >= 0xd800 && x <= 0xdfff ? x + 0x10000 : x;
      const fy = y >= 0xd800 && y <= 0xdfff ? y + 0x10000 : y;
      return fx < fy ? -1 : 1;
    }
  }
  return a.length - b.length;
}

/** SQLite's order of two values under BINARY: negative, zero or positive. */
export function compareValues(a: SqliteValue, b: SqliteValue): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return 0;
    case 1:
      // bigint and number compare by value in JavaScript, as INTEGER and REAL do in SQLite.
      return compareOrder<bigint | number>(a as bigint | number, b as bigint | number);
    case 2:
      return a === b ? 0 : compareText(a as string, b as string);
    default:
      return Buffer.compare(a as Buffer, b as Buffer);
  }
}

/** Whether two cells hold the same value, as `a IS b` says (1 and 1.0 are the same; 1 and '1' are not). */
export function sameValue(a: SqliteValue, b: SqliteValue): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b))
    return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
  const numbers =
    (typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number');
  // eslint-disable-next-line eqeqeq -- a bigint and a number are equal by value only with ==.
  return numbers && a == b;
}

const maxText = 200;
const blobPreview = 16;

/** A cell as JSON for samples: long text cut, big integers as text, blobs by size and first bytes. */
export function toDiffValue(value: SqliteValue): DiffValue {
  if (value === null || typeof value === 'number') return value;
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : { integer: value.toString() };
  }
  if (typeof value === 'string') {
    return value.length <= maxText ? value : { text: value.slice(0, maxText), length: value.length };
  }
  return { blob: value.subarray(0, blobPreview).toString('hex'), size: value.length };
}
