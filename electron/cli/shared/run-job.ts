import * as readline from 'node:readline/promises';
import type { Result } from '../../contract/errors';
import { progressMarker, type JobProgress } from '../../contract/jobs';
import type { JobHandle } from '../../core/jobs/job-runner';
import { LifeboatFailure, valueOrThrow } from '../../core/lifeboat-failure';
import { ProgressBar } from './progress-bar';
import { say, terminalSafe } from './terminal-text';

/** Set for a command a hub runs over SSH (`--from-hub`). */
let fromHub = false;
/** Cancels the job running now, if one is. */
let cancelRunning: (() => void) | null = null;

/**
 * Run for a hub: its Ctrl-C, or the connection dropping, ends this command's input, or makes writing
 * back fail (EPIPE). Either cancels the running job as Ctrl-C does here (a restore rolls back), and a
 * failed write never brings the process down halfway.
 */
export function followHub(): void {
  fromHub = true;
  const cancel = (): void => cancelRunning?.();
  process.stdin.on('end', cancel);
  process.stdin.on('error', cancel);
  process.stdout.on('error', cancel);
  process.stderr.on('error', cancel);
  process.stdin.resume();
  // Input left open must not keep the process alive once the command is done.
  (process.stdin as { unref?: () => void }).unref?.();
}

/** Runs a job with a progress bar on a terminal; Ctrl-C cancels it cleanly. */
export async function runWithProgress<T>(
  start: (onProgress: (p: JobProgress) => void) => JobHandle<T>,
  json: boolean,
): Promise<T> {
  const bar = new ProgressBar(!json);
  // Run for a hub (`--host` there): the hub draws the progress, and its Ctrl-C arrives as the end of input.
  const show = (progress: JobProgress): void =>
    fromHub
      ? void process.stderr.write(`${progressMarker}${JSON.stringify(progress)}\n`)
      : bar.update(progress);
  const handle = start(show);
  const onSigint = (): void => handle.cancel();
  process.on('SIGINT', onSigint);
  cancelRunning = onSigint;
  let result: Result<T>;
  try {
    result = await handle.result;
  } finally {
    process.off('SIGINT', onSigint);
    cancelRunning = null;
    bar.clear();
  }
  return valueOrThrow(result);
}

export function emit(json: boolean, value: unknown, human: () => string): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  } else {
    say(process.stdout, `${human()}\n`);
  }
}

/** Asks on a terminal; elsewhere (scripts) only --yes may confirm. `what`: why it asks, for scripts. */
export async function confirm(question: string, yes: boolean, what: string): Promise<boolean> {
  if (yes) {
    return true;
  }
  if (process.stdin.isTTY !== true) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `${what}: confirm with --yes when not running on a terminal.`,
    );
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${terminalSafe(question)} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
