import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { appSchema, type App } from '../../contract/apps';
import { notifyTargetSchema } from '../../contract/schedule';
import { hostSchema } from '../../contract/hosts';
import { readTextIfPresent, writeFileAtomically } from '../fs/durable-file';
import { withFileLock } from '../fs/lock-file';

/** Where and how big the desktop window was, restored at the next start. */
const windowStateSchema = z.object({
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().min(400),
  height: z.number().int().min(300),
  maximized: z.boolean(),
});
export type WindowState = z.infer<typeof windowStateSchema>;

const settingsSchema = z.object({
  version: z.literal(1),
  apps: z.array(appSchema),
  window: windowStateSchema.optional(),
  /** Where every app's alerts go (each app's lifeboat.json may add its own). */
  notify: z.array(notifyTargetSchema).max(20).optional(),
  /** The desktop app: with its window closed, stay in the tray and keep the schedules. */
  keepInTray: z.boolean().optional(),
  /** Other machines whose apps are shown here, reached over SSH. */
  hosts: z.array(hostSchema).max(50).optional(),
});
export type Settings = z.infer<typeof settingsSchema>;

const emptySettings: Settings = { version: 1, apps: [] };

/** What identifies one version of the settings file on disk: a write by any process changes it. */
interface FileStamp {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

function stampOf(filePath: string): FileStamp | null {
  try {
    const { ino, size, mtimeMs } = fs.statSync(filePath);
    return { ino, size, mtimeMs };
  } catch {
    return null;
  }
}

function sameStamp(a: FileStamp | null, b: FileStamp | null): boolean {
  return (
    a === b || (a !== null && b !== null && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs)
  );
}

/** Parses the file's text; a reason in words when it is not valid settings. */
function parseSettings(text: string): { settings: Settings } | { reason: string } {
  try {
    const parsed = settingsSchema.safeParse(JSON.parse(text));
    if (parsed.success) {
      return { settings: parsed.data };
    }
    return {
      reason: parsed.error.issues
        .map((issue) => `${issue.path.join('.') || 'file'}: ${issue.message}`)
        .join('; '),
    };
  } catch (error) {
    return { reason: `not valid JSON (${(error as Error).message})` };
  }
}

/**
 * The settings file (`settings.json` in the user data folder: Electron's userData, or `--data-dir`).
 * It is validated on load; a damaged file is renamed aside and reported, never silently replaced.
 *
 * The desktop app and `lifeboat serve` may share the folder, so no process trusts its copy in memory:
 * every change is a read-modify-write of the file under a lock (settings.json.lock), and every read
 * first looks whether another process has written the file since.
 */
export class SettingsStore {
  readonly filePath: string;
  private readonly lockPath: string;
  private current: Settings;
  private stamp: FileStamp | null;
  /** A sentence for the UI when the file was damaged at load, else null. */
  readonly problem: string | null;

  constructor(dataDir: string, now: () => Date = () => new Date()) {
    fs.mkdirSync(dataDir, { recursive: true });
    this.filePath = path.join(dataDir, 'settings.json');
    this.lockPath = `${this.filePath}.lock`;
    const loaded = withFileLock(this.lockPath, () => this.load(now));
    this.current = loaded.settings;
    this.problem = loaded.problem;
    this.stamp = stampOf(this.filePath);
  }

  private load(now: () => Date): { settings: Settings; problem: string | null } {
    const text = readTextIfPresent(this.filePath);
    if (text === null) {
      return { settings: emptySettings, problem: null };
    }
    const parsed = parseSettings(text);
    if ('settings' in parsed) {
      return { settings: parsed.settings, problem: null };
    }
    const stamp = now().toISOString().replace(/[:.]/g, '-');
    const keptAside = path.join(path.dirname(this.filePath), `settings.damaged-${stamp}.json`);
    fs.renameSync(this.filePath, keptAside);
    return {
      settings: emptySettings,
      problem: `The settings file was damaged (${parsed.reason}). It was kept as ${keptAside} and Lifeboat started without apps: add them again, or repair that file and restart.`,
    };
  }

  /** Takes in what another process wrote since this one last read or wrote the file. */
  private refresh(): void {
    const stamp = stampOf(this.filePath);
    if (sameStamp(stamp, this.stamp)) {
      return;
    }
    const text = readTextIfPresent(this.filePath);
    const parsed = text === null ? { settings: emptySettings } : parseSettings(text);
    // A file another process damaged is not taken in (nor moved: that is for the next start to do).
    if ('settings' in parsed) {
      this.current = parsed.settings;
      this.stamp = stamp;
    }
  }

  get settings(): Settings {
    this.refresh();
    return this.current;
  }

  get apps(): readonly App[] {
    return this.settings.apps;
  }

  /** Changes the settings as they are on disk now, under the lock, and writes them atomically (readable by this user only: they may hold secrets). */
  update(change: (settings: Settings) => Settings): void {
    withFileLock(this.lockPath, () => {
      this.refresh();
      const next = settingsSchema.parse(change(this.current));
      writeFileAtomically(this.filePath, `${JSON.stringify(next, null, 2)}\n`, 0o600);
      this.current = next;
      this.stamp = stampOf(this.filePath);
    });
  }
}
