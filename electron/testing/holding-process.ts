import { spawn } from 'node:child_process';

/** Another process keeping a file open, as a running app keeps its database: what restores must notice. */
export interface HoldingProcess {
  readonly pid: number;
  /** Ends the process (and so closes the file). */
  release(): void;
}

/** Starts a process that opens `filePath` and keeps it open; resolves once it holds it. */
export async function holdFileOpen(filePath: string): Promise<HoldingProcess> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      'require("fs").openSync(process.argv[1], "r"); console.log("holding"); setInterval(() => {}, 1000);',
      filePath,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise((resolve) => child.stdout.once('data', resolve));
  return { pid: child.pid ?? 0, release: () => child.kill() };
}

/**
 * Starts sqlite3 (the real command-line shell) holding an exclusive lock on the database at `dbPath`
 * (rollback-journal mode), as an app in the middle of a long write does; resolves once it holds it.
 */
export async function holdExclusiveLock(dbPath: string): Promise<HoldingProcess> {
  const child = spawn('sqlite3', [dbPath], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.write("BEGIN EXCLUSIVE; SELECT 'holding';\n");
  await new Promise((resolve) => child.stdout.once('data', resolve));
  return { pid: child.pid ?? 0, release: () => child.kill() };
}
