import type { FreshnessState, NotifyTarget } from '../../contract/schedule';
import { fetchGivenAddress } from '../given-address';

/**
 * Telling people when protection stops: ntfy, Gotify, a JSON webhook, Healthchecks-style pings and
 * e-mail. Each target is tried on its own (one that is down does not stop the others) with a time
 * limit; what comes back names the target with its secrets masked, so it can be printed and logged.
 */

/** What happened: a scheduled run failed, the app turned stale, or it is fresh again. */
export interface Alert {
  readonly event: 'failed' | 'stale' | 'recovered';
  readonly app: string;
  readonly database: string;
  readonly state: FreshnessState;
  /** One sentence: why. */
  readonly reason: string;
  readonly at: string;
}

export interface Delivery {
  /** The target, secrets masked: "ntfy https://ntfy.sh/…opic". */
  readonly target: string;
  readonly ok: boolean;
  readonly error: string | null;
}

const timeoutMs = 10_000;

/** The end of a secret, enough to recognise it: "…f3a9". */
function maskTail(value: string): string {
  return value.length <= 8 ? '…' : `…${value.slice(-4)}`;
}

/** A URL with its path and query masked (an ntfy topic or a ping URL is itself the secret). */
function maskUrl(url: string): string {
  const parsed = new URL(url);
  const rest = `${parsed.pathname}${parsed.search}`;
  return `${parsed.protocol}//${parsed.host}${rest.length > 1 ? `/${maskTail(rest)}` : ''}`;
}

/** The target as it may be shown and logged. */
export function describeTarget(target: NotifyTarget): string {
  if (target.kind === 'email') {
    return `email to ${Array.isArray(target.to) ? target.to.join(', ') : target.to} via ${target.host}:${target.port}`;
  }
  return `${target.kind} ${maskUrl(target.url)}`;
}

function secretsOf(target: NotifyTarget): string[] {
  const values =
    target.kind === 'email'
      ? [target.password]
      : [target.url, 'token' in target ? target.token : undefined, new URL(target.url).pathname];
  return values.filter((v): v is string => v !== undefined && v.length > 1);
}

/** An error's message with every secret of the target taken out. */
function scrubbed(error: unknown, target: NotifyTarget): string {
  const cause = (error as { cause?: { message?: string } }).cause?.message;
  let message = `${(error as Error).message}${cause === undefined ? '' : ` (${cause})`}`;
  for (const secret of secretsOf(target)) {
    message = message.split(secret).join('…');
  }
  return message;
}

async function post(url: string, init: RequestInit): Promise<void> {
  const { response, redirect } = await fetchGivenAddress(url, {
    ...init,
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (redirect !== null) {
    throw new Error(redirect);
  }
  if (!response.ok) {
    throw new Error(`the server answered ${response.status} ${response.statusText}`);
  }
  await response.arrayBuffer();
}

const titles: Record<Alert['event'], (app: string) => string> = {
  failed: (app) => `Lifeboat: the scheduled snapshot of ${app} failed`,
  stale: (app) => `Lifeboat: ${app} has no recent snapshot`,
  recovered: (app) => `Lifeboat: ${app} is protected again`,
};

/** The alert's title, the same in every channel and in the desktop notification. */
export function alertTitle(alert: Pick<Alert, 'event' | 'app'>): string {
  return titles[alert.event](alert.app);
}

const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || host.startsWith('127.');

type PingTarget = Extract<NotifyTarget, { kind: 'healthchecks' }>;
const isPing = (target: NotifyTarget): target is PingTarget => target.kind === 'healthchecks';

async function deliver(target: Exclude<NotifyTarget, PingTarget>, alert: Alert): Promise<void> {
  const title = alertTitle(alert);
  const body = `${alert.reason}\n${alert.database}`;
  const urgent = alert.event !== 'recovered';
  switch (target.kind) {
    case 'ntfy':
      return post(target.url, {
        method: 'POST',
        body,
        headers: {
          Title: title,
          Priority: urgent ? 'high' : 'default',
          Tags: urgent ? 'warning' : 'white_check_mark',
          ...(target.token === undefined ? {} : { Authorization: `Bearer ${target.token}` }),
        },
      });
    case 'gotify':
      return post(new URL('message', target.url.endsWith('/') ? target.url : `${target.url}/`).toString(), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Gotify-Key': target.token },
        body: JSON.stringify({ title, message: body, priority: urgent ? 8 : 4 }),
      });
    case 'webhook':
      return post(target.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...alert, title }),
      });
    case 'email': {
      // Loaded when an e-mail is first sent: every CLI command and job thread need not load it.
      const nodemailer = await import('nodemailer');
      const transport = nodemailer.createTransport({
        host: target.host,
        port: target.port,
        secure: target.secure,
        // A password never crosses the network in the clear, except to this machine itself.
        requireTLS: target.password !== undefined && !target.secure && !isLoopback(target.host),
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
        ...(target.user === undefined ? {} : { auth: { user: target.user, pass: target.password ?? '' } }),
      });
      try {
        await transport.sendMail({
          from: target.from,
          to: target.to,
          subject: title,
          text: `${body}\n\n${alert.at}`,
        });
      } finally {
        transport.close();
      }
      return;
    }
  }
}

async function each<T extends NotifyTarget>(
  targets: readonly T[],
  send: (target: T) => Promise<void>,
): Promise<Delivery[]> {
  return Promise.all(
    targets.map(async (target) => {
      try {
        await send(target);
        return { target: describeTarget(target), ok: true, error: null };
      } catch (error) {
        return { target: describeTarget(target), ok: false, error: scrubbed(error, target) };
      }
    }),
  );
}

/** Sends an alert to every target but the ping ones: they hear of each run, and so of failures, through `ping`. */
export function sendAlert(targets: readonly NotifyTarget[], alert: Alert): Promise<Delivery[]> {
  return each(
    targets.filter((t): t is Exclude<NotifyTarget, PingTarget> => !isPing(t)),
    (target) => deliver(target, alert),
  );
}

/** Healthchecks-style pings around every scheduled run: /start, then the URL itself or /fail with the reason. */
export function ping(
  targets: readonly NotifyTarget[],
  phase: 'start' | 'success' | 'fail',
  message: string,
): Promise<Delivery[]> {
  return each(targets.filter(isPing), (target) => {
    const base = target.url.replace(/\/$/, '');
    return post(phase === 'success' ? base : `${base}/${phase}`, { method: 'POST', body: message });
  });
}
