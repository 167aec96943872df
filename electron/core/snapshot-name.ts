/**
 * The snapshot naming convention shared with shell backup scripts:
 * `<stem>-YYYYMMDD-HHMMSS-<slug>.db`, with the time in the machine's local time zone (as `date` prints
 * it) and the slug limited to `[A-Za-z0-9-]` so that no label can leave the backups folder.
 */

export const defaultSlug = 'manual';
const maxSlugLength = 64;

/** Reduces a free-text reason to a slug: runs of other characters become one dash. */
export function sanitizeSlug(reason: string | undefined): string {
  const slug = (reason ?? '')
    .normalize('NFKD')
    // Accents become their base letter (é → e) instead of a dash.
    .replace(/\p{M}+/gu, '')
    .replace(/[^A-Za-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, maxSlugLength)
    .replace(/-+$/, '');
  return slug === '' ? defaultSlug : slug;
}

/** The stem of a database file name: `app.db` → `app`, `data.sqlite3` → `data`. */
export function databaseStem(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(0, dot) : fileName;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** `YYYYMMDD-HHMMSS` in local time. */
export function formatNameTime(date: Date): string {
  return (
    `${pad(date.getFullYear(), 4)}${pad(date.getMonth() + 1, 2)}${pad(date.getDate(), 2)}-` +
    `${pad(date.getHours(), 2)}${pad(date.getMinutes(), 2)}${pad(date.getSeconds(), 2)}`
  );
}

/** The file name of a new snapshot. `attempt` > 1 disambiguates two snapshots in the same second. */
// File names are at most 255 bytes; a snapshot's record adds ".json" to its name.
const maxSnapshotNameBytes = 250;

/** The longest start of `text` that fits in `maxBytes` of UTF-8, never cutting a character in two. */
export function truncateToBytes(text: string, maxBytes: number): string {
  let out = '';
  for (const char of text) {
    if (Buffer.byteLength(out + char) > maxBytes) {
      break;
    }
    out += char;
  }
  return out;
}

export function snapshotFileName(databaseFileName: string, date: Date, slug: string, attempt = 1): string {
  const suffix = attempt > 1 ? `-${attempt}` : '';
  const rest = `-${formatNameTime(date)}-${slug}${suffix}.db`;
  // A very long database name is shortened, so that its snapshots (and their records) can exist at all.
  return `${truncateToBytes(databaseStem(databaseFileName), maxSnapshotNameBytes - Buffer.byteLength(rest))}${rest}`;
}

export interface ParsedSnapshotName {
  /** `lifeboat` when the name follows the convention exactly; `other` when only a time was found. */
  readonly convention: 'lifeboat' | 'other';
  readonly stem: string | null;
  /** Local time read from the name, or null when it holds none. */
  readonly time: Date | null;
  readonly label: string;
}

const conventionPattern = /^(?<stem>.+?)-(?<date>\d{8})-(?<time>\d{6})-(?<slug>[A-Za-z0-9-]+)\.db$/;
// Other conventions: 20260101-120000, 20260101_120000, 20260101T120000, 2026-01-01_12-00-00, 2026-01-01T12:00:00.
const looseTimePattern =
  /(?<y>\d{4})-?(?<mo>\d{2})-?(?<d>\d{2})[-_T ]?(?<h>\d{2})[-:]?(?<mi>\d{2})[-:]?(?<s>\d{2})/;

function localDate(y: string, mo: string, d: string, h: string, mi: string, s: string): Date | null {
  const date = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const valid =
    date.getFullYear() === Number(y) &&
    date.getMonth() === Number(mo) - 1 &&
    date.getDate() === Number(d) &&
    date.getHours() === Number(h) &&
    date.getMinutes() === Number(mi) &&
    date.getSeconds() === Number(s);
  return valid ? date : null;
}

/**
 * Reads a file name from a backups folder. Names in the convention give stem, time and label; other
 * names (`app.db.pre-deploy-20260101-120000`) give a time if they hold one and a label from the rest.
 */
export function parseSnapshotName(fileName: string, liveStem?: string): ParsedSnapshotName {
  const exact = conventionPattern.exec(fileName)?.groups;
  if (
    exact?.['stem'] !== undefined &&
    exact['date'] !== undefined &&
    exact['time'] !== undefined &&
    exact['slug'] !== undefined
  ) {
    const { date, time } = { date: exact['date'], time: exact['time'] };
    const parsed = localDate(
      date.slice(0, 4),
      date.slice(4, 6),
      date.slice(6, 8),
      time.slice(0, 2),
      time.slice(2, 4),
      time.slice(4, 6),
    );
    if (parsed !== null) {
      return { convention: 'lifeboat', stem: exact['stem'], time: parsed, label: exact['slug'] };
    }
  }
  const loose = looseTimePattern.exec(fileName);
  const g = loose?.groups;
  const time =
    g?.['y'] !== undefined &&
    g['mo'] !== undefined &&
    g['d'] !== undefined &&
    g['h'] !== undefined &&
    g['mi'] !== undefined &&
    g['s'] !== undefined
      ? localDate(g['y'], g['mo'], g['d'], g['h'], g['mi'], g['s'])
      : null;
  const withoutTime = loose !== null && time !== null ? fileName.replace(loose[0], ' ') : fileName;
  return { convention: 'other', stem: null, time, label: otherLabel(withoutTime, liveStem) || fileName };
}

/** A label for a name in another convention: the words left once the stem and extensions are removed. */
function otherLabel(rest: string, liveStem: string | undefined): string {
  return rest
    .split(/[.\s_]+/)
    .map((word) => word.replace(/^-+|-+$/g, ''))
    .filter((word) => word !== '' && word !== liveStem && !/^(db|sqlite3?|bak|backup)$/i.test(word))
    .join(' ');
}
