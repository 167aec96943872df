import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SnapshotEntry, SnapshotList } from '../../contract/snapshots';
import type { DatabaseLocation } from '../database-location';
import { temporaryPrefix } from '../fs/durable-file';
import { databaseStem } from '../snapshot-name';
import { readSqliteHeader, type HeaderReading } from '../sqlite/sqlite-header';
import { describeFile, type FileFacts } from './snapshot-status';
import { readAllRecords, recordsDirName, type SnapshotRecord } from './snapshot-records';

const headerReadsAtOnce = 32;
const sidecarSuffixes = ['-wal', '-shm', '-journal'] as const;

async function safeHeader(filePath: string): Promise<HeaderReading> {
  try {
    return await readSqliteHeader(filePath);
  } catch {
    // Unreadable (permissions, vanished): listed as not a database rather than stopping the listing.
    return { kind: 'not-sqlite' };
  }
}

/** Gathers what listing knows of one file; null when it is gone or not a regular file. */
export async function readFileFacts(backupsDir: string, file: string, record: SnapshotRecord | null, exists: (name: string) => boolean): Promise<FileFacts | null> {
  const filePath = path.join(backupsDir, file);
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(filePath);
  } catch {
    return null; // Removed while listing, or a dangling link.
  }
  if (!stat.isFile()) {
    return null;
  }
  return {
    file,
    path: filePath,
    size: stat.size,
    mtimeMs: stat.mtimeMs,
    header: stat.size === 0 ? { kind: 'empty' } : await safeHeader(filePath),
    record,
    sidecars: sidecarSuffixes.filter((suffix) => exists(`${file}${suffix}`)),
  };
}

/**
 * Lists every file in the backups folder, newest first. Reads only each file's header and its record:
 * no file is opened with SQLite, so a hostile or huge file costs one 100-byte read.
 */
export async function listSnapshots(location: DatabaseLocation): Promise<SnapshotList> {
  const { backupsDir } = location;
  let dirents: fs.Dirent[];
  try {
    dirents = await fs.promises.readdir(backupsDir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { database: location.databasePath, backupsDir, snapshots: [] };
    }
    throw error;
  }
  const names = new Set(dirents.filter((d) => d.isFile() || d.isSymbolicLink()).map((d) => d.name));
  const sidecarOf = (name: string): string | undefined => {
    const suffix = sidecarSuffixes.find((s) => name.endsWith(s));
    const base = suffix === undefined ? undefined : name.slice(0, -suffix.length);
    return base !== undefined && names.has(base) ? base : undefined;
  };
  const candidates = [...names].filter((name) => name !== recordsDirName && !name.startsWith(temporaryPrefix) && sidecarOf(name) === undefined);
  const records = await readAllRecords(backupsDir);
  const liveStem = databaseStem(path.basename(location.databasePath));

  const entries: SnapshotEntry[] = [];
  for (let i = 0; i < candidates.length; i += headerReadsAtOnce) {
    const batch = candidates.slice(i, i + headerReadsAtOnce);
    const described = await Promise.all(
      batch.map(async (file) => {
        const facts = await readFileFacts(backupsDir, file, records.get(file) ?? null, (name) => names.has(name));
        return facts === null ? null : describeFile(facts, liveStem);
      }),
    );
    for (const entry of described) {
      if (entry !== null) {
        entries.push(entry);
      }
    }
  }
  entries.sort((a, b) => (a.time === b.time ? a.file.localeCompare(b.file) : a.time < b.time ? 1 : -1));
  return { database: location.databasePath, backupsDir, snapshots: entries };
}
