// First import: enables SQLite URI filenames before any worker opens a database.
import '../electron/core/sqlite/open-database';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { out, rounds, sizeMb } from './bench-tools';
import { benchDiff, benchPush, benchRestore } from './data-bench';
import { benchListing, benchPrune } from './folder-bench';
import { benchEventLoop, benchMode } from './snapshot-bench';

/**
 * `npm run bench`: Lifeboat's snapshot against `cp` + fsync and SQLite's own backups, side by side in
 * one run, idle and under a writer; plus the longest stall of the main thread while a snapshot runs.
 * LIFEBOAT_BENCH_MB sets the database size (default 512), LIFEBOAT_BENCH_ROUNDS the rounds (default 5).
 * `npm run bench -- restore listing` runs only the parts named (snapshot, restore, listing, prune, diff, push, stall).
 */
async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeboat-bench-'));
  out(`Lifeboat benchmark: ${sizeMb} MiB, ${rounds} rounds, ${os.cpus().length} cores, work folder ${work}`);
  try {
    const named = process.argv.slice(2);
    const wanted = (part: string): boolean => named.length === 0 || named.includes(part);
    if (wanted('snapshot')) {
      for (const mode of ['wal', 'delete'] as const) {
        await benchMode(work, mode);
        out();
      }
    }
    if (wanted('restore')) {
      await benchRestore(work);
    }
    if (wanted('listing')) {
      await benchListing(work);
    }
    if (wanted('prune')) {
      await benchPrune(work);
    }
    if (wanted('diff')) {
      benchDiff(work);
    }
    if (wanted('push')) {
      await benchPush(work);
    }
    if (wanted('stall')) {
      await benchEventLoop(work);
    }
  } finally {
    try {
      fs.rmSync(work, { recursive: true, force: true, maxRetries: 5 });
    } catch (error) {
      // A failure above (which is what gets reported) may leave a writer still creating files here.
      process.stderr.write(`could not remove ${work}: ${String(error)}\n`);
    }
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${String(error)}\n`);
  process.exitCode = 1;
});
