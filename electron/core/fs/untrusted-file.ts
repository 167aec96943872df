import * as fs from 'node:fs';
import * as path from 'node:path';
import { LifeboatFailure } from '../lifeboat-failure';

/**
 * Files in folders the app's user can write (the journal beside the database, the records and the
 * activity log in a backups folder) are hostile input when Lifeboat runs as root: any of them may be
 * a link to a root-only file, a FIFO that blocks a read forever, /dev/zero, or another user's file.
 * They are opened here without following a link and without blocking, and used only when they are
 * regular files of a sane size.
 */

// O_NOFOLLOW and O_NONBLOCK do not exist on Windows, where these attacks need rights an app lacks.
const noFollow = (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0);

/** What reading an untrusted file found. */
export type UntrustedRead =
  | { readonly kind: 'missing' }
  | { readonly kind: 'text'; readonly text: string; readonly stat: fs.Stats }
  /** A link, a FIFO or device, a folder, or a file over the size cap: not read. */
  | { readonly kind: 'refused'; readonly reason: string };

function refusalOf(error: unknown): string | null {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ELOOP' || code === 'EMLINK') {
    return 'it is a symbolic link';
  }
  if (code === 'ENXIO' || code === 'EISDIR') {
    return 'it is not a regular file';
  }
  return null;
}

/** A file that someone else may control, opened for reading if it is a regular file (not a link, FIFO or device). */
export type UntrustedOpen =
  | { readonly kind: 'missing' }
  | { readonly kind: 'open'; readonly fd: number; readonly stat: fs.Stats }
  | { readonly kind: 'refused'; readonly reason: string };

export function openUntrusted(filePath: string): UntrustedOpen {
  let fd: number;
  try {
    fd = fs.openSync(filePath, fs.constants.O_RDONLY | noFollow);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { kind: 'missing' };
    }
    const reason = refusalOf(error);
    if (reason === null) {
      throw error;
    }
    return { kind: 'refused', reason };
  }
  const stat = fs.fstatSync(fd);
  if (!stat.isFile()) {
    fs.closeSync(fd);
    return { kind: 'refused', reason: 'it is not a regular file' };
  }
  return { kind: 'open', fd, stat };
}

/** Reads a small text file that someone else may control: never through a link, never a FIFO or device, never more than `maxBytes`. */
export function readUntrustedText(filePath: string, maxBytes: number): UntrustedRead {
  const opened = openUntrusted(filePath);
  if (opened.kind !== 'open') {
    return opened;
  }
  const { fd, stat } = opened;
  try {
    if (stat.size > maxBytes) {
      return {
        kind: 'refused',
        reason: `it is ${stat.size} bytes, more than the ${maxBytes} such a file can be`,
      };
    }
    // One byte more than the file had: a file that grows while read (towards /dev/zero's size) is refused.
    const buffer = Buffer.allocUnsafe(stat.size + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < buffer.length; length += n) {
      n = fs.readSync(fd, buffer, length, buffer.length - length, length);
    }
    if (length > stat.size) {
      return { kind: 'refused', reason: 'it grew while it was read' };
    }
    return { kind: 'text', text: buffer.toString('utf8', 0, length), stat };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads a small text file only Lifeboat should have written (a journal, a record of its own) in a
 * folder someone else can write: as `readUntrustedText`, and refused unless it belongs to the user
 * Lifeboat runs as and has no other name (a hard link another user kept of an older one).
 */
export function readOwnText(filePath: string, maxBytes: number): UntrustedRead {
  const read = readUntrustedText(filePath, maxBytes);
  const uid = process.getuid?.();
  if (read.kind !== 'text' || uid === undefined) {
    return read;
  }
  if (read.stat.uid !== uid) {
    return {
      kind: 'refused',
      reason: `it belongs to user ${read.stat.uid}, not to the user Lifeboat runs as (${uid}), who would have written it`,
    };
  }
  return read.stat.nlink === 1 ? read : { kind: 'refused', reason: 'it has other names (hard links)' };
}

/**
 * Opens a log for appending, creating it if needed, only if it is a regular file with one name, owned
 * by this process's user or by the owner of its folder: never a link, a FIFO or another user's file.
 * For anything else nothing is opened, and the reason is returned.
 */
export function openUntrustedForAppend(filePath: string): { fd: number } | { refused: string } {
  let fd: number;
  try {
    fd = fs.openSync(
      filePath,
      fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | noFollow,
      0o644,
    );
  } catch (error) {
    const reason = refusalOf(error);
    if (reason === null) {
      throw error;
    }
    return { refused: reason };
  }
  const stat = fs.fstatSync(fd);
  const folderOwner = fs.statSync(path.dirname(filePath)).uid;
  const foreign = process.getuid !== undefined && stat.uid !== process.getuid() && stat.uid !== folderOwner;
  const problems: [boolean, string][] = [
    [!stat.isFile(), 'it is not a regular file'],
    [stat.nlink !== 1, 'it has other names (hard links)'],
    [foreign, `it belongs to user ${stat.uid}, neither Lifeboat's nor the folder's owner`],
  ];
  const problem = problems.find(([found]) => found)?.[1] ?? null;
  if (problem !== null) {
    fs.closeSync(fd);
    return { refused: problem };
  }
  return { fd };
}

/**
 * Makes `dir` (a folder Lifeboat keeps its own files in, like `.lifeboat/`) if needed and proves it is
 * a real folder, not a link that would send what is written there somewhere else.
 */
export function ensureOwnFolder(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  if (!fs.lstatSync(dir).isDirectory()) {
    throw new LifeboatFailure(
      'IO_ERROR',
      `${dir} is a link or a file, not a folder; Lifeboat writes nothing through it. Remove it and try again.`,
      dir,
    );
  }
}
