import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Flushes a folder's entry table, so that a rename or link in it survives a power cut. */
export function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (error) {
    // Some platforms (Windows) and file systems cannot open or fsync a folder; the data itself is synced.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'ENOTSUP') {
      throw error;
    }
  } finally {
    if (fd !== undefined) {
      fs.closeSync(fd);
    }
  }
}

/** Removes a file if it is there (true when it was); used to clean up partial files, so a missing file is not an error. */
export function removeIfPresent(filePath: string): boolean {
  try {
    fs.unlinkSync(filePath);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw error;
    }
    return false;
  }
}

/** A file opened for reading, or null when there is no such file (any other failure is thrown). */
export function openIfPresent(filePath: string): number | null {
  try {
    return fs.openSync(filePath, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return null;
    }
    throw error;
  }
}

/** A text file's content, or null when there is no such file (any other failure is thrown). */
export function readTextIfPresent(filePath: string): string | null {
  try {
    return fs.readFileSync(filePath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return null;
    }
    throw error;
  }
}

/** True for the failures of a write to a read-only, forbidden or full disk. */
export function isUnwritableDisk(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOSPC';
}

export const temporaryPrefix = '.lifeboat-tmp-';

/**
 * A name for a file being written, hidden and recognisable: `.lifeboat-tmp-<pid>-<random>`. The pid
 * says whose it is, so that one left by a process that was killed can be told from one being written.
 */
export function temporaryName(suffix: string): string {
  return `${temporaryPrefix}${process.pid}-${crypto.randomBytes(8).toString('hex')}${suffix}`;
}

/** Whether a process with this pid runs (as any user). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// A file whose writer cannot be told (an older name without a pid) is only removed once surely abandoned.
const abandonedAfterMs = 24 * 3600 * 1000;

/**
 * Removes the temporary files a killed process left in `dir` (a snapshot cut short by SIGKILL or a
 * power cut): those whose process no longer runs. Files of running processes are never touched.
 * Returns the names removed.
 */
export function removeAbandonedTemporaries(dir: string, now = Date.now()): string[] {
  const removed: string[] = [];
  const names = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  for (const name of names.filter((n) => n.startsWith(temporaryPrefix))) {
    const pid = /^\.lifeboat-tmp-(\d+)-/.exec(name)?.[1];
    const filePath = path.join(dir, name);
    const stat = fs.lstatSync(filePath, { throwIfNoEntry: false });
    const abandoned =
      stat !== undefined &&
      (pid !== undefined ? !isRunning(Number(pid)) : now - stat.mtimeMs > abandonedAfterMs);
    if (abandoned && (stat.isDirectory() ? removeStagingFolder(dir, name) : removeIfPresent(filePath))) {
      removed.push(name);
    }
  }
  return removed;
}

// On Linux a descriptor can be named as a path: `/proc/self/fd/N/x` is `x` in exactly the folder open at N.
export const descriptorPaths =
  process.platform === 'linux' && fs.existsSync('/proc/self/fd') ? '/proc/self/fd' : null;

/** Opens a folder for its descriptor, never through a link. */
export const folderFlags = fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | (fs.constants.O_NOFOLLOW ?? 0);

/**
 * A folder only Lifeboat's user may change, made inside a folder someone else may write (a backups
 * folder the app's user owns), to hold a file while it is written. Its entries are reached through
 * its open descriptor (`pathOf`), never through its name in `parent`: whoever renames or replaces
 * that name meanwhile changes nothing Lifeboat reads, checks or publishes.
 */
export interface StagingFolder {
  /** The folder's descriptor. */
  readonly fd: number;
  /** A path to `file` inside the folder that resolves through its descriptor. */
  pathOf(file: string): string;
  /** Removes `files` from it, then the folder itself if its name still holds it, and closes it; once. */
  remove(files: readonly string[]): void;
}

/** Makes a staging folder in `parent` (mode 0700, owned by this process's user) and opens it. */
export function makeStagingFolder(parent: string): StagingFolder {
  const name = temporaryName('');
  const folder = path.join(parent, name);
  fs.mkdirSync(folder, { mode: 0o700 });
  const fd = fs.openSync(folder, folderFlags);
  const pathOf = (file: string): string =>
    descriptorPaths === null ? path.join(folder, file) : `${descriptorPaths}/${fd}/${file}`;
  let removed = false;
  return {
    fd,
    pathOf,
    remove: (files) => {
      if (removed) {
        return;
      }
      removed = true;
      try {
        files.forEach((file) => removeIfPresent(pathOf(file)));
        removeEmptyFolderIfSame(parent, name, fs.fstatSync(fd));
      } finally {
        fs.closeSync(fd);
      }
    },
  };
}

/** Removes the folder `name` of `parent` if it is still the folder `expected` (rmdir: only ever an empty one). */
function removeEmptyFolderIfSame(parent: string, name: string, expected: fs.Stats): void {
  const now = fs.lstatSync(path.join(parent, name), { throwIfNoEntry: false });
  if (now?.isDirectory() === true && now.ino === expected.ino && now.dev === expected.dev) {
    try {
      fs.rmdirSync(path.join(parent, name));
    } catch (error) {
      // Renamed away or filled by someone else since: what is left there is theirs, and Lifeboat's is empty.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTEMPTY' && code !== 'EEXIST') {
        throw error;
      }
    }
  }
}

/**
 * Removes a staging folder a killed process left in `parent`: only one of this process's user (the
 * app's user may make one of the same name to steer what root deletes), its files through its
 * descriptor, then the folder.
 */
function removeStagingFolder(parent: string, name: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(path.join(parent, name), folderFlags);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return false;
    }
    throw error;
  }
  try {
    const stat = fs.fstatSync(fd);
    if (process.getuid !== undefined && stat.uid !== process.getuid()) {
      return false;
    }
    const inside = descriptorPaths === null ? path.join(parent, name) : `${descriptorPaths}/${fd}`;
    fs.readdirSync(inside).forEach((file) => removeIfPresent(path.join(inside, file)));
    removeEmptyFolderIfSame(parent, name, stat);
    return true;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Gives a finished file its final name unless the name is taken (then returns false and the file
 * keeps its temporary name): a hard link fails if the name exists, and the file appears complete or
 * not at all. On file systems without hard links it falls back to an exclusive-check rename.
 */
export function publishIfFree(tempPath: string, target: string): boolean {
  try {
    fs.linkSync(tempPath, target);
    fs.unlinkSync(tempPath);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      return false;
    }
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'ENOSYS') {
      throw error;
    }
    if (fs.existsSync(target)) {
      return false;
    }
    fs.renameSync(tempPath, target);
    return true;
  }
}

/** Writes `content` to a new temporary file beside `filePath`, flushed to disk; returns its path. */
function writeFlushedTemporary(filePath: string, content: string, mode: number): string {
  const tempPath = path.join(path.dirname(filePath), temporaryName('.json'));
  try {
    const fd = fs.openSync(tempPath, 'wx', mode);
    try {
      fs.writeFileSync(fd, content);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (error) {
    removeIfPresent(tempPath);
    throw error;
  }
  return tempPath;
}

/** Writes a small file atomically: temporary file, fsync, rename, fsync of the folder. */
export function writeFileAtomically(filePath: string, content: string, mode = 0o644): void {
  const tempPath = writeFlushedTemporary(filePath, content, mode);
  try {
    fs.renameSync(tempPath, filePath);
  } catch (error) {
    removeIfPresent(tempPath);
    throw error;
  }
  fsyncDirectory(path.dirname(filePath));
}

/** The same, unless a file has the name already: then false, and nothing is written (see publishIfFree). */
export function writeFileIfAbsent(filePath: string, content: string, mode = 0o644): boolean {
  const tempPath = writeFlushedTemporary(filePath, content, mode);
  try {
    const placed = publishIfFree(tempPath, filePath);
    if (placed) {
      fsyncDirectory(path.dirname(filePath));
    }
    return placed;
  } finally {
    removeIfPresent(tempPath);
  }
}

/** SHA-256 of a file, read in chunks so that a cancelled job stops promptly. */
export function sha256OfFile(filePath: string, onChunk: (bytes: number) => void): string {
  const fd = fs.openSync(filePath, 'r');
  try {
    return sha256OfDescriptor(fd, onChunk);
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads `length` bytes at `position` into `buffer` unless the file ends first; returns how many were read. */
export function readFullySync(fd: number, buffer: Buffer, length: number, position: number): number {
  let read = 0;
  while (read < length) {
    const bytesRead = fs.readSync(fd, buffer, read, length - read, position + read);
    if (bytesRead === 0) {
      break;
    }
    read += bytesRead;
  }
  return read;
}

/** SHA-256 of the whole file open at `fd`, from its start. */
export function sha256OfDescriptor(fd: number, onChunk: (bytes: number) => void): string {
  const hash = crypto.createHash('sha256');
  const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
  for (let position = 0; ;) {
    const bytesRead = fs.readSync(fd, buffer, 0, buffer.length, position);
    if (bytesRead === 0) {
      return hash.digest('hex');
    }
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
    onChunk(bytesRead);
  }
}
