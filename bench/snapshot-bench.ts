import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LifeboatService } from '../electron/core/service/lifeboat-service';
import { createLiveDatabase, readLedgerState, type LiveMode } from '../electron/testing/fixtures';
import { startWriter } from '../electron/testing/writer-handle';
import {
  clearDir,
  fsyncFile,
  latencyLine,
  lifeboatSnapshot,
  median,
  out,
  rounds,
  sizeMb,
  stepwiseTimeoutMs,
  timedAsync,
  writerRate,
} from './bench-tools';

/** A snapshot against `cp` + fsync and SQLite's own backups, idle and under a writer; the main thread's stalls. */

type Candidate = { name: string; run: (src: string, dst: string, backupsDir: string) => Promise<void> };

const candidates: Candidate[] = [
  {
    name: 'cp + fsync',
    run: (src, dst) => {
      const result = spawnSync('cp', [src, dst]);
      if (result.status !== 0) {
        throw new Error('cp failed');
      }
      fsyncFile(dst);
      return Promise.resolve();
    },
  },
  {
    name: 'lifeboat snapshot (copy, quick_check, fsync, sha256)',
    run: async (src, _dst, backupsDir) => {
      await lifeboatSnapshot(src, backupsDir);
    },
  },
  {
    name: 'sqlite3 CLI .backup',
    run: (src, dst) => {
      const result = spawnSync('sqlite3', [src, `.backup '${dst}'`]);
      if (result.status !== 0) {
        throw new Error(`sqlite3 .backup failed: ${result.stderr.toString()}`);
      }
      return Promise.resolve();
    },
  },
  {
    name: 'backup API, one step + fsync',
    run: async (src, dst) => {
      const db = new Database(src, { readonly: true });
      try {
        // 0x7fffffff pages per step: "all at once" (better-sqlite3 clamps -1 to 0 and would spin).
        await db.backup(dst, { progress: () => 0x7fffffff });
      } finally {
        db.close();
      }
      fsyncFile(dst);
    },
  },
  {
    name: 'VACUUM INTO + fsync',
    run: (src, dst) => {
      const db = new Database(src, { readonly: true });
      try {
        db.prepare('VACUUM INTO ?').run(dst);
      } finally {
        db.close();
      }
      fsyncFile(dst);
      return Promise.resolve();
    },
  },
];

export async function benchMode(work: string, mode: LiveMode): Promise<void> {
  const src = path.join(work, `live-${mode}.db`);
  const outDir = path.join(work, `out-${mode}`);
  out(`Creating a ${sizeMb} MiB database in ${mode} mode...`);
  createLiveDatabase(src, mode, sizeMb * 1024 * 1024);
  const bytes = fs.statSync(src).size;
  // Start from a quiet disk: the new database's own dirty pages would slow whichever candidate ran first.
  spawnSync('sync');

  const times = new Map<string, number[]>(candidates.map((c) => [c.name, []]));
  clearDir(outDir);
  for (let round = 0; round < rounds; round += 1) {
    // Each round starts with another candidate, so none always runs right after the same neighbour.
    const order = [
      ...candidates.slice(round % candidates.length),
      ...candidates.slice(0, round % candidates.length),
    ];
    for (const candidate of order) {
      const ms = await timedAsync(() => candidate.run(src, path.join(outDir, 'copy.db'), outDir));
      times.get(candidate.name)?.push(ms);
      clearDir(outDir);
      spawnSync('sync');
    }
  }
  const base = median(times.get('cp + fsync') ?? []);
  out();
  out(`Idle, ${mode} mode, ${(bytes / 1048576).toFixed(0)} MiB, median of ${rounds} interleaved rounds:`);
  for (const candidate of candidates) {
    const t = median(times.get(candidate.name) ?? []);
    out(
      `  ${candidate.name.padEnd(54)} ${(t / 1000).toFixed(2).padStart(6)} s   ${(t / base).toFixed(2)}x cp + fsync`,
    );
  }

  // Under a writer committing writerRate transactions a second.
  const idleWriter = await startWriter(src, writerRate);
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const before = await idleWriter.stop();

  const writer = await startWriter(src, writerRate);
  // Counted by the writer itself: reading the live database here would wait behind the writer (rollback journal).
  await writer.waitForCommits(200);
  const outcomes: string[] = [];
  let finished = 0;
  let consistent = 0;
  const snapshotTimes: number[] = [];
  for (let i = 0; i < rounds; i += 1) {
    let snapshotPath = '';
    snapshotTimes.push(
      await timedAsync(async () => {
        snapshotPath = await lifeboatSnapshot(src, outDir);
      }),
    );
    finished += 1;
    const state = readLedgerState(snapshotPath);
    if (state.integrity === 'ok' && state.balanceSum === state.ledgerSum) {
      consistent += 1;
    }
    outcomes.push(`${state.ledgerRows} ledger rows`);
    fs.rmSync(snapshotPath, { force: true });
  }
  const during = await writer.stop();
  clearDir(outDir);

  const stepWriter = await startWriter(src, writerRate);
  const stepStart = Date.now();
  const step = spawnSync('sqlite3', [src, `.backup '${path.join(outDir, 'step.db')}'`], {
    timeout: stepwiseTimeoutMs,
  });
  const stepOutcome =
    step.status === 0
      ? `finished in ${((Date.now() - stepStart) / 1000).toFixed(1)} s`
      : `did not finish in ${stepwiseTimeoutMs / 1000} s (killed)`;
  await stepWriter.stop();
  clearDir(outDir);

  out();
  out(`Under a writer committing ${writerRate} transactions/s, ${mode} mode:`);
  out(
    `  lifeboat snapshots finished     ${finished}/${rounds}, consistent (integrity ok, ledger = balances) ${consistent}/${rounds} (${outcomes.join(', ')})`,
  );
  out(
    `  lifeboat snapshot time          median ${(median(snapshotTimes) / 1000).toFixed(2)} s = ${(median(snapshotTimes) / base).toFixed(2)}x idle cp + fsync`,
  );
  out(`  writer latency before           ${latencyLine(before)}`);
  out(`  writer latency during snapshots ${latencyLine(during)}`);
  out(`  sqlite3 CLI .backup (stepwise)  ${stepOutcome}`);
  fs.rmSync(src, { force: true });
  fs.rmSync(`${src}-wal`, { force: true });
  fs.rmSync(`${src}-shm`, { force: true });
}

/**
 * The desktop app's main process while a snapshot runs: the same service, job events forwarded as
 * the Electron binding forwards them, on a LIFEBOAT_BENCH_LOOP_MB database (default 2048).
 */
export async function benchEventLoop(work: string): Promise<void> {
  const loopMb = Number(process.env['LIFEBOAT_BENCH_LOOP_MB'] ?? '2048');
  const appDir = path.join(work, 'loop');
  fs.mkdirSync(appDir);
  out(`Creating a ${loopMb} MiB database for the event-loop measurement...`);
  createLiveDatabase(path.join(appDir, 'app.db'), 'wal', loopMb * 1024 * 1024);
  const service = new LifeboatService({ dataDir: path.join(work, 'loop-data'), origin: 'cli' });
  const app = await service.handlers['apps:add']({ database: path.join(appDir, 'app.db') });
  let events = 0;
  service.on('job:progress', () => {
    events += 1;
  });
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  let longestGap = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - last);
    last = now;
  }, 1);
  histogram.enable();
  const finished = new Promise<void>((resolve) => service.on('job:finished', () => resolve()));
  const started = performance.now();
  await service.handlers['snapshots:create']({ appId: app.id, label: 'loop' });
  await finished;
  const seconds = (performance.now() - started) / 1000;
  histogram.disable();
  clearInterval(ticker);
  out();
  out(
    `Main thread while a ${loopMb} MiB snapshot job ran (${seconds.toFixed(1)} s, ${events} progress events): longest gap between 1 ms timer ticks ${longestGap.toFixed(1)} ms, event-loop delay p99 ${(histogram.percentile(99) / 1e6).toFixed(1)} ms, max ${(histogram.max / 1e6).toFixed(1)} ms (target: under 20 ms)`,
  );
}

/** Listing 10,000 snapshots with their schema revisions: cold (no cache: each one opened) and warm. */
