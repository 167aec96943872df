import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type { SnapshotEntry, SnapshotMigration } from '../../contract/snapshots';
import type { JobControl } from '../jobs/job-control';
import { recordsDirName, writeCacheIfPossible } from '../snapshot/snapshot-records';
import { findMigrations, readAppliedState, type MigrationSetup } from './migration-reader';
import { migrationStatus, type AppliedState } from './migration-status';

/**
 * Each snapshot's schema revision. What a snapshot records is read once (opened immutable) and
 * cached in `.lifeboat/revisions-cache.json` by file, size and mtime, so listing the folder again
 * opens no snapshot; the status is computed afresh against the code every time, since the code moves.
 */

const cacheName = 'revisions-cache.json';
const appliedSchema: z.ZodType<AppliedState> = z.union([
  z.object({ kind: z.literal('no-database') }),
  z.object({ kind: z.literal('empty') }),
  z.object({ kind: z.literal('unstamped'), tables: z.array(z.string()) }),
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
const cacheSchema = z.object({
  version: z.literal(1),
  /** The tool and folders the entries were read for: another setup reads afresh. */
  key: z.string(),
  entries: z.record(z.string(), z.object({ size: z.number(), mtimeMs: z.number(), applied: appliedSchema })),
});
type Cache = z.infer<typeof cacheSchema>;

function readCache(file: string, key: string): Cache {
  try {
    const parsed = cacheSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    if (parsed.success && parsed.data.key === key) {
      return parsed.data;
    }
  } catch {
    // Missing or damaged: start over; it is only a cache.
  }
  return { version: 1, key, entries: {} };
}

/** Adds each readable snapshot's revision and status; entries that are not databases get null. */
export function annotateWithMigrations(
  backupsDir: string,
  snapshots: readonly SnapshotEntry[],
  setup: MigrationSetup,
  control: JobControl,
  mtimes: ReadonlyMap<string, number> = new Map(),
): SnapshotEntry[] {
  const found = findMigrations(setup);
  if (found === null) {
    return [...snapshots];
  }
  const { adapter, source } = found;
  const graph = adapter.readGraph(source);
  const cacheFile = path.join(backupsDir, recordsDirName, cacheName);
  const key = JSON.stringify([source.tool, source.locations, source.options ?? {}]);
  const cache = readCache(cacheFile, key);
  let changed = false;
  const seen = new Set<string>();
  const byState = new Map<string, SnapshotMigration>();
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
    let applied: AppliedState;
    if (cached !== undefined && cached.size === entry.size && cached.mtimeMs === mtimeMs) {
      applied = cached.applied;
    } else {
      control.throwIfCancelled();
      control.report('Reading schema revisions', index / Math.max(1, snapshots.length), entry.file);
      try {
        applied = readAppliedState(entry.path, adapter, source, 'snapshot');
      } catch {
        return entry; // Unreadable (corrupt): its status already says so.
      }
      cache.entries[entry.file] = { size: entry.size, mtimeMs, applied };
      changed = true;
    }
    // Many snapshots share a state: compute each distinct one once.
    const stateKey = JSON.stringify(applied);
    let migration = byState.get(stateKey);
    if (migration === undefined) {
      const status = migrationStatus(graph, applied, adapter);
      migration = { tool: graph.tool, current: status.current, status: status.status, badge: status.badge, summary: status.summary, pending: status.pending };
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
