import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as readline from 'node:readline';
import { failed, type LifeboatError, type Result } from '../../contract/errors';
import { rpcHostMessageSchema, type Host, type HostStatus } from '../../contract/hosts';
import type { LifeboatFailure } from '../lifeboat-failure';
import { toLifeboatError } from '../lifeboat-failure';
import { checkVersion, lifeboatOutdated, sshArguments, sshFailure, unreachedLifeboat } from './ssh-command';

/** How long a host may take to log in and say hello. */
const helloTimeoutMs = 30_000;
/** The longest line a host may send (a list of thousands of snapshots is a few MiB). */
const maxLineBytes = 32 * 1024 * 1024;

/** An object that is not an array: what a JSON message must be before its fields are read. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What ssh is given for an address: an alias or user@host as it is; one with a port as an ssh:// URI. */
export function sshDestination(address: string): string {
  return /:[0-9]{1,5}$/.test(address) ? `ssh://${address}` : address;
}

export interface HostLinkEvents {
  /** An event of the host's service, as it sent it (its ids are the host's). */
  readonly onEvent: (name: string, payload: unknown) => void;
  /** The link went online or out of reach. */
  readonly onState: () => void;
  /** The connection ended while it was online (the host's jobs go on there). */
  readonly onLost: (error: LifeboatError) => void;
}

/**
 * One host's connection: `ssh HOST LIFEBOAT rpc --stdio`, one JSON document a line each way. The host
 * says hello (its version) first; then requests are answered by id and its events flow back. When the
 * connection ends, every unanswered request fails with the reason, and the host's jobs go on there.
 */
export class HostLink {
  private child: ChildProcessWithoutNullStreams | null = null;
  private connecting: Promise<void> | null = null;
  private readonly pending = new Map<number, (result: Result<unknown>) => void>();
  private nextId = 1;
  private state: HostStatus['state'] = 'connecting';
  private error: LifeboatError | null = null;
  private lastSeen: string | null = null;
  private version: string | null = null;
  /** When the last attempt to connect began (ms), to retry out of reach hosts at most once a minute. */
  private lastAttempt = 0;

  constructor(
    readonly host: Host,
    /** Run for a web token holder: the host applies the web host's rules too. */
    private readonly web: boolean,
    private readonly events: HostLinkEvents,
    private readonly now: () => Date,
  ) {}

  status(): HostStatus {
    return {
      ...this.host,
      state: this.state,
      error: this.error,
      lastSeen: this.lastSeen,
      version: this.version,
    };
  }

  get online(): boolean {
    return this.state === 'online';
  }

  /** Connects unless it is online or was tried within `retryMs`; resolves when that attempt ends. */
  async connect(retryMs = 0): Promise<void> {
    if (this.online) {
      return;
    }
    if (this.connecting === null && Date.now() - this.lastAttempt >= retryMs) {
      this.lastAttempt = Date.now();
      this.connecting = this.open().finally(() => (this.connecting = null));
    }
    await this.connecting;
  }

  /** Asks the host's Lifeboat to carry out an operation; a host out of reach fails with why. */
  async call(op: string, input: unknown): Promise<Result<unknown>> {
    await this.connect(5_000);
    const child = this.child;
    if (!this.online || child === null) {
      return failed(
        this.error ?? { code: 'HOST_UNREACHABLE', message: `${this.host.address} is not reachable.` },
      );
    }
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      child.stdin.write(`${JSON.stringify({ id, op, input })}\n`);
    });
  }

  /** Ends the connection (a host removed, the hub stopping); the host's jobs go on there. */
  close(): void {
    this.child?.stdin.end();
    this.child?.kill('SIGTERM');
  }

  private open(): Promise<void> {
    // The command was checked to be words without shell syntax; the rest is fixed.
    const command = `${this.host.command} rpc --stdio${this.web ? ' --web' : ''}`;
    const child = spawn('ssh', sshArguments(sshDestination(this.host.address), command), {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // Held from the start, so that closing the link also ends a connection still logging in.
    this.child = child;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-8192);
    });
    child.stdin.on('error', () => undefined);
    const lines = readline.createInterface({ input: child.stdout });
    // Set when the host broke the protocol: why its connection was closed.
    let brokeOff: LifeboatError | null = null;
    const breakOff = (what: string): void => {
      brokeOff ??= {
        code: 'HOST_UNREACHABLE',
        message: `${this.host.address} sent ${what}, which is not Lifeboat's protocol: its connection was closed, and it is tried again within a minute.`,
      };
      child.kill('SIGTERM');
    };
    // A line is held until its end comes: a host that never sends one may not fill this process's memory.
    let unfinishedLine = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      const end = chunk.lastIndexOf(0x0a);
      unfinishedLine = end === -1 ? unfinishedLine + chunk.length : chunk.length - end - 1;
      if (unfinishedLine > maxLineBytes) {
        breakOff(`a line longer than ${maxLineBytes / 1024 / 1024} MiB`);
      }
    });
    return new Promise<void>((resolve) => {
      let settled = false;
      const settle = (error: LifeboatError | null): void => {
        if (settled) {
          return;
        }
        settled = true;
        clearTimeout(timer);
        const before = this.stateKey();
        if (error === null) {
          this.state = 'online';
          this.error = null;
        } else {
          this.state = 'unreachable';
          this.error = error;
          this.child = null;
          child.kill('SIGTERM');
        }
        if (this.stateKey() !== before) {
          this.events.onState();
        }
        resolve();
      };
      const timer = setTimeout(
        () =>
          settle({
            code: 'HOST_UNREACHABLE',
            message: `${this.host.address} did not answer within ${helloTimeoutMs / 1000} s. Check that "ssh ${this.host.address}" works.`,
          }),
        helloTimeoutMs,
      );
      lines.on('line', (line) => {
        if (brokeOff !== null) {
          return;
        }
        let message: unknown;
        try {
          message = JSON.parse(line);
        } catch {
          // Before the hello, a login banner is let pass; after it, every line must be a message.
          if (settled) {
            breakOff('a line that is not JSON');
          }
          return;
        }
        if (!settled) {
          this.lastSeen = this.now().toISOString();
          try {
            const hello = isRecord(message) ? (message['hello'] ?? null) : null;
            this.version = checkVersion(this.host.address, isRecord(hello) ? hello : null).version;
            settle(null);
          } catch (error) {
            settle(toLifeboatError(error));
          }
          return;
        }
        const parsed = rpcHostMessageSchema.safeParse(message);
        if (!parsed.success) {
          breakOff(`a message of the wrong shape (${parsed.error.issues[0]?.message ?? 'unknown'})`);
          return;
        }
        this.lastSeen = this.now().toISOString();
        const known = parsed.data;
        if ('id' in known) {
          const answer = this.pending.get(known.id);
          this.pending.delete(known.id);
          answer?.(known.result);
        } else {
          this.events.onEvent(known.event, known.payload);
        }
      });
      child.once('error', (error) =>
        settle({
          code: 'HOST_UNREACHABLE',
          message: `ssh could not be run here (${error.message}): install OpenSSH's client.`,
        }),
      );
      child.once('close', (status) => {
        if (!settled) {
          settle(toLifeboatError(this.whyClosed(status, stderr)));
          return;
        }
        if (this.child !== child) {
          return;
        }
        this.child = null;
        const lost: LifeboatError = brokeOff ?? {
          code: 'HOST_UNREACHABLE',
          message: `The connection to ${this.host.address} was lost${status === 255 ? ` (${sshFailure(this.host.address, stderr).message})` : ''}. What it was doing goes on there; it shows here again once the host is reachable.`,
        };
        this.state = 'unreachable';
        this.error = lost;
        for (const answer of this.pending.values()) {
          answer(failed(lost));
        }
        this.pending.clear();
        this.events.onLost(lost);
        this.events.onState();
      });
    });
  }

  /** What the sidebar shows of the link: a change of it is news. */
  private stateKey(): string {
    return `${this.state} ${this.error?.code ?? ''}`;
  }

  /** Why the host hung up before saying hello. */
  private whyClosed(status: number | null, stderr: string): LifeboatFailure {
    // Else it ran, but does not know "rpc": a Lifeboat from before the hub.
    return (
      unreachedLifeboat(this.host.address, this.host.command, status, stderr) ??
      lifeboatOutdated(this.host.address, undefined)
    );
  }
}
