import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { countLedgerRows } from './fixtures';

export interface WriterResult {
  readonly commits: number;
  readonly errors: number;
  readonly latenciesMs: number[];
}

/** A running writer process (see writer-process.ts). */
export interface Writer {
  /** Resolves once it has committed at least `n` transactions. */
  waitForCommits(n: number): Promise<void>;
  stop(): Promise<WriterResult>;
}

/** Starts a child process committing `rate` transactions a second to `dbPath`; resolves when it runs. */
export async function startWriter(dbPath: string, rate: number): Promise<Writer> {
  const child: ChildProcess = spawn(process.execPath, [path.join(__dirname, 'writer-process.js'), dbPath, String(rate)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout! });
  const iterator = lines[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.value !== 'ready') {
    throw new Error(`writer did not start: ${String(first.value)}`);
  }
  return {
    async waitForCommits(n: number): Promise<void> {
      // Polls the database itself: the writer's own commits are what a snapshot must see.
      for (;;) {
        if (countLedgerRows(dbPath) >= n) {
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async stop(): Promise<WriterResult> {
      child.stdin!.end('stop\n');
      const next = await iterator.next();
      lines.close();
      return JSON.parse(String(next.value)) as WriterResult;
    },
  };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) {
    return 0;
  }
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}
