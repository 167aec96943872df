import * as fs from 'node:fs';
import * as path from 'node:path';
import { activityEntrySchema, type ActivityEntry } from '../../contract/activity';
import { isUnwritableDisk } from '../fs/durable-file';
import { ensureOwnFolder, openUntrusted, openUntrustedForAppend } from '../fs/untrusted-file';
import { recordsDirName } from '../snapshot/snapshot-records';

/**
 * The activity log of a backups folder: `.lifeboat/activity.jsonl`, one JSON line per action,
 * appended (so the desktop app, the CLI and the web host can all write it) and read newest first.
 * It is for people to read: in a folder the app's user can write, nothing Lifeboat does is decided by it
 * (undo reads Lifeboat's own record, `restore/last-restore.ts`).
 */

const logName = 'activity.jsonl';

function logPath(backupsDir: string): string {
  return path.join(backupsDir, recordsDirName, logName);
}

/**
 * One entry as a line of printable ASCII: JSON escapes quotes and control characters, and everything
 * beyond ASCII is escaped as well, so that a file name chosen by someone else (a newline, a terminal
 * escape, a line separator) can neither start a line of its own nor do anything where the log is shown.
 */
export function activityLine(entry: ActivityEntry): string {
  return `${JSON.stringify(entry).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}

/**
 * Appends one entry. The log is a record of what happened, not a precondition for it: on a
 * read-only or full disk the action stands and the entry is not kept, and so it is when the log is
 * not a regular file of its own (a link, a FIFO, another user's file): nothing is written through it.
 */
export function appendActivity(backupsDir: string, entry: ActivityEntry): void {
  try {
    ensureOwnFolder(path.dirname(logPath(backupsDir)));
    const opened = openUntrustedForAppend(logPath(backupsDir));
    if ('refused' in opened) {
      return;
    }
    try {
      // One write with O_APPEND: lines from several processes never interleave.
      fs.writeSync(opened.fd, activityLine(entry));
    } finally {
      fs.closeSync(opened.fd);
    }
  } catch (error) {
    if (!isUnwritableDisk(error)) {
      throw error;
    }
  }
}

// Entries are a few hundred bytes: this much of the log's end holds the newest `limit` of them.
const bytesPerEntry = 2048;

/** The end of a file, at most `maxBytes` of it, from a line start; null when it does not exist or is not a regular file. */
function readTail(filePath: string, maxBytes: number): string | null {
  const opened = openUntrusted(filePath);
  if (opened.kind !== 'open') {
    return null;
  }
  const { fd, stat } = opened;
  try {
    const size = stat.size;
    const start = Math.max(0, size - maxBytes);
    const buffer = Buffer.alloc(size - start);
    fs.readSync(fd, buffer, 0, buffer.length, start);
    const text = buffer.toString('utf8');
    return start === 0 ? text : text.slice(text.indexOf('\n') + 1);
  } finally {
    fs.closeSync(fd);
  }
}

/** The newest entries first (at most `limit`, read from the log's end, however long it grew); unreadable lines are skipped. */
export function readActivity(backupsDir: string, limit = 1000): ActivityEntry[] {
  const text = readTail(logPath(backupsDir), limit * bytesPerEntry);
  if (text === null) {
    return [];
  }
  const entries: ActivityEntry[] = [];
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0 && entries.length < limit; i -= 1) {
    const line = lines[i] ?? '';
    if (line.trim() === '') {
      continue;
    }
    try {
      const parsed = activityEntrySchema.safeParse(JSON.parse(line));
      if (parsed.success) {
        entries.push(parsed.data);
      }
    } catch {
      // A line cut short by a crash: the others still tell the story.
    }
  }
  return entries;
}
