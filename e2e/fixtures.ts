import { test as base, expect } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { AppPage } from './pages/app-page';

export const bin = path.resolve(__dirname, '..', 'bin', 'lifeboat.js');

/** A running `lifeboat serve` with a fresh data folder of its own. */
export interface Host {
  readonly url: string;
  readonly origin: string;
  readonly dataDir: string;
  /** A folder for the test's own files (live databases). */
  readonly workDir: string;
  /** Stops the host, as its user pressing Ctrl-C would. */
  stop(): Promise<void>;
}

/** Starts `lifeboat serve` (with `env` added to this process's environment, and `options` such as --admin); its URL once it prints it. */
export async function startHost(
  dataDir: string,
  workDir: string,
  env: Record<string, string> = {},
  options: readonly string[] = [],
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [bin, 'serve', '--port', '0', '--data-dir', dataDir, '--allow', workDir, ...options],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } },
  );
  const lines = readline.createInterface({ input: child.stdout });
  for await (const line of lines) {
    const match = /serving on (http:\/\/\S+)/.exec(line);
    if (match?.[1] !== undefined) {
      lines.close();
      return { url: match[1], child };
    }
  }
  throw new Error('lifeboat serve exited before printing its URL');
}

export const test = base.extend<{ host: Host; app: AppPage }>({
  host: async ({}, use, testInfo) => {
    const dataDir = testInfo.outputPath('data');
    const workDir = testInfo.outputPath('work');
    const { url, child } = await startHost(dataDir, workDir);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const stop = async (): Promise<void> => {
      child.kill('SIGTERM');
      await exited;
    };
    await use({ url, origin: new URL(url).origin, dataDir, workDir, stop });
    await stop();
  },
  app: async ({ page, host }, use) => {
    await page.goto(host.url);
    await use(new AppPage(page));
  },
});

export { expect };
