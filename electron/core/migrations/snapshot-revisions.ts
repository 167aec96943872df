import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { recordedToolSchema, type MigrationStatus } from '../../contract/migrations';
import type { SnapshotEntry, SnapshotMigration } from '../../contract/snapshots';
import type { JobControl } from '../job-control';
import { recordsDirName, writeCacheIfPossible } from '../snapshot/snapshot-records';
import { statusAgainstLive } from './live-reference';
import { readSource } from './migration-files';
import {
  findMigrations,
  readAppliedState,
  readRecordOf,
  recordIfReadable,
  type MigrationSetup,
} from './migration-reader';
import { migrationStatus, type AppliedState } from './migration-status';
import type { Recorded } from './recorded-migrations';

/**
 * Each snapshot's schema revision. What a snapshot records is read once (opened immutable) and
 * cached in `.lifeboat/revisions-cache.json` by file, size and mtime, so listing the folder again
 * opens no snapshot; the status is computed afresh every time, against the code when it is found,
 * else against the live database's own record, since both move.
 */

const cacheName = 'revisions-cache.json';
const appliedSchema: z.ZodType<AppliedState> = z.union([
  z.object({ kind: z.literal('no-database') }),
  z.object({ kind: z.literal('empty') }),
  z.object({ kind: z.literal('unstamped'), tables: z.array(z.string()) }),
  z.object({ kind: z.literal('foreign'), tool: recordedToolSchema }),
  z.object({
    kind: z.literal('stamped'),
    recorded: z.array(z.string()),
    recordsPositionOnly: z.boolean(),
    tables: z.array(z.string()),
    failed: z.array(z.string()),
    dirty: z.array(z.string()),
    locked: z.boolean(),
  }),
]);
const recordedSchema: z.ZodType<Recorded> = z.object({
  tool: recordedToolSchema,
  applied: z.array(
    z.object({ id: z.string(), name: z.string().nullable(), appliedAt: z.string().nullable() }),
  ),
  positionOnly: z.boolean(),
  failed: z.array(z.string()),
  dirty: z.array(z.string()),
  locked: z.boolean(),
});
const cacheSchema = z.object({
  version: z.literal(2),
  /** The tool and folders the entries were read for (or "live"): another setup reads afresh. */
  key: z.string(),
  entries: z.record(z.string(), z.object({ size: z.number(), mtimeMs: z.number(), state: z.unknown() })),
});
type Cache = z.infer<typeof cacheSchema>;

function readCache(file: string, key: string): Cache {
  try {
    const parsed = cacheSchema.safeParse(JSON.parse(readSource(file) ?? ''));
    if (parsed.success && parsed.data.key === key) {
      return parsed.data;
    }
  } catch {
    // Missing or damaged: start over; it is only a cache.
  }
  return { version: 2, key, entries: {} };
}

/** How one setup reads a snapshot and turns what it read into the row's migration cell. */
interface Reading<T> {
  readonly key: string;
  readonly schema: z.ZodType<T>;
  read(file: string): T;
  describe(state: T): SnapshotMigration | null;
}

function cellOf(status: MigrationStatus): SnapshotMigration {
  const { tool, reference, revision, current, status: kind, badge, summary, pending } = status;
  return { tool, reference, revision, current, status: kind, badge, summary, pending };
}

function readingFor(setup: MigrationSetup, databasePath: string | undefined): Reading<unknown> {
  const found = findMigrations({ ...setup, databasePath });
  if (found !== null) {
    const { adapter, source } = found;
    const graph = adapter.readGraph(source);
    const byCode: Reading<AppliedState> = {
      key: JSON.stringify([source.tool, source.locations, source.options ?? {}]),
      schema: appliedSchema,
      read: (file) => readAppliedState(file, adapter, source, 'snapshot'),
      describe: (applied) => cellOf(migrationStatus(graph, applied, adapter)),
    };
    return byCode;
  }
  // An unreadable live database is no reference: each snapshot then shows what it records.
  const live = databasePath === undefined ? null : recordIfReadable(databasePath);
  const byLive: Reading<Recorded | null> = {
    key: 'live',
    schema: recordedSchema.nullable(),
    read: (file) => readRecordOf(file, 'snapshot'),
    describe: (recorded) => {
      const status = statusAgainstLive(recorded, live);
      return status === null ? null : cellOf(status);
    },
  };
  return byLive;
}

/** Adds each readable snapshot's revision and status; entries that are not databases get null. */
export function annotateWithMigrations(
  list: {
    readonly backupsDir: string;
    readonly database: string;
    readonly snapshots: readonly SnapshotEntry[];
  },
  setup: MigrationSetup,
  control: JobControl,
  mtimes: ReadonlyMap<string, number> = new Map(),
): SnapshotEntry[] {
  return annotate(list, readingFor(setup, list.database), control, mtimes);
}

function annotate<T>(
  list: { readonly backupsDir: string; readonly snapshots: readonly SnapshotEntry[] },
  reading: Reading<T>,
  control: JobControl,
  mtimes: ReadonlyMap<string, number>,
): SnapshotEntry[] {
  const { backupsDir, snapshots } = list;
  const cacheFile = path.join(backupsDir, recordsDirName, cacheName);
  const cache = readCache(cacheFile, reading.key);
  let changed = false;
  const seen = new Set<string>();
  const byState = new Map<string, SnapshotMigration | null>();
  const result = snapshots.map((entry, index) => {
    if (entry.status === 'not-a-database' || (entry.status === 'incomplete' && entry.size === 0)) {
      return entry;
    }
    seen.add(entry.file);
    let mtimeMs = mtimes.get(entry.file);
    if (mtimeMs === undefined) {
      try {
        mtimeMs = fs.statSync(entry.path).mtimeMs;
      } catch {
        return entry;
      }
    }
    const cached = cache.entries[entry.file];
    const parsed =
      cached !== undefined && cached.size === entry.size && cached.mtimeMs === mtimeMs
        ? reading.schema.safeParse(cached.state)
        : null;
    let state: T;
    if (parsed?.success === true) {
      state = parsed.data;
    } else {
      control.throwIfCancelled();
      control.report('Reading schema revisions', index / Math.max(1, snapshots.length), entry.file);
      try {
        state = reading.read(entry.path);
      } catch {
        return entry; // Unreadable (corrupt): its status already says so.
      }
      cache.entries[entry.file] = { size: entry.size, mtimeMs, state };
      changed = true;
    }
    // Many snapshots share a state: describe each distinct one once.
    const stateKey = JSON.stringify(state);
    let migration = byState.get(stateKey);
    if (migration === undefined) {
      migration = reading.describe(state);
      byState.set(stateKey, migration);
    }
    return { ...entry, migration };
  });
  for (const file of Object.keys(cache.entries)) {
    if (!seen.has(file)) {
      delete cache.entries[file];
      changed = true;
    }
  }
  if (changed && fs.existsSync(backupsDir)) {
    writeCacheIfPossible(cacheFile, JSON.stringify(cache));
  }
  return result;
}
