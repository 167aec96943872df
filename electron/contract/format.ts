/** How sizes and ages read, the same in the CLI and the UI. Pure, no Node, no DOM. */

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit] ?? ''}`;
}

/** "just now", "45 s ago", "12 min ago", "5 h ago", "3 days ago". */
export function formatAge(seconds: number): string {
  return seconds < 10 ? 'just now' : `${formatSpan(seconds)} ago`;
}

/** A length of time: "45 s", "12 min", "5 h", "3 days". */
export function formatSpan(seconds: number): string {
  if (seconds < 90) {
    return `${Math.max(0, Math.round(seconds))} s`;
  }
  const minutes = seconds / 60;
  if (minutes < 90) {
    return `${Math.round(minutes)} min`;
  }
  const hours = minutes / 60;
  if (hours < 36) {
    return `${Math.round(hours)} h`;
  }
  const days = Math.round(hours / 24);
  return `${days} day${days === 1 ? '' : 's'}`;
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const weekSeconds = 7 * 24 * 3600;

/**
 * When something happened, for a list: relative within the last week ("5 h ago", "3 days ago"), a
 * date beyond it, where "208 days ago" says little ("28 Oct"; "28 Oct 2025" in another year). The
 * exact time is in the cell's tooltip.
 */
export function formatWhen(iso: string, nowMs: number): string {
  const at = new Date(iso);
  const seconds = Math.max(0, (nowMs - at.getTime()) / 1000);
  if (seconds < weekSeconds) {
    return formatAge(seconds);
  }
  const day = `${at.getDate()} ${months[at.getMonth()] ?? ''}`;
  return at.getFullYear() === new Date(nowMs).getFullYear() ? day : `${day} ${at.getFullYear()}`;
}

/** An ISO instant as local `YYYY-MM-DD HH:MM:SS`. */
export function formatLocalTime(iso: string): string {
  const d = new Date(iso);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A step's duration: "40 ms", "2.3 s", "1 min 05 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) {
    return `${Math.max(0, Math.round(ms))} ms`;
  }
  if (ms < 60_000) {
    return `${(ms / 1000).toFixed(1)} s`;
  }
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}
