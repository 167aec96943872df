import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startJob } from '../electron/core/jobs/job-runner';
import { createLiveDatabase } from '../electron/testing/fixtures';
import { percentile, type WriterResult } from '../electron/testing/writer-handle';

/** What the benchmark's parts share: the settings, output, timing and a snapshot taken by Lifeboat. */

export const sizeMb = Number(process.env['LIFEBOAT_BENCH_MB'] ?? '512');
export const rounds = Number(process.env['LIFEBOAT_BENCH_ROUNDS'] ?? '5');
export const writerRate = 2000;
export const stepwiseTimeoutMs = 20000;

export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function fsyncFile(filePath: string): void {
  const fd = fs.openSync(filePath, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export async function timedAsync(fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function median(values: number[]): number {
  return percentile(values, 50);
}

export async function lifeboatSnapshot(databasePath: string, backupsDir: string): Promise<string> {
  const result = await startJob({ kind: 'snapshot', input: { location: { databasePath, backupsDir } } })
    .result;
  if (!result.ok || result.value.kind !== 'created') {
    throw new Error(`snapshot failed: ${JSON.stringify(result)}`);
  }
  return result.value.snapshot.path;
}

export function clearDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
}

export function latencyLine(result: WriterResult): string {
  const l = result.latenciesMs;
  return `p50 ${percentile(l, 50).toFixed(2)} / p99 ${percentile(l, 99).toFixed(2)} / max ${Math.max(0, ...l).toFixed(1)} ms (${result.commits} commits, ${result.errors} errors)`;
}

export function timedCommand(argv: readonly string[]): { seconds: number; maxRssKb: number | null } {
  const start = process.hrtime.bigint();
  const run = spawnSync(argv[0] ?? '', argv.slice(1), {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (run.status !== 0) {
    throw new Error(`${argv.join(' ')} failed: ${run.stderr}`);
  }
  const rss = /maxRSS (\d+)/.exec(run.stderr);
  return { seconds, maxRssKb: rss === null ? null : Number(rss[1]) };
}

/**
 * `lifeboat diff` of two snapshots of a database of LIFEBOAT_BENCH_MB that differ in 1 % of their rows
 * (updates, deletions and insertions), against sqldiff (sqlite3-tools) on the same pair, and its memory.
 */
export async function databaseWithSnapshot(
  work: string,
  name: string,
): Promise<{ dir: string; databasePath: string; backupsDir: string; snapshotPath: string }> {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  const databasePath = path.join(dir, 'app.db');
  const backupsDir = path.join(dir, 'backups');
  createLiveDatabase(databasePath, 'wal', sizeMb * 1024 * 1024);
  return { dir, databasePath, backupsDir, snapshotPath: await lifeboatSnapshot(databasePath, backupsDir) };
}

/** The restore's swap (stage, set aside, rename, verify) of a 512 MiB snapshot against cp + fsync; the discard after it apart. */
