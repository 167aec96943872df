import * as crypto from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { readUntrustedText } from '../fs/untrusted-file';

/**
 * Host keys checked the way OpenSSH checks them, against the user's own `~/.ssh/known_hosts`: plain
 * and hashed (`|1|salt|hash`) names, `[host]:port` for other ports, patterns with `*`, `?` and `!`,
 * and `@revoked` lines. Lifeboat never adds a key itself: trusting a server is the user's decision.
 */

export type HostKeyVerdict =
  | { readonly kind: 'known' }
  | { readonly kind: 'unknown'; readonly fingerprint: string; readonly keyType: string }
  | {
      readonly kind: 'changed';
      readonly fingerprint: string;
      readonly keyType: string;
      readonly line: number;
    }
  | { readonly kind: 'revoked'; readonly fingerprint: string; readonly keyType: string };

interface KnownHostLine {
  readonly line: number;
  readonly marker: '@revoked' | '@cert-authority' | null;
  readonly hosts: string;
  readonly keyType: string;
  readonly key: Buffer;
}

export function knownHostsPath(): string {
  return path.join(process.env['HOME'] ?? os.homedir(), '.ssh', 'known_hosts');
}

function parseLines(text: string): KnownHostLine[] {
  const lines: KnownHostLine[] = [];
  text.split('\n').forEach((raw, index) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === undefined || fields[0] === '' || fields[0].startsWith('#')) {
      return;
    }
    const marker = fields[0] === '@revoked' || fields[0] === '@cert-authority' ? fields[0] : null;
    const [hosts, keyType, key] = marker === null ? fields : fields.slice(1);
    if (hosts !== undefined && keyType !== undefined && key !== undefined) {
      lines.push({ line: index + 1, marker, hosts, keyType, key: Buffer.from(key, 'base64') });
    }
  });
  return lines;
}

function globMatches(pattern: string, name: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 'i').test(name);
}

/** Whether a known_hosts host field names `name` (`host` or `[host]:port`). */
function hostsMatch(hosts: string, name: string): boolean {
  if (hosts.startsWith('|1|')) {
    const [, , salt, hash] = hosts.split('|');
    if (salt === undefined || hash === undefined) {
      return false;
    }
    const mac = crypto.createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return mac === hash;
  }
  let matched = false;
  for (const pattern of hosts.split(',')) {
    if (pattern.startsWith('!') && globMatches(pattern.slice(1), name)) {
      return false;
    }
    matched ||= globMatches(pattern, name);
  }
  return matched;
}

/** The key type written at the start of an SSH public key blob (`ssh-ed25519`, …). */
function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) {
    return 'unknown';
  }
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString('latin1');
}

/** `SHA256:…`, as `ssh-keygen -lf` prints it. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${crypto.createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Checks the key a server presented against known_hosts (or the given text). */
export function checkHostKey(
  host: string,
  port: number,
  blob: Buffer,
  knownHostsText: string | null,
): HostKeyVerdict {
  const name = port === 22 ? host : `[${host}]:${port}`;
  const keyType = keyTypeOf(blob);
  const fingerprint = fingerprintOf(blob);
  const lines = parseLines(knownHostsText ?? '').filter(
    (l) => l.marker !== '@cert-authority' && hostsMatch(l.hosts, name),
  );
  if (lines.some((l) => l.marker === '@revoked' && l.key.equals(blob))) {
    return { kind: 'revoked', fingerprint, keyType };
  }
  if (lines.some((l) => l.marker === null && l.key.equals(blob))) {
    return { kind: 'known' };
  }
  const sameType = lines.find((l) => l.marker === null && l.keyType === keyType);
  return sameType === undefined
    ? { kind: 'unknown', fingerprint, keyType }
    : { kind: 'changed', fingerprint, keyType, line: sameType.line };
}

/** The user's known_hosts as text (null when there is none or it cannot be read safely). */
export function readKnownHosts(): string | null {
  const read = readUntrustedText(knownHostsPath(), 16 * 1024 * 1024);
  return read.kind === 'text' ? read.text : null;
}
