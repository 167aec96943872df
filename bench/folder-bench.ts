import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startJob } from '../electron/core/jobs/job-runner';
import { writeRecord } from '../electron/core/snapshot/snapshot-records';
import { createLiveDatabase } from '../electron/testing/fixtures';
import { median, out, timedAsync } from './bench-tools';

/** A backups folder of many snapshots: listing it, and planning its retention. */

export async function benchListing(work: string): Promise<void> {
  const count = Number(process.env['LIFEBOAT_BENCH_SNAPSHOTS'] ?? '10000');
  const appDir = path.join(work, 'listing');
  const backupsDir = path.join(appDir, 'backups');
  fs.mkdirSync(path.join(appDir, 'migrations'), { recursive: true });
  fs.mkdirSync(backupsDir);
  for (let i = 1; i <= 5; i += 1) {
    fs.writeFileSync(path.join(appDir, 'migrations', `00${i}_step.sql`), `CREATE TABLE t${i} (id INTEGER);`);
  }
  const databasePath = path.join(appDir, 'app.db');
  createLiveDatabase(databasePath, 'delete', 32 * 1024);
  // Half of them Lifeboat's own, with their records; half made by another tool.
  fillBackupsFolder(databasePath, backupsDir, count, (i) => i % 2 === 0);
  const location = { databasePath, backupsDir };
  const setup = { appDirs: [appDir] };
  const list = async (): Promise<number> => {
    const result = await startJob({ kind: 'list', input: { location, setup } }).result;
    if (!result.ok) {
      throw new Error(result.error.message);
    }
    return result.value.snapshots.filter((s) => s.migration !== null).length;
  };
  let withRevisions = 0;
  const cold = await timedAsync(async () => {
    withRevisions = await list();
  });
  const warm: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    warm.push(await timedAsync(async () => void (await list())));
  }
  out();
  out(
    `Listing ${count} snapshots (half Lifeboat's, with records) with their schema revisions (${withRevisions} read): cold ${(cold / 1000).toFixed(2)} s = ${Math.round(count / (cold / 1000))} snapshots/s (target: at least 3,000/s); warm median ${(median(warm) / 1000).toFixed(2)} s (target: under 0.3 s)`,
  );
}

/** Prune's dry run (list, then plan every snapshot against six rules) over 10,000 snapshots of Lifeboat's. */
export async function benchPrune(work: string): Promise<void> {
  const count = Number(process.env['LIFEBOAT_BENCH_SNAPSHOTS'] ?? '10000');
  const dir = path.join(work, 'prune');
  const backupsDir = path.join(dir, 'backups');
  fs.mkdirSync(backupsDir, { recursive: true });
  const databasePath = path.join(dir, 'app.db');
  createLiveDatabase(databasePath, 'delete', 32 * 1024);
  fillBackupsFolder(databasePath, backupsDir, count, () => true);
  const rules = {
    keepLast: 24,
    keepHourly: 48,
    keepDaily: 14,
    keepWeekly: 8,
    keepMonthly: 12,
    keepYearly: 5,
  };
  let doomed = 0;
  const prune = async (): Promise<void> => {
    const result = await startJob({
      kind: 'prune',
      input: { location: { databasePath, backupsDir }, rules, dryRun: true },
    }).result;
    if (!result.ok) {
      throw new Error(result.error.message);
    }
    doomed = result.value.snapshots.filter((d) => d.decision === 'delete').length;
  };
  const cold = await timedAsync(prune);
  const warm: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    warm.push(await timedAsync(prune));
  }
  out();
  out(
    `Prune --dry-run over ${count} snapshots, six rules (${count - doomed} kept, ${doomed} to delete): first ${(cold / 1000).toFixed(2)} s, then median ${(median(warm) / 1000).toFixed(2)} s (target: under 1 s)`,
  );
}

/** Writes `count` hourly snapshots of the database into the backups folder, with Lifeboat's records for those `ours` picks. */
function fillBackupsFolder(
  databasePath: string,
  backupsDir: string,
  count: number,
  ours: (i: number) => boolean,
): void {
  const image = fs.readFileSync(databasePath);
  const start = new Date(2025, 0, 1).getTime();
  for (let i = 0; i < count; i += 1) {
    const stamp = new Date(start + i * 3600_000);
    const p = (n: number): string => String(n).padStart(2, '0');
    // Snapshots at five revisions: user_version is bytes 60-63 of the header.
    image.writeUInt32BE((i % 5) + 1, 60);
    const file = `app-${stamp.getFullYear()}${p(stamp.getMonth() + 1)}${p(stamp.getDate())}-${p(stamp.getHours())}0000-hourly-${i}.db`;
    fs.writeFileSync(path.join(backupsDir, file), image);
    if (ours(i)) {
      const stat = fs.statSync(path.join(backupsDir, file));
      const now = stamp.toISOString();
      writeRecord(backupsDir, {
        version: 1,
        file,
        madeBy: 'lifeboat',
        sha256: crypto.createHash('sha256').update(image).digest('hex'),
        size: stat.size,
        mtimeMs: stat.mtimeMs,
        recordedAt: now,
        label: `hourly-${i}`,
        note: null,
        source: { path: databasePath, journalMode: 'delete' },
        sqliteVersion: '3',
        pageSize: 4096,
        pageCount: stat.size / 4096,
        verification: { at: now, ok: true, problem: null },
      });
    }
  }
}

/** Peak memory (kB) and seconds of a command, read by the command's own process (Node reports its rusage). */
