import * as fs from 'node:fs';
import * as path from 'node:path';
import { readUntrustedText } from '../fs/untrusted-file';
import { withoutCommentsAndStrings } from './sql-text';

/**
 * Reading an app's migration files. They sit in folders the app's user can write, so each is read as
 * untrusted text (never through a link, never a FIFO, never more than a few MiB), and folders are
 * searched to a bounded depth without entering links.
 */

const maxSourceBytes = 4 * 1024 * 1024;
const skipped = new Set([
  'node_modules',
  '.git',
  '__pycache__',
  'bin',
  'obj',
  'target',
  'dist',
  'build',
  'vendor',
  'venv',
  '.venv',
]);

/** A migration file's text, or null when it is not a regular file Lifeboat may read. */
export function readSource(file: string): string | null {
  try {
    const read = readUntrustedText(file, maxSourceBytes);
    return read.kind === 'text' ? read.text : null;
  } catch {
    return null; // Not there, not a file, not readable: not a migration Lifeboat can read.
  }
}

/** The names in a folder, or none when it is not a folder (a link to one is not followed). */
export function entriesOf(dir: string): fs.Dirent[] {
  try {
    return fs.lstatSync(dir).isDirectory() ? fs.readdirSync(dir, { withFileTypes: true }) : [];
  } catch {
    return [];
  }
}

/** Folders under `root` (itself included) with one of these names, breadth first, at most `depth` levels down. */
export function foldersNamed(root: string, names: ReadonlySet<string>, depth: number): string[] {
  const found: string[] = [];
  let level = [root];
  for (let d = 0; d <= depth && level.length > 0; d++) {
    const next: string[] = [];
    for (const dir of level) {
      if (names.has(path.basename(dir)) && dir !== root) {
        found.push(dir);
      }
      for (const entry of entriesOf(dir)) {
        if (entry.isDirectory() && !entry.name.startsWith('.') && !skipped.has(entry.name)) {
          next.push(path.join(dir, entry.name));
        }
      }
    }
    level = next;
  }
  return found;
}

/** The statements of a file that run on the way up: goose's and dbmate's files hold both directions. */
export function upSection(sql: string): string {
  const down = /^\s*--\s*(?:\+goose\s+down|migrate:down)\b/im.exec(sql);
  return down === null ? sql : sql.slice(0, down.index);
}

/** What a migration's SQL does to tables, statement by statement: the net tables made and removed. */
export function tableChanges(sql: string): { created: string[]; dropped: string[] } {
  const name = '[`"[]?(\\w+)[`"\\]]?';
  const statement = new RegExp(
    `create\\s+table\\s+(?:if\\s+not\\s+exists\\s+)?${name}|drop\\s+table\\s+(?:if\\s+exists\\s+)?${name}|alter\\s+table\\s+${name}\\s+rename\\s+to\\s+${name}`,
    'gi',
  );
  const created = new Set<string>();
  const dropped = new Set<string>();
  const create = (table: string): void => {
    created.add(table);
    dropped.delete(table);
  };
  const drop = (table: string): void => {
    if (!created.delete(table)) {
      dropped.add(table);
    }
  };
  for (const m of withoutCommentsAndStrings(upSection(sql)).matchAll(statement)) {
    if (m[1] !== undefined) {
      create(m[1]);
    } else if (m[2] !== undefined) {
      drop(m[2]);
    } else if (m[3] !== undefined && m[4] !== undefined) {
      // A rebuilt table (Drizzle, golang-migrate, SQLite's own advice): the old name goes, the new one comes.
      drop(m[3]);
      create(m[4]);
    }
  }
  return { created: [...created], dropped: [...dropped] };
}
