import { z } from 'zod';

/**
 * Automatic protection: when an app is snapshotted without anyone clicking, whom to tell when that
 * stops working, and how fresh its newest snapshot is. Kept in the app's lifeboat.json or in
 * Lifeboat's settings; run by a keeper (`lifeboat serve`, the desktop app, or `lifeboat run-due`).
 */

/** "30m", "6h", "1d", "2w". */
export const durationSchema = z
  .string()
  .trim()
  .regex(/^[1-9]\d{0,4}[mhdw]$/, 'a whole number and a unit: 30m, 6h, 1d or 2w');

const unitMs = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/** The length of a duration such as "6h", in milliseconds. */
export function durationMs(duration: string): number {
  const unit = duration.trim().slice(-1) as keyof typeof unitMs;
  return Number.parseInt(duration, 10) * unitMs[unit];
}

const scheduleLabel = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9-]{1,40}$/, 'letters, digits and - only (it goes into the file name)')
  .optional();

export const scheduleSchema = z.union([
  z.object({ every: durationSchema, label: scheduleLabel }).strict(),
  z
    .object({
      daily: z
        .string()
        .trim()
        .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM, 24-hour'),
      label: scheduleLabel,
    })
    .strict(),
  z.object({ cron: z.string().trim().min(9).max(200), label: scheduleLabel }).strict(),
]);
export type Schedule = z.infer<typeof scheduleSchema>;

/** The schedule in words: "every 6h", "daily at 03:30", "cron 0 *\/4 * * *". */
export function scheduleText(schedule: Schedule): string {
  if ('every' in schedule) return `every ${schedule.every}`;
  if ('daily' in schedule) return `daily at ${schedule.daily}`;
  return `cron ${schedule.cron}`;
}

const httpUrl = z.url({ protocol: /^https?$/ });
const secret = z.string().min(1).max(1000);

/** Where notifications go. Secrets (tokens, passwords) are never logged and never shown back in full. */
export const notifyTargetSchema = z.discriminatedUnion('kind', [
  /** ntfy: the topic's URL (https://ntfy.sh/my-topic); an access token if the topic needs one. */
  z.object({ kind: z.literal('ntfy'), url: httpUrl, token: secret.optional() }).strict(),
  /** Gotify: the server's URL and an application token. */
  z.object({ kind: z.literal('gotify'), url: httpUrl, token: secret }).strict(),
  /** Any URL that takes a JSON POST: { event, app, database, state, reason, at }. */
  z.object({ kind: z.literal('webhook'), url: httpUrl }).strict(),
  /** Healthchecks.io or compatible: the check's ping URL; /start before, the URL on success, /fail on failure. */
  z.object({ kind: z.literal('healthchecks'), url: httpUrl }).strict(),
  /** E-mail over SMTP (STARTTLS when the server offers it; secure: TLS from the start, as on port 465). */
  z
    .object({
      kind: z.literal('email'),
      host: z.string().min(1).max(255),
      port: z.number().int().min(1).max(65535).default(587),
      secure: z.boolean().default(false),
      user: z.string().min(1).max(255).optional(),
      password: secret.optional(),
      from: z.string().min(3).max(320),
      to: z.union([z.string().min(3).max(320), z.array(z.string().min(3).max(320)).min(1).max(20)]),
    })
    .strict(),
]);
export type NotifyTarget = z.infer<typeof notifyTargetSchema>;

/**
 * How fresh an app's protection is: `fresh`; `stale` (the newest intact snapshot is older than 1.25
 * times the schedule's period, or than the age set with staleAfter, else a week); `never` (no intact
 * snapshot); `failing` (the last scheduled run failed).
 */
export const freshnessStateSchema = z.enum(['fresh', 'stale', 'never', 'failing']);
export type FreshnessState = z.infer<typeof freshnessStateSchema>;

export const freshnessSchema = z.object({
  state: freshnessStateSchema,
  /** One sentence: why, for people ("The newest snapshot is 9 hours old; the schedule is every 6h."). */
  reason: z.string(),
  /** The newest intact snapshot's time, if any. */
  newest: z.string().nullable(),
  /** After how long without a new snapshot the app is stale, in milliseconds. */
  staleAfterMs: z.number().int().positive(),
  /** The schedule in words, or null without one. */
  schedule: z.string().nullable(),
  /** When the next scheduled snapshot is due (ISO), or null without a schedule. */
  nextRun: z.string().nullable(),
  /** The last scheduled run: when, and what became of it. */
  lastRun: z.object({ at: z.string(), ok: z.boolean(), message: z.string() }).nullable(),
});
export type Freshness = z.infer<typeof freshnessSchema>;
