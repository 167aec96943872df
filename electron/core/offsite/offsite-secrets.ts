import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { writeFileAtomically } from '../fs/durable-file';
import { LifeboatFailure } from '../lifeboat-failure';
import type { S3Credentials } from './target-url';

/**
 * S3 keys that Lifeboat keeps for offsite targets, by target name. They never go into settings.json
 * or lifeboat.json: the desktop app seals them with the OS keychain (Electron's safeStorage), and
 * `lifeboat serve` reads them from a file only its user can read. Without one, the AWS SDK's own
 * chain applies (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ~/.aws).
 */
export interface SecretStore {
  /** Whether keys can be set here (the desktop app), or only read (serve's file). */
  readonly writable: boolean;
  get(target: string): S3Credentials | null;
  set(target: string, credentials: S3Credentials | null): void;
}

const secretsSchema = z.object({
  targets: z.record(
    z.string(),
    z.object({ accessKeyId: z.string().min(1).max(256), secretAccessKey: z.string().min(1).max(256) }),
  ),
});

export const secretsFileName = 'offsite-secrets.json';

/** serve: `<data dir>/offsite-secrets.json`, read only when it is the user's own and mode 0600. */
export function fileSecrets(dataDir: string): SecretStore {
  const file = path.join(dataDir, secretsFileName);
  const read = (): z.infer<typeof secretsSchema> => {
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(file);
    } catch {
      return { targets: {} };
    }
    const uid = process.getuid?.();
    if (!stat.isFile() || (stat.mode & 0o077) !== 0 || (uid !== undefined && stat.uid !== uid)) {
      throw new LifeboatFailure(
        'PERMISSION_DENIED',
        `${file} must be a file of this user that no one else may read (chmod 600 ${file}); its keys were not used.`,
        file,
      );
    }
    const parsed = secretsSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    if (!parsed.success) {
      throw new LifeboatFailure(
        'INVALID_ARGUMENT',
        `${file} should look like {"targets": {"NAME": {"accessKeyId": "…", "secretAccessKey": "…"}}}.`,
        file,
      );
    }
    return parsed.data;
  };
  return {
    writable: false,
    get: (target) => read().targets[target] ?? null,
    set: () => {
      throw new LifeboatFailure(
        'INVALID_ARGUMENT',
        `Keys cannot be set through lifeboat serve: write them in ${file} on the server (mode 600), or use the AWS environment variables.`,
      );
    },
  };
}

/** What seals text with the OS keychain: Electron's safeStorage in the desktop app. */
export interface Sealer {
  isAvailable(): boolean;
  seal(text: string): Buffer;
  unseal(sealed: Buffer): string;
}

/** The desktop app: the keys sealed by the OS keychain in `<user data>/offsite-secrets.bin`. */
export function sealedSecrets(dataDir: string, sealer: Sealer): SecretStore {
  const file = path.join(dataDir, 'offsite-secrets.bin');
  const read = (): z.infer<typeof secretsSchema> => {
    if (!fs.existsSync(file) || !sealer.isAvailable()) {
      return { targets: {} };
    }
    const sealed = Buffer.from(fs.readFileSync(file, 'utf8'), 'base64');
    const parsed = secretsSchema.safeParse(JSON.parse(sealer.unseal(sealed)));
    return parsed.success ? parsed.data : { targets: {} };
  };
  return {
    writable: true,
    get: (target) => read().targets[target] ?? null,
    set: (target, credentials) => {
      if (!sealer.isAvailable()) {
        throw new LifeboatFailure(
          'PERMISSION_DENIED',
          'This system offers no keychain to keep the keys in: give them as AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or an AWS profile) instead.',
        );
      }
      const current = read();
      const targets = { ...current.targets };
      if (credentials === null) {
        delete targets[target];
      } else {
        targets[target] = { ...credentials };
      }
      const sealed = sealer.seal(JSON.stringify({ targets }));
      writeFileAtomically(file, sealed.toString('base64'), 0o600);
    },
  };
}
