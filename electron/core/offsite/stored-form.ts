import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { Readable, pipeline } from 'node:stream';
import * as zlib from 'node:zlib';
import { LifeboatFailure } from '../lifeboat-failure';
import { s3PartSize } from './s3-store';
import type { SentFacts } from './object-store';
import type * as Age from 'age-encryption' with { 'resolution-mode': 'import' };

/**
 * How a snapshot is stored offsite: the SQLite file, then gzip (optional), then age (optional), so
 * that `age -d -i key.txt x.db.gz.age | gunzip > x.db` gets it back without Lifeboat. Hashes are taken
 * on the way out, of the plain file and of the stored bytes, in the same pass as the upload.
 */

interface StoredForm {
  readonly gzip: boolean;
  readonly encryptTo: readonly string[];
}

/** `.db`, `.db.gz`, `.db.age` or `.db.gz.age`. */
export function storedSuffix(form: { readonly gzip: boolean; readonly encrypted: boolean }): string {
  return `.db${form.gzip ? '.gz' : ''}${form.encrypted ? '.age' : ''}`;
}

type AgeModule = typeof Age;
// age-encryption is an ES module: loaded once, when first needed.
let ageModule: Promise<AgeModule> | null = null;
function age(): Promise<AgeModule> {
  ageModule ??= import('age-encryption');
  return ageModule;
}

async function* tapped(
  source: AsyncIterable<Buffer | Uint8Array>,
  onChunk: (chunk: Buffer) => void,
): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    const buffer = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    onChunk(buffer);
    yield buffer;
  }
}

/** One stream into another, errors passed along (a failed read fails the upload). */
function through(source: Readable, transform: NodeJS.ReadWriteStream): Readable {
  return pipeline(source, transform, () => undefined) as unknown as Readable;
}

function toWeb(stream: Readable): globalThis.ReadableStream<Uint8Array> {
  return Readable.toWeb(stream);
}

/** Hashes of the stored bytes as they go: SHA-256, and the MD5s an S3 server's ETag may be. */
class StoredHashes {
  readonly sha256 = crypto.createHash('sha256');
  readonly md5 = crypto.createHash('md5');
  readonly partMd5s: Buffer[] = [];
  private part = crypto.createHash('md5');
  private partBytes = 0;
  size = 0;

  add(chunk: Buffer): void {
    this.sha256.update(chunk);
    this.md5.update(chunk);
    this.size += chunk.length;
    for (let offset = 0; offset < chunk.length;) {
      const take = Math.min(chunk.length - offset, s3PartSize - this.partBytes);
      this.part.update(chunk.subarray(offset, offset + take));
      this.partBytes += take;
      offset += take;
      if (this.partBytes === s3PartSize) {
        this.partMd5s.push(this.part.digest());
        this.part = crypto.createHash('md5');
        this.partBytes = 0;
      }
    }
  }

  facts(): SentFacts {
    const parts = this.partBytes > 0 ? [...this.partMd5s, this.part.digest()] : this.partMd5s;
    const multipart = `${crypto.createHash('md5').update(Buffer.concat(parts)).digest('hex')}-${parts.length}`;
    return { size: this.size, sha256: this.sha256.digest('hex'), etags: [this.md5.digest('hex'), multipart] };
  }
}

interface Encoding {
  readonly body: Readable;
  /** Once the body was read to its end: the plain file's and the stored bytes' facts. */
  facts(): { readonly plain: { size: number; sha256: string }; readonly stored: SentFacts };
}

/** The stored form of a snapshot file as a stream, hashed as it is read; `onPlain` counts plain bytes. */
export async function encodeSnapshot(
  file: string,
  form: StoredForm,
  onPlain: (bytes: number) => void,
): Promise<Encoding> {
  const plainHash = crypto.createHash('sha256');
  let plainSize = 0;
  let stream: Readable = Readable.from(
    tapped(fs.createReadStream(file, { highWaterMark: 1024 * 1024 }), (chunk) => {
      plainHash.update(chunk);
      plainSize += chunk.length;
      onPlain(plainSize);
    }),
  );
  if (form.gzip) {
    stream = through(stream, zlib.createGzip({ level: 6 }));
  }
  if (form.encryptTo.length > 0) {
    const { Encrypter } = await age();
    const encrypter = new Encrypter();
    form.encryptTo.forEach((recipient) => encrypter.addRecipient(recipient));
    stream = Readable.fromWeb(await encrypter.encrypt(toWeb(stream)));
  }
  const stored = new StoredHashes();
  const body = Readable.from(tapped(stream, (chunk) => stored.add(chunk)));
  return {
    body,
    facts: () => ({ plain: { size: plainSize, sha256: plainHash.digest('hex') }, stored: stored.facts() }),
  };
}

/** The age identities (`AGE-SECRET-KEY-…` lines) in an identity file, as `age-keygen` writes it. */
export function readIdentities(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `The age identity file ${file} cannot be read (${(error as Error).message}).`,
      file,
    );
  }
  const identities = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('AGE-SECRET-KEY-'));
  if (identities.length === 0) {
    throw new LifeboatFailure('INVALID_ARGUMENT', `${file} holds no age identity (AGE-SECRET-KEY-…).`, file);
  }
  return identities;
}

/** The plain SQLite bytes from a stored object's stream: age-decrypted, then gunzipped, as the manifest says. */
export async function decodeStored(
  stored: Readable,
  form: { readonly gzip: boolean; readonly encrypted: boolean },
  identities: readonly string[],
): Promise<Readable> {
  let stream = stored;
  if (form.encrypted) {
    if (identities.length === 0) {
      throw new LifeboatFailure(
        'DECRYPT_FAILED',
        'This snapshot is encrypted with age: give the identity file with --identity FILE (or LIFEBOAT_AGE_IDENTITY).',
      );
    }
    const { Decrypter } = await age();
    const decrypter = new Decrypter();
    identities.forEach((identity) => decrypter.addIdentity(identity));
    try {
      stream = Readable.fromWeb(await decrypter.decrypt(toWeb(stream)));
    } catch (error) {
      throw new LifeboatFailure(
        'DECRYPT_FAILED',
        `The snapshot could not be decrypted with the identities given (${(error as Error).message}). Use the identity whose recipient the target encrypts to.`,
      );
    }
  }
  return form.gzip ? through(stream, zlib.createGunzip()) : stream;
}
