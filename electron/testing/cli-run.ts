import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';

/** The `lifeboat` command as a user runs it (compiled, in its own process). */
export const lifeboatBin = path.resolve(__dirname, '../../../bin/lifeboat.js');

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  json<T>(): T;
}

/** Runs `lifeboat ARGS` in `cwd`, with LIFEBOAT_DB unset unless `env` sets it; a run that hangs is killed after a minute. */
export function lifeboat(args: string[], cwd: string, env: Record<string, string> = {}): CliRun {
  const result = spawnSync(process.execPath, [lifeboatBin, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, LIFEBOAT_DB: '', ...env },
  });
  return {
    code: result.status,
    signal: result.signal,
    stdout: result.stdout,
    stderr: result.stderr,
    json: <T>() => JSON.parse(result.stdout) as T,
  };
}

/**
 * `lifeboat` as an async child: for tests whose servers in this process must answer it while it runs,
 * or that run several at once; as `user` when given (Node drops the supplementary groups too).
 */
export function lifeboatAsync(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
  user?: { readonly uid: number; readonly gid: number },
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [lifeboatBin, ...args], {
      cwd,
      env: { ...process.env, LIFEBOAT_DB: '', ...env },
      ...user,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code, signal) =>
      resolve({ code, signal, stdout, stderr, json: <T>() => JSON.parse(stdout) as T }),
    );
  });
}
