import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { appSchema, type App } from '../../contract/apps';
import { readTextIfPresent, writeFileAtomically } from '../fs/durable-file';

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
});
export type Settings = z.infer<typeof settingsSchema>;

const emptySettings: Settings = { version: 1, apps: [] };

/**
 * The settings file (`settings.json` in the user data folder: Electron's userData, or `--data-dir`).
 * It is validated on load; a damaged file is renamed aside and reported, never silently replaced.
 */
export class SettingsStore {
  readonly filePath: string;
  private current: Settings;
  /** A sentence for the UI when the file was damaged at load, else null. */
  readonly problem: string | null;

  constructor(dataDir: string, now: () => Date = () => new Date()) {
    fs.mkdirSync(dataDir, { recursive: true });
    this.filePath = path.join(dataDir, 'settings.json');
    const loaded = this.load(now);
    this.current = loaded.settings;
    this.problem = loaded.problem;
  }

  private load(now: () => Date): { settings: Settings; problem: string | null } {
    const text = readTextIfPresent(this.filePath);
    if (text === null) {
      return { settings: emptySettings, problem: null };
    }
    let reason: string;
    try {
      const parsed = settingsSchema.safeParse(JSON.parse(text));
      if (parsed.success) {
        return { settings: parsed.data, problem: null };
      }
      reason = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'file'}: ${issue.message}`).join('; ');
    } catch (error) {
      reason = `not valid JSON (${(error as Error).message})`;
    }
    const stamp = now().toISOString().replace(/[:.]/g, '-');
    const keptAside = path.join(path.dirname(this.filePath), `settings.damaged-${stamp}.json`);
    fs.renameSync(this.filePath, keptAside);
    return {
      settings: emptySettings,
      problem: `The settings file was damaged (${reason}). It was kept as ${keptAside} and Lifeboat started without apps: add them again, or repair that file and restart.`,
    };
  }

  get settings(): Settings {
    return this.current;
  }

  get apps(): readonly App[] {
    return this.current.apps;
  }

  /** Replaces the settings and writes them atomically. */
  update(change: (settings: Settings) => Settings): void {
    const next = settingsSchema.parse(change(this.current));
    writeFileAtomically(this.filePath, `${JSON.stringify(next, null, 2)}\n`);
    this.current = next;
  }
}
