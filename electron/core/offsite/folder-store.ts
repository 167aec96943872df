import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import {
  descriptorPaths,
  folderFlags,
  removeAbandonedTemporaries,
  removeIfPresent,
  temporaryName,
  temporaryPrefix,
} from '../fs/durable-file';
import { openUntrusted } from '../fs/untrusted-file';
import { LifeboatFailure } from '../lifeboat-failure';
import type { ObjectStore, SentFacts, StoredObject } from './object-store';

/** A key's parts, each a plain name: a key can never lead outside the target's root. */
export function keyParts(key: string): string[] {
  const parts = key.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..' || p.startsWith(temporaryPrefix))) {
    throw new LifeboatFailure('INVALID_ARGUMENT', `"${key}" is not a key Lifeboat stores under.`);
  }
  return parts;
}

/** SHA-256 of a stream, to the end. */
export async function sha256OfStream(stream: Readable): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

/** A link (or a file, or a folder) where the target should hold a folder (or a file): nothing is written, read or deleted through it. */
function notA(what: 'folder' | 'file', root: string, parts: readonly string[]): LifeboatFailure {
  return new LifeboatFailure(
    'IO_ERROR',
    `${path.join(root, ...parts)} is not a ${what} (a symbolic link, or something else): in a folder target Lifeboat writes, reads and deletes nothing through it. Look at what changed it.`,
    path.join(root, ...parts),
  );
}

/**
 * A folder (a mounted NAS or USB disk): objects are files, written under a temporary name, then
 * renamed. Others may write the folder (the app's user, another machine): every key is walked from
 * the root one folder at a time, each opened without following a link and reached through its
 * parent's descriptor, so whatever is renamed or linked meanwhile can lead nowhere outside the target.
 */
export class FolderStore implements ObjectStore {
  constructor(private readonly root: string) {}

  /** A path to `name` in the folder open at `fd`, resolved through the descriptor (see makeStagingFolder). */
  private static inside(fd: number, name: string, fallback: string): string {
    return descriptorPaths === null ? path.join(fallback, name) : `${descriptorPaths}/${fd}/${name}`;
  }

  /**
   * Runs `use` with the folder `parts` below the root open (each component opened without following
   * a link, through its parent's descriptor), made when `create`; null when it does not exist.
   */
  private async inFolder<T>(
    parts: readonly string[],
    create: boolean,
    use: (fd: number, display: string) => Promise<T>,
  ): Promise<T | null> {
    if (create) {
      // The root is the one the user set: made as a whole, as ever; only what is below it is walked.
      fs.mkdirSync(this.root, { recursive: true });
    }
    let fd: number;
    try {
      fd = fs.openSync(this.root, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new LifeboatFailure(
          'OFFSITE_UNREACHABLE',
          `${this.root} does not exist: mount the disk (or create the folder), then try again.`,
          this.root,
        );
      }
      throw error;
    }
    try {
      for (const [index, part] of parts.entries()) {
        const display = path.join(this.root, ...parts.slice(0, index));
        const next = FolderStore.inside(fd, part, display);
        if (create) {
          try {
            fs.mkdirSync(next);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
              throw error;
            }
          }
        }
        let child: number;
        try {
          child = fs.openSync(next, folderFlags);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') {
            return null;
          }
          throw code === 'ELOOP' || code === 'ENOTDIR'
            ? notA('folder', this.root, parts.slice(0, index + 1))
            : error;
        }
        fs.closeSync(fd);
        fd = child;
      }
      return await use(fd, path.join(this.root, ...parts));
    } finally {
      fs.closeSync(fd);
    }
  }

  /** The object `key` open for reading (the caller closes it): a regular file reached without following a link. */
  private async openObject(key: string): Promise<{ fd: number; stat: fs.Stats }> {
    const parts = keyParts(key);
    const name = parts.pop() ?? '';
    const opened = await this.inFolder(parts, false, (dir, display) => {
      const file = openUntrusted(FolderStore.inside(dir, name, display));
      if (file.kind === 'refused') {
        throw notA('file', this.root, [...parts, name]);
      }
      return Promise.resolve(file.kind === 'open' ? file : null);
    });
    if (opened === null) {
      throw Object.assign(new Error(`ENOENT: ${key} is not in ${this.root}`), { code: 'ENOENT' });
    }
    return opened;
  }

  async list(prefix: string, limit: number): Promise<StoredObject[]> {
    const trimmed = prefix.replace(/\/+$/, '');
    const start = trimmed === '' ? [] : keyParts(trimmed);
    const found: StoredObject[] = [];
    const walk = async (fd: number, parts: readonly string[]): Promise<void> => {
      const display = path.join(this.root, ...parts);
      // Read as it goes, never a whole folder of millions of names at once.
      const entries = await fs.promises.opendir(FolderStore.inside(fd, '', display));
      for await (const entry of entries) {
        if (found.length > limit) {
          // Leaving the loop closes the folder.
          return;
        }
        if (entry.name.startsWith('.')) {
          continue;
        }
        if (entry.isDirectory() && parts.length < 4 + start.length) {
          await this.inFolder([...parts, entry.name], false, (child) => walk(child, [...parts, entry.name]));
        } else if (entry.isFile()) {
          const stat = fs.lstatSync(FolderStore.inside(fd, entry.name, display));
          found.push({ key: [...parts, entry.name].join('/'), size: stat.size });
        }
      }
    };
    await this.inFolder(start, false, (fd) => walk(fd, start));
    return found;
  }

  async put(key: string, body: Readable, signal: AbortSignal): Promise<void> {
    const parts = keyParts(key);
    const name = parts.pop() ?? '';
    await this.inFolder(parts, true, async (dir, display) => {
      const at = (file: string): string => FolderStore.inside(dir, file, display);
      // What a killed push left here (its process is gone) is removed; nothing ever counted it.
      removeAbandonedTemporaries(at(''));
      const temp = temporaryName('.part');
      try {
        const out = fs.createWriteStream(at(temp), { flags: 'wx', mode: 0o600 });
        await pipeline(body, out, { signal });
        const fd = fs.openSync(at(temp), 'r');
        try {
          fs.fsyncSync(fd);
        } finally {
          fs.closeSync(fd);
        }
        fs.renameSync(at(temp), at(name));
        fs.fsyncSync(dir);
      } finally {
        removeIfPresent(at(temp));
      }
    });
  }

  async check(key: string, sent: SentFacts): Promise<string | null> {
    const { fd, stat } = await this.openObject(key);
    if (stat.size !== sent.size) {
      fs.closeSync(fd);
      return `it holds ${stat.size} bytes, not the ${sent.size} sent`;
    }
    const sha256 = await sha256OfStream(fs.createReadStream('', { fd }));
    return sha256 === sent.sha256 ? null : 'its content differs from what was sent';
  }

  async get(key: string): Promise<Readable> {
    return fs.createReadStream('', { fd: (await this.openObject(key)).fd });
  }

  /**
   * Deletes the object `key`: its folder walked from the root without following a link, listed
   * again, and the name deleted through that folder only if it is still a regular file there.
   */
  async remove(key: string): Promise<void> {
    const parts = keyParts(key);
    const name = parts.pop() ?? '';
    await this.inFolder(parts, false, async (dir, display) => {
      const entry = (
        await fs.promises.readdir(FolderStore.inside(dir, '', display), { withFileTypes: true })
      ).find((e) => e.name === name);
      if (entry?.isFile() === true) {
        removeIfPresent(FolderStore.inside(dir, name, display));
      }
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
