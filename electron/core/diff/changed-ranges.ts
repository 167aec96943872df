import * as fs from 'node:fs';
import { compareOrder } from '../compare-order';

/**
 * Where two snapshots of one database can differ, found from their pages rather than their rows.
 * Two snapshots of a database share almost every page byte for byte. A rowid table's rows on a leaf
 * page that is the same page of the same table in both files, byte for byte (and whose overflow pages
 * are unchanged too), are the same rows in both; so only the rowid ranges of the other leaves need
 * their rows compared. The ranges come from the tables' interior pages (each divider bounds its
 * child), read directly from the files: the leaves themselves are only compared, never parsed for
 * rows. Anything unexpected (another page size, a page that is not what the tree says) answers null,
 * and the caller compares every row instead.
 */

/** A range of rowids, lower bound excluded, upper included; null bounds are open. */
export interface RowidRange {
  readonly after: bigint | null;
  readonly upTo: bigint | null;
}

interface Leaf extends RowidRange {
  readonly page: number;
}

const chunkPages = 256;

class PageFile {
  readonly pageSize: number;
  readonly usable: number;
  readonly pageCount: number;
  private readonly fd: number;

  constructor(filePath: string) {
    this.fd = fs.openSync(filePath, 'r');
    const header = Buffer.alloc(100);
    fs.readSync(this.fd, header, 0, 100, 0);
    const raw = header.readUInt16BE(16);
    this.pageSize = raw === 1 ? 65536 : raw;
    this.usable = this.pageSize - header.readUInt8(20);
    this.pageCount = Math.floor(fs.fstatSync(this.fd).size / this.pageSize);
  }

  page(number: number): Buffer {
    const buffer = Buffer.alloc(this.pageSize);
    fs.readSync(this.fd, buffer, 0, this.pageSize, (number - 1) * this.pageSize);
    return buffer;
  }

  read(buffer: Buffer, firstPage: number): number {
    return fs.readSync(this.fd, buffer, 0, buffer.length, (firstPage - 1) * this.pageSize);
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

/** A varint at `offset`: its value (as a signed 64-bit integer) and length. */
function varint(page: Buffer, offset: number): { value: bigint; length: number } {
  let value = 0n;
  for (let i = 0; i < 8; i += 1) {
    const byte = page[offset + i] ?? 0;
    value = (value << 7n) | BigInt(byte & 0x7f);
    if ((byte & 0x80) === 0) {
      return { value: BigInt.asIntN(64, value), length: i + 1 };
    }
  }
  value = (value << 8n) | BigInt(page[offset + 8] ?? 0);
  return { value: BigInt.asIntN(64, value), length: 9 };
}

class NotATableTree extends Error {}

/** The leaves of a rowid table's b-tree, each with the rowid range its parents give it; `types`: each page's type byte. */
function leavesOf(file: PageFile, types: Uint8Array, root: number): Leaf[] {
  const leaves: Leaf[] = [];
  const visit = (number: number, after: bigint | null, upTo: bigint | null, depth: number): void => {
    if (number < 1 || number > file.pageCount || depth > 20) {
      throw new NotATableTree();
    }
    // Leaves are told by the type the scan saw: only interior pages are read again.
    const type = types[number];
    if (type === 0x0d) {
      leaves.push({ page: number, after, upTo });
      return;
    }
    if (type !== 0x05) {
      throw new NotATableTree();
    }
    const page = file.page(number);
    const header = number === 1 ? 100 : 0;
    const cells = page.readUInt16BE(header + 3);
    let lower = after;
    for (let i = 0; i < cells; i += 1) {
      const pointer = page.readUInt16BE(header + 12 + 2 * i);
      const child = page.readUInt32BE(pointer);
      const key = varint(page, pointer + 4).value;
      visit(child, lower, key, depth + 1);
      lower = key;
    }
    visit(page.readUInt32BE(header + 8), lower, upTo, depth + 1);
  };
  visit(root, null, null, 0);
  return leaves;
}

/** The first overflow page of each cell of a table leaf (at `base` in `chunk`) that spills; empty for most leaves. */
function overflowHeads(chunk: Buffer, base: number, header: number, usable: number): number[] {
  const page = chunk.subarray(base, base + usable);
  const cells = page.readUInt16BE(header + 3);
  const maxLocal = usable - 35;
  const minLocal = Math.floor(((usable - 12) * 32) / 255) - 23;
  const heads: number[] = [];
  for (let i = 0; i < cells; i += 1) {
    const pointer = page.readUInt16BE(header + 8 + 2 * i);
    // A payload under 128 bytes (one varint byte) never spills: most rows are decided here.
    if (pointer >= page.length || ((page[pointer] ?? 0) & 0x80) === 0) {
      continue;
    }
    const payload = varint(page, pointer);
    const size = Number(payload.value);
    if (size > maxLocal) {
      const rowid = varint(page, pointer + payload.length);
      const k = minLocal + ((size - minLocal) % (usable - 4));
      const local = k <= maxLocal ? k : minLocal;
      heads.push(page.readUInt32BE(pointer + payload.length + rowid.length + local));
    }
  }
  return heads;
}

interface PageScan {
  /** Pages that differ between the two files, or exist in one only. */
  readonly differing: Set<number>;
  /** For each table leaf of A with rows that spill: their first overflow pages. */
  readonly overflow: Map<number, number[]>;
  /** The first four bytes of each page of A: an overflow page's next page. */
  readonly next: Uint32Array;
  /** Each page's b-tree type byte, in A and in B. */
  readonly typesA: Uint8Array;
  readonly typesB: Uint8Array;
}

/** Both files read once, in order, chunk by chunk: which pages differ, and A's overflow chains. */
function scanPages(a: PageFile, b: PageFile): PageScan {
  const differing = new Set<number>();
  const overflow = new Map<number, number[]>();
  const next = new Uint32Array(a.pageCount + 1);
  const typesA = new Uint8Array(a.pageCount + 1);
  const typesB = new Uint8Array(b.pageCount + 1);
  const size = a.pageSize;
  const bufferA = Buffer.alloc(size * chunkPages);
  const bufferB = Buffer.alloc(size * chunkPages);
  const last = Math.max(a.pageCount, b.pageCount);
  for (let first = 1; first <= last; first += chunkPages) {
    const readA = first <= a.pageCount ? a.read(bufferA, first) : 0;
    const readB = first <= b.pageCount ? b.read(bufferB, first) : 0;
    const both = Math.min(readA, readB);
    const same = both === bufferA.length && bufferA.equals(bufferB);
    for (let i = 0; i < chunkPages && first + i <= last; i += 1) {
      const number = first + i;
      const start = i * size;
      const end = start + size;
      const header = number === 1 ? 100 : 0;
      if (end <= readB) {
        typesB[number] = bufferB[start + header] ?? 0;
      }
      if (end <= readA) {
        next[number] = bufferA.readUInt32BE(start);
        typesA[number] = bufferA[start + header] ?? 0;
        if (typesA[number] === 0x0d) {
          const heads = overflowHeads(bufferA, start, header, a.usable);
          if (heads.length > 0) overflow.set(number, heads);
        }
      }
      if (!same && (end > both || bufferA.compare(bufferB, start, end, start, end) !== 0)) {
        differing.add(number);
      }
    }
  }
  return { differing, overflow, next, typesA, typesB };
}

/**
 * Whether a leaf's rows are the same in both files: the same page, unchanged, a leaf of the table in
 * both trees, and every page of its overflow chains unchanged too (an unchanged leaf may point to an
 * overflow page whose content was rewritten in place).
 */
function leafUnchanged(scan: PageScan, page: number, leavesOfOther: ReadonlySet<number>): boolean {
  if (scan.differing.has(page) || !leavesOfOther.has(page)) {
    return false;
  }
  for (let next of scan.overflow.get(page) ?? []) {
    for (let hops = 0; next !== 0; hops += 1) {
      if (scan.differing.has(next) || next >= scan.next.length || hops >= scan.next.length) {
        return false;
      }
      next = scan.next[next] ?? 0;
    }
  }
  return true;
}

function merge(ranges: RowidRange[]): RowidRange[] {
  const low = (r: RowidRange): bigint => r.after ?? -(2n ** 64n);
  const high = (r: RowidRange): bigint => r.upTo ?? 2n ** 64n;
  const sorted = [...ranges].sort((x, y) => compareOrder(low(x), low(y)));
  const merged: RowidRange[] = [];
  for (const range of sorted) {
    const previous = merged.at(-1);
    if (previous !== undefined && low(range) <= high(previous)) {
      merged[merged.length - 1] = {
        after: previous.after,
        upTo: high(range) > high(previous) ? range.upTo : previous.upTo,
      };
    } else {
      merged.push(range);
    }
  }
  return merged;
}

/** Prepared once per pair of files: which pages differ. */
export interface PagePair {
  /** The rowid ranges of a table (by its root page in each file) whose rows may differ; null: compare every row. */
  rangesOf(rootA: number, rootB: number): RowidRange[] | null;
  close(): void;
}

/** Compares two database files page by page; null when they cannot be compared so (another page size). */
export function comparePages(pathA: string, pathB: string): PagePair | null {
  const a = new PageFile(pathA);
  const b = new PageFile(pathB);
  if (a.pageSize !== b.pageSize || a.usable !== b.usable) {
    a.close();
    b.close();
    return null;
  }
  const scan = scanPages(a, b);
  return {
    rangesOf(rootA: number, rootB: number): RowidRange[] | null {
      try {
        const leavesA = leavesOf(a, scan.typesA, rootA);
        const leavesB = leavesOf(b, scan.typesB, rootB);
        const pagesA = new Set(leavesA.map((l) => l.page));
        const pagesB = new Set(leavesB.map((l) => l.page));
        // An unchanged page is the same in both files: A's record of its overflow chains serves for B's leaves too.
        const suspect = [
          ...leavesA.filter((l) => !leafUnchanged(scan, l.page, pagesB)),
          ...leavesB.filter((l) => !leafUnchanged(scan, l.page, pagesA)),
        ];
        return merge(suspect.map(({ after, upTo }) => ({ after, upTo })));
      } catch (error) {
        if (error instanceof NotATableTree) {
          return null;
        }
        throw error;
      }
    },
    close(): void {
      a.close();
      b.close();
    },
  };
}
