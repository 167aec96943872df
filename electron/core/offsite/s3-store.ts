import type { S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { sha256OfStream } from './folder-store';
import type { ObjectStore, SentFacts, StoredObject } from './object-store';
import type { S3Credentials, TargetLocation } from './target-url';

/** Parts of a multipart upload: S3's minimum is 5 MiB; Lifeboat's ETag check needs to know the size. */
export const s3PartSize = 8 * 1024 * 1024;

/**
 * The SDK, loaded when an S3 target is first reached: it is large, and every CLI command and job
 * thread that never talks to S3 would otherwise load it.
 */
const loadSdk = () => Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/lib-storage')]);

// An ETag that is an MD5 (one part) or an MD5 of part MD5s ("…-N"); others (SSE-KMS, some providers) are not.
const md5Etag = /^"?([0-9a-f]{32}(?:-\d+)?)"?$/;

/**
 * S3 and S3-compatible storage (R2, B2, MinIO, Garage, Wasabi) through the official SDK. Checksums are
 * sent only when an operation requires them (R2 and B2 reject the SDK's default ones); credentials come
 * from Lifeboat's keys for the target when it keeps some, else from the standard chain
 * (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ~/.aws).
 */
export class S3Store implements ObjectStore {
  private readonly sdk = loadSdk();
  private readonly client: Promise<S3Client>;

  constructor(
    private readonly location: Extract<TargetLocation, { kind: 's3' }>,
    credentials: S3Credentials | null,
  ) {
    this.client = this.sdk.then(
      ([{ S3Client }]) =>
        new S3Client({
          ...(credentials === null ? {} : { credentials }),
          region: location.region ?? process.env['AWS_REGION'] ?? 'us-east-1',
          ...(location.endpoint === null ? {} : { endpoint: location.endpoint }),
          forcePathStyle: location.forcePathStyle,
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
          maxAttempts: 3,
        }),
    );
  }

  private fullKey(key: string): string {
    return this.location.prefix === '' ? key : `${this.location.prefix}/${key}`;
  }

  async list(prefix: string, limit: number): Promise<StoredObject[]> {
    const root = this.location.prefix === '' ? '' : `${this.location.prefix}/`;
    const found: StoredObject[] = [];
    let token: string | undefined;
    const [[{ ListObjectsV2Command }], client] = await Promise.all([this.sdk, this.client]);
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: this.location.bucket,
          Prefix: `${root}${prefix}`,
          ContinuationToken: token,
        }),
      );
      for (const item of page.Contents ?? []) {
        if (item.Key?.startsWith(root) === true) {
          found.push({ key: item.Key.slice(root.length), size: item.Size ?? 0 });
        }
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined && found.length <= limit);
    return found;
  }

  async put(key: string, body: Readable, signal: AbortSignal): Promise<void> {
    const [[, { Upload }], client] = await Promise.all([this.sdk, this.client]);
    const upload = new Upload({
      client,
      params: { Bucket: this.location.bucket, Key: this.fullKey(key), Body: body },
      partSize: s3PartSize,
      queueSize: this.location.partConcurrency,
      // An interrupted multipart upload is aborted: its parts never become an object.
      leavePartsOnError: false,
    });
    const abort = (): void => void upload.abort();
    signal.addEventListener('abort', abort);
    try {
      await upload.done();
    } finally {
      signal.removeEventListener('abort', abort);
    }
  }

  async check(key: string, sent: SentFacts): Promise<string | null> {
    const [[{ HeadObjectCommand }], client] = await Promise.all([this.sdk, this.client]);
    const head = await client.send(
      new HeadObjectCommand({ Bucket: this.location.bucket, Key: this.fullKey(key) }),
    );
    if (head.ContentLength !== sent.size) {
      return `it holds ${String(head.ContentLength)} bytes, not the ${sent.size} sent`;
    }
    const etag = md5Etag.exec(head.ETag ?? '')?.[1];
    if (etag !== undefined) {
      return sent.etags.includes(etag) ? null : 'its checksum (ETag) differs from what was sent';
    }
    // An ETag that is no MD5: read the object back.
    const sha256 = await sha256OfStream(await this.get(key));
    return sha256 === sent.sha256 ? null : 'its content differs from what was sent';
  }

  async get(key: string): Promise<Readable> {
    const [[{ GetObjectCommand }], client] = await Promise.all([this.sdk, this.client]);
    const object = await client.send(
      new GetObjectCommand({ Bucket: this.location.bucket, Key: this.fullKey(key) }),
    );
    if (!(object.Body instanceof Readable)) {
      throw new TypeError('The S3 client gave no stream for the object.');
    }
    return object.Body;
  }

  async remove(key: string): Promise<void> {
    const [[{ DeleteObjectCommand }], client] = await Promise.all([this.sdk, this.client]);
    await client.send(new DeleteObjectCommand({ Bucket: this.location.bucket, Key: this.fullKey(key) }));
  }

  async close(): Promise<void> {
    (await this.client).destroy();
  }
}
