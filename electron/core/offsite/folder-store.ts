import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import {
  fsyncDirectory,
  removeAbandonedTemporaries,
  removeIfPresent,
  temporaryName,
  temporaryPrefix,
} from '../fs/durable-file';
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

/** A folder (a mounted NAS or USB disk): objects are files, written under a temporary name, then renamed. */
export class FolderStore implements ObjectStore {
  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    return path.join(this.root, ...keyParts(key));
  }

  async list(prefix: string, limit: number): Promise<StoredObject[]> {
    const trimmed = prefix.replace(/\/+$/, '');
    const start = trimmed === '' ? this.root : this.pathOf(trimmed);
    if (!fs.existsSync(this.root)) {
      throw new LifeboatFailure(
        'OFFSITE_UNREACHABLE',
        `${this.root} does not exist: mount the disk (or create the folder), then try again.`,
        this.root,
      );
    }
    const found: StoredObject[] = [];
    const walk = async (dir: string, depth: number): Promise<void> => {
      let entries: fs.Dir;
      try {
        // Read as it goes, never a whole folder of millions of names at once.
        entries = await fs.promises.opendir(dir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          return;
        }
        throw error;
      }
      for await (const entry of entries) {
        if (found.length > limit) {
          // Leaving the loop closes the folder.
          return;
        }
        const full = path.join(dir, entry.name);
        if (entry.name.startsWith('.')) {
          continue;
        }
        if (entry.isDirectory() && depth < 4) {
          await walk(full, depth + 1);
        } else if (entry.isFile()) {
          const key = path.relative(this.root, full).split(path.sep).join('/');
          found.push({ key, size: (await fs.promises.stat(full)).size });
        }
      }
    };
    await walk(start, 0);
    return found;
  }

  async put(key: string, body: Readable, signal: AbortSignal): Promise<void> {
    const target = this.pathOf(key);
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    // What a killed push left here (its process is gone) is removed; nothing ever counted it.
    removeAbandonedTemporaries(path.dirname(target));
    const temp = path.join(path.dirname(target), temporaryName('.part'));
    try {
      const out = fs.createWriteStream(temp, { flags: 'wx', mode: 0o600 });
      await pipeline(body, out, { signal });
      const fd = fs.openSync(temp, 'r');
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(temp, target);
      fsyncDirectory(path.dirname(target));
    } finally {
      removeIfPresent(temp);
    }
  }

  async check(key: string, sent: SentFacts): Promise<string | null> {
    const file = this.pathOf(key);
    const size = (await fs.promises.stat(file)).size;
    if (size !== sent.size) {
      return `it holds ${size} bytes, not the ${sent.size} sent`;
    }
    const sha256 = await sha256OfStream(fs.createReadStream(file));
    return sha256 === sent.sha256 ? null : 'its content differs from what was sent';
  }

  get(key: string): Promise<Readable> {
    return Promise.resolve(fs.createReadStream(this.pathOf(key)));
  }

  async remove(key: string): Promise<void> {
    removeIfPresent(this.pathOf(key));
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
