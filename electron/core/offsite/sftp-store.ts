import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import type { FileEntryWithStats, SFTPWrapper } from 'ssh2';
import type SftpClient from 'ssh2-sftp-client';
import { temporaryName } from '../fs/durable-file';
import { LifeboatFailure } from '../lifeboat-failure';
import { keyParts, sha256OfStream } from './folder-store';
import { checkHostKey, knownHostsPath, readKnownHosts, type HostKeyVerdict } from './known-hosts';
import type { ObjectStore, SentFacts, StoredObject } from './object-store';
import type { TargetLocation } from './target-url';

type SftpLocation = Extract<TargetLocation, { kind: 'sftp' }>;

const defaultKeys = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

/** The private key to offer: the URL's `identity`, else the first of ~/.ssh/id_* that exists. */
function privateKeyFor(location: SftpLocation): Buffer | undefined {
  const home = process.env['HOME'] ?? os.homedir();
  const candidates =
    location.identityFile === null
      ? defaultKeys.map((k) => path.join(home, '.ssh', k))
      : [location.identityFile];
  for (const file of candidates) {
    try {
      return fs.readFileSync(file);
    } catch {
      // Not there: the next one, or the agent.
    }
  }
  if (location.identityFile !== null) {
    throw new LifeboatFailure('INVALID_ARGUMENT', `The key ${location.identityFile} cannot be read.`);
  }
  return undefined;
}

function hostKeyFailure(
  location: SftpLocation,
  verdict: Exclude<HostKeyVerdict, { kind: 'known' }>,
): LifeboatFailure {
  const name = location.port === 22 ? location.host : `[${location.host}]:${location.port}`;
  const portFlag = location.port === 22 ? '' : `-p ${location.port} `;
  switch (verdict.kind) {
    case 'unknown':
      return new LifeboatFailure(
        'HOST_KEY_UNKNOWN',
        `${name} is not in ${knownHostsPath()}, so Lifeboat does not trust it. Its ${verdict.keyType} key is ${verdict.fingerprint}: if that is your server's, trust it once with "ssh ${portFlag}${location.user}@${location.host}" (or ssh-keyscan ${portFlag}${location.host} >> ${knownHostsPath()}), then try again.`,
      );
    case 'changed':
      return new LifeboatFailure(
        'HOST_KEY_CHANGED',
        `The host key of ${name} is not the one in ${knownHostsPath()} (line ${verdict.line}); it is now ${verdict.keyType} ${verdict.fingerprint}. This may be an attack, or the server was reinstalled. Nothing was sent. If you know why it changed, remove the old key with "ssh-keygen -R '${name}'" and trust the new one.`,
      );
    case 'revoked':
      return new LifeboatFailure(
        'HOST_KEY_CHANGED',
        `The host key of ${name} (${verdict.fingerprint}) is marked @revoked in ${knownHostsPath()}. Nothing was sent.`,
      );
  }
}

interface RemoteEntry {
  readonly name: string;
  readonly type: 'd' | '-' | 'other';
  readonly size: number;
}

/** A folder, a regular file or anything else, from a mode's type bits. */
function entryType(mode: number): RemoteEntry['type'] {
  switch (mode & 0o170000) {
    case 0o040000:
      return 'd';
    case 0o100000:
      return '-';
    default:
      return 'other';
  }
}

// SFTP's status for the end of a folder's listing.
const sftpEof = 1;

/**
 * The entries of a remote folder, read one batch at a time and no more than `max` of them: a server
 * that lists millions of names (a hostile one) costs this many, never all of them in memory.
 */
async function boundedEntries(client: SftpClient, dir: string, max: number): Promise<RemoteEntry[]> {
  const { sftp } = client as unknown as { sftp: SFTPWrapper | undefined };
  if (sftp === undefined) {
    throw new LifeboatFailure('OFFSITE_UNREACHABLE', `The SFTP session to list ${dir} has ended.`);
  }
  const handle = await new Promise<Buffer>((resolve, reject) =>
    sftp.opendir(dir, (error, opened) => (error ? reject(error) : resolve(opened))),
  );
  const entries: RemoteEntry[] = [];
  try {
    while (entries.length < max) {
      const batch = await new Promise<FileEntryWithStats[] | null>((resolve, reject) =>
        sftp.readdir(handle, (error, list) => {
          const code = (error as (Error & { code?: unknown }) | undefined)?.code;
          if (code === sftpEof) {
            resolve(null);
          } else if (error) {
            reject(error);
          } else {
            resolve(list);
          }
        }),
      );
      if (batch === null) {
        break;
      }
      for (const { filename, attrs } of batch.slice(0, max - entries.length)) {
        entries.push({ name: filename, type: entryType(attrs.mode), size: attrs.size });
      }
    }
  } finally {
    await new Promise<void>((resolve) => sftp.close(handle, () => resolve()));
  }
  return entries;
}

/** A folder on an SSH server (a VPS, a NAS, a storage box), with the user's keys and known_hosts. */
export class SftpStore implements ObjectStore {
  private client: SftpClient | null = null;
  /** Read streams whose remote handle is not closed yet. */
  private readonly reads = new Set<Promise<void>>();

  constructor(private readonly location: SftpLocation) {}

  private async connected(): Promise<SftpClient> {
    if (this.client !== null) {
      return this.client;
    }
    // Loaded when a target is first reached: every CLI command and job thread need not load ssh2.
    const { default: Client } = await import('ssh2-sftp-client');
    const client = new Client('lifeboat');
    const known = readKnownHosts();
    let refusal: LifeboatFailure | null = null;
    const privateKey = privateKeyFor(this.location);
    const agent = process.env['SSH_AUTH_SOCK'];
    try {
      await client.connect({
        host: this.location.host,
        port: this.location.port,
        username: this.location.user,
        ...(privateKey === undefined ? {} : { privateKey }),
        ...(agent === undefined || agent === '' ? {} : { agent }),
        readyTimeout: 15_000,
        hostVerifier: (key: Buffer): boolean => {
          const verdict = checkHostKey(this.location.host, this.location.port, key, known);
          if (verdict.kind !== 'known') {
            refusal = hostKeyFailure(this.location, verdict);
            return false;
          }
          return true;
        },
      });
    } catch (error) {
      await client.end().catch(() => undefined);
      throw refusal ?? error;
    }
    this.client = client;
    return client;
  }

  private pathOf(key: string): string {
    return path.posix.join(this.location.dir, ...keyParts(key));
  }

  async list(prefix: string, limit: number): Promise<StoredObject[]> {
    const client = await this.connected();
    const found: StoredObject[] = [];
    const walk = async (dir: string, relative: string, depth: number): Promise<void> => {
      if ((await client.exists(dir)) !== 'd') {
        return;
      }
      for (const entry of await boundedEntries(client, dir, limit + 1 - found.length)) {
        if (found.length > limit) {
          return;
        }
        const key = relative === '' ? entry.name : `${relative}/${entry.name}`;
        if (entry.name.startsWith('.')) {
          continue;
        }
        if (entry.type === 'd' && depth < 4) {
          await walk(path.posix.join(dir, entry.name), key, depth + 1);
        } else if (entry.type === '-') {
          found.push({ key, size: entry.size });
        }
      }
    };
    const trimmed = prefix.replace(/\/+$/, '');
    await walk(trimmed === '' ? this.location.dir : this.pathOf(trimmed), trimmed, 0);
    return found;
  }

  async put(key: string, body: Readable, signal: AbortSignal): Promise<void> {
    const client = await this.connected();
    const target = this.pathOf(key);
    await client.mkdir(path.posix.dirname(target), true);
    const temp = path.posix.join(path.posix.dirname(target), temporaryName('.part'));
    const abort = (): void => void body.destroy(new LifeboatFailure('CANCELLED', 'Cancelled.'));
    signal.addEventListener('abort', abort);
    try {
      await client.put(body, temp, { writeStreamOptions: { mode: 0o600 } });
      signal.throwIfAborted();
      await client.rename(temp, target);
    } catch (error) {
      await client.delete(temp, true).catch(() => undefined);
      throw error;
    } finally {
      signal.removeEventListener('abort', abort);
    }
  }

  async check(key: string, sent: SentFacts): Promise<string | null> {
    const client = await this.connected();
    const stat = await client.stat(this.pathOf(key));
    if (stat.size !== sent.size) {
      return `it holds ${stat.size} bytes, not the ${sent.size} sent`;
    }
    // SFTP has no checksum of its own: the object is read back.
    const sha256 = await sha256OfStream(await this.get(key));
    return sha256 === sent.sha256 ? null : 'its content differs from what was sent';
  }

  async get(key: string): Promise<Readable> {
    const client = await this.connected();
    const stream = client.createReadStream(this.pathOf(key));
    // A read stream closes its remote handle after its last byte: the connection must outlive that, and
    // an error the closing reports once the content was read (and checked) must not bring the job down.
    const closed = new Promise<void>((resolve) => stream.once('close', resolve));
    this.reads.add(closed);
    void closed.then(() => this.reads.delete(closed));
    stream.on('error', () => undefined);
    return stream;
  }

  async remove(key: string): Promise<void> {
    const client = await this.connected();
    await client.delete(this.pathOf(key), true);
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    const settled = new Promise<void>((resolve) => setTimeout(resolve, 5000).unref());
    await Promise.race([Promise.all([...this.reads]), settled]);
    await client?.end().catch(() => undefined);
  }
}
