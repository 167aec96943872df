import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LifeboatError } from '../../contract/errors';
import type { JobControl } from '../job-control';
import { LifeboatFailure } from '../lifeboat-failure';

export interface CheckAsk {
  readonly id: number;
  readonly filePath: string;
  readonly maxProblems: number;
}

export type CheckAnswer =
  { readonly id: number; readonly rows: string[] } | { readonly id: number; readonly error: LifeboatError };

/**
 * How long an integrity check may take: two minutes (or `LIFEBOAT_CHECK_BUDGET` seconds), plus a
 * second for every 5 MB. An honest check reads the file once or a few times (the bench: 512 MiB in
 * about a second), so this is far beyond any real database; a small file that takes longer was built
 * to be slow.
 */
export function integrityBudgetMs(bytes: number): number {
  const seconds = Number(process.env['LIFEBOAT_CHECK_BUDGET'] ?? '');
  const baseMs = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 120_000;
  return baseMs + Math.ceil(bytes / 5_000);
}

const childPath = path.join(__dirname, 'integrity-check-child.js');
// How often a waiting check looks at its job's cancel flag and its budget.
const pollMs = 100;

/**
 * Runs `PRAGMA integrity_check` in a process of its own, one file at a time, so that a check can be
 * stopped: when its job is cancelled (within a tenth of a second) and when it outlives its budget
 * (`TIME_BUDGET_EXCEEDED`). A database built to be slow then stalls only its own check, never the
 * worker, the other snapshots of the job or the other apps. One process serves every check of a job
 * (starting one costs about 50 ms); `close` ends it.
 */
export class IntegrityChecker {
  private child: ChildProcess | null = null;
  private nextId = 1;

  /** The check's rows (`ok`, or up to `maxProblems` problems); a file SQLite cannot read as a database answers with why. */
  async check(
    filePath: string,
    maxProblems: number,
    control: JobControl,
    budgetMs = integrityBudgetMs(fs.statSync(filePath).size),
  ): Promise<string[]> {
    const child = this.started();
    const id = this.nextId++;
    const answer = await new Promise<CheckAnswer>((resolve, reject) => {
      const deadline = Date.now() + budgetMs;
      const end = (): void => {
        clearInterval(poll);
        child.off('message', onMessage);
        child.off('exit', onExit);
        child.off('error', onError);
      };
      const fail = (error: unknown): void => {
        end();
        this.close();
        reject(error instanceof Error ? error : new Error(String(error)));
      };
      const onMessage = (message: CheckAnswer): void => {
        if (message.id === id) {
          end();
          resolve(message);
        }
      };
      const onExit = (): void =>
        fail(
          new LifeboatFailure(
            'IO_ERROR',
            `The integrity check of ${path.basename(filePath)} stopped before it answered (its process ended).`,
            filePath,
          ),
        );
      const onError = (error: Error): void =>
        fail(
          new LifeboatFailure(
            'IO_ERROR',
            `The integrity check of ${path.basename(filePath)} could not run: ${error.message}`,
            filePath,
          ),
        );
      const poll = setInterval(() => {
        try {
          control.throwIfCancelled();
        } catch (error) {
          fail(error);
          return;
        }
        if (Date.now() > deadline) {
          fail(
            new LifeboatFailure(
              'TIME_BUDGET_EXCEEDED',
              `The integrity check of ${path.basename(filePath)} did not finish within ${Math.round(budgetMs / 1000)} s, far longer than its size needs, and was stopped so that the rest of the work goes on. A database whose CHECK constraints, generated columns or expression indexes are built to be slow does this. It is neither verified nor marked damaged; check it by hand with: sqlite3 FILE 'PRAGMA integrity_check'`,
              filePath,
            ),
          );
        }
      }, pollMs);
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.once('error', onError);
      child.send({ id, filePath, maxProblems } satisfies CheckAsk);
    });
    if ('rows' in answer) {
      return answer.rows;
    }
    // A file SQLite cannot read as a database is the check's answer, not a failure of the check.
    if (answer.error.code === 'SNAPSHOT_CORRUPT' || answer.error.code === 'NOT_A_DATABASE') {
      return [answer.error.message];
    }
    throw new LifeboatFailure(answer.error.code, answer.error.message, filePath);
  }

  /** Ends the checking process (at once, also in the middle of a check). */
  close(): void {
    this.child?.kill('SIGKILL');
    this.child = null;
  }

  private started(): ChildProcess {
    if (this.child === null) {
      // In the desktop app process.execPath is Electron's binary: this variable makes it plain Node.
      const child = fork(childPath, [], {
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        serialization: 'json',
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      });
      // A process that ended between checks is started again for the next one.
      child.once('exit', () => {
        if (this.child === child) {
          this.child = null;
        }
      });
      child.on('error', () => undefined);
      this.child = child;
    }
    return this.child;
  }
}

/** One integrity check in a process of its own, ended when it is answered, cancelled or out of time. */
export async function checkIntegrity(
  filePath: string,
  maxProblems: number,
  control: JobControl,
): Promise<string[]> {
  const checker = new IntegrityChecker();
  try {
    return await checker.check(filePath, maxProblems, control);
  } finally {
    checker.close();
  }
}
