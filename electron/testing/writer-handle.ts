import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';

export interface WriterResult {
  readonly commits: number;
  readonly errors: number;
  readonly latenciesMs: number[];
}

/** A running writer process (see writer-process.ts). */
export interface Writer {
  /** Resolves once it has committed at least `n` transactions since it started, as it reports itself. */
  waitForCommits(n: number): Promise<void>;
  stop(): Promise<WriterResult>;
}

/** Starts a child process committing `rate` transactions a second to `dbPath`; resolves when it runs. */
export async function startWriter(dbPath: string, rate: number): Promise<Writer> {
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(__dirname, 'writer-process.js'), dbPath, String(rate)],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = readline.createInterface({ input: child.stdout! });
  let commits = 0;
  const waiting = new Set<{ n: number; resolve: () => void }>();
  let ready: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (ready = resolve));
  const report = new Promise<WriterResult>((resolve, reject) => {
    lines.on('line', (line) => {
      if (line === 'ready') {
        ready();
      } else if (line.startsWith('commits ')) {
        commits = Number(line.slice('commits '.length));
        for (const waiter of waiting) {
          if (commits >= waiter.n) {
            waiting.delete(waiter);
            waiter.resolve();
          }
        }
      } else {
        resolve(JSON.parse(line) as WriterResult);
      }
    });
    child.on('close', (code) => reject(new Error(`writer exited (${String(code)}) without its report`)));
  });
  // The report is awaited by stop(); a writer that dies early fails that call, not the process.
  report.catch(() => undefined);
  await Promise.race([started, report.then(() => undefined)]);
  return {
    waitForCommits(n: number): Promise<void> {
      return commits >= n ? Promise.resolve() : new Promise((resolve) => waiting.add({ n, resolve }));
    },
    async stop(): Promise<WriterResult> {
      child.stdin!.end('stop\n');
      const result = await report;
      lines.close();
      return result;
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
