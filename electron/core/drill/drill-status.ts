import {
  drillResultSchema,
  type DrillResult,
  type DrillSettings,
  type DrillStatus,
  type DrillTargetResult,
} from '../../contract/drill';
import { formatBytes, formatSpan } from '../../contract/format';
import { durationMs } from '../../contract/schedule';

/** One target's drill in a sentence, as the activity log and the CLI say it. */
export function drillTargetText(t: DrillTargetResult): string {
  if (t.result === 'failed') {
    return `${t.target}: failed at ${t.step ?? 'find'}: ${t.error?.message ?? ''} [${t.error?.code ?? ''}]`;
  }
  const read = `${formatBytes(t.bytes)} read, ${t.seconds} s`;
  if (!t.restored) {
    return `${t.target}: ${t.id ?? ''} matches its manifest, not proven: decryption was not tried (no identity file in the drill settings); ${read}.`;
  }
  const untried = t.notTried.map((n) => `${n.step} not tried (${n.reason})`).join('; ');
  return `${t.target}: ${t.id ?? ''} restored, integrity ok, revision ${t.revision ?? 'none'}; ${read}${untried === '' ? '' : `; ${untried}`}.`;
}

/** Older than this many times its schedule's period, the last drill is overdue (as a snapshot turns stale at 1.25). */
const overdueFactor = 1.25;

/**
 * The drill question of freshness, pure: proven lately, failed (at which step), overdue, or not set.
 * Null when no drill is set and none ever ran.
 */
export function drillStatusOf(
  settings: DrillSettings | null,
  last: DrillResult | null,
  nowMs: number,
): DrillStatus | null {
  if (settings === null && last === null) {
    return null;
  }
  const every = settings?.every ?? null;
  if (last === null) {
    return {
      every,
      last: null,
      target: null,
      result: null,
      step: null,
      code: null,
      overdue: true,
      text: `not proven: no drill has run yet (drills every ${every ?? ''})`,
    };
  }
  const ageMs = nowMs - Date.parse(last.at);
  const ago = formatSpan(Math.max(0, ageMs) / 1000);
  const overdue = every !== null && !(ageMs <= overdueFactor * durationMs(every));
  const failed = last.targets.find((t) => t.result === 'failed');
  const shown = failed ?? last.targets[0];
  const base = {
    every,
    last: last.at,
    target: shown?.target ?? null,
    result: failed === undefined ? ('ok' as const) : ('failed' as const),
    step: failed?.step ?? null,
    code: failed?.error?.code ?? null,
    overdue,
  };
  const late = overdue ? `; overdue (drills every ${every ?? ''})` : '';
  if (failed !== undefined) {
    return {
      ...base,
      text: `drill failed ${ago} ago: ${failed.target} at step ${failed.step ?? 'find'} [${failed.error?.code ?? ''}]${late}`,
    };
  }
  if (shown === undefined || !shown.restored) {
    return {
      ...base,
      text: `not proven: the copy on ${shown?.target ?? '?'} matches its manifest ${ago} ago, but decryption was not tried${late}`,
    };
  }
  return {
    ...base,
    text: `proven: restored from ${shown.target} ${ago} ago, integrity ok, revision ${shown.revision ?? 'none'}, ${shown.seconds} s${late}`,
  };
}

/** Whether a drill is due: none ran yet, or the last one is as old as the schedule's period. */
export function drillDue(settings: DrillSettings, last: DrillResult | null, nowMs: number): boolean {
  return last === null || !(nowMs < Date.parse(last.at) + durationMs(settings.every));
}

/** A recorded drill result read back (Lifeboat's own file), or null when it is not one. */
export function parseDrillResult(json: unknown): DrillResult | null {
  const parsed = drillResultSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}
