import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lifeboatBin } from './cli-run';

/** One system call that returned, in the order the calls returned (every thread of the process). */
export interface TracedCall {
  readonly pid: number;
  readonly name: string;
  /** The files it names: the paths of its descriptors (strace -y) and its quoted path arguments. */
  readonly paths: readonly string[];
  /** Its arguments as strace wrote them (flags included). */
  readonly args: string;
  readonly result: number;
}

/** The calls that decide durability: flushes, and the renames and links that publish a file. */
const traced = ['fsync', 'fdatasync', 'link', 'linkat', 'rename', 'renameat', 'renameat2'];

/** Whether `strace` runs here (installed, and ptrace allowed): the reason it cannot, or null. */
export function straceUnavailable(): string | null {
  const probe = spawnSync('strace', ['-qq', '-e', 'trace=none', 'true'], { encoding: 'utf8' });
  if (probe.error !== undefined) {
    return `strace is not installed (${probe.error.message}); .ci/run installs it from Debian`;
  }
  return probe.status === 0 ? null : `strace cannot trace here: ${probe.stderr.trim()}`;
}

function pathsOf(args: string): string[] {
  const descriptors = [...args.matchAll(/\d+<([^>]*)>/g)].map((m) => m[1] ?? '');
  const quoted = [...args.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] ?? '');
  return [...descriptors, ...quoted];
}

/**
 * The calls in strace's output (`-f -y`), in the order they returned: a call another thread
 * interrupted is written as `<unfinished ...>` and finished by its `<... NAME resumed>` line.
 */
export function parseTrace(text: string): TracedCall[] {
  const calls: TracedCall[] = [];
  const pending = new Map<number, { name: string; args: string }>();
  for (const line of text.split('\n')) {
    const head = /^(\d+)\s+(.*)$/.exec(line);
    if (head === null) {
      continue;
    }
    const pid = Number(head[1]);
    const rest = head[2] ?? '';
    const unfinished = /^(\w+)\((.*) <unfinished \.\.\.>$/.exec(rest);
    const resumed = /^<\.\.\. (\w+) resumed>(.*)\)\s+= (-?\d+)/.exec(rest);
    const whole = /^(\w+)\((.*)\)\s+= (-?\d+)/.exec(rest);
    if (unfinished !== null) {
      pending.set(pid, { name: unfinished[1] ?? '', args: unfinished[2] ?? '' });
    } else if (resumed !== null) {
      const started = pending.get(pid);
      pending.delete(pid);
      const args = `${started?.args ?? ''}${resumed[2] ?? ''}`;
      calls.push({ pid, name: resumed[1] ?? '', paths: pathsOf(args), args, result: Number(resumed[3]) });
    } else if (whole !== null) {
      const args = whole[2] ?? '';
      calls.push({ pid, name: whole[1] ?? '', paths: pathsOf(args), args, result: Number(whole[3]) });
    }
  }
  return calls;
}

/**
 * Runs `lifeboat ARGS` in `cwd` under strace (it must succeed) and returns the calls of `calls` it
 * made: by default the flushes, renames and links.
 */
export function traceLifeboat(args: string[], cwd: string, calls: readonly string[] = traced): TracedCall[] {
  const out = path.join(cwd, `.strace-${process.pid}-${Date.now()}.txt`);
  const run = spawnSync(
    'strace',
    ['-f', '-y', '-qq', '-o', out, '-e', `trace=${calls.join(',')}`, process.execPath, lifeboatBin, ...args],
    { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, LIFEBOAT_DB: '' } },
  );
  try {
    if (run.status !== 0) {
      throw new Error(`lifeboat ${args.join(' ')} failed under strace: ${run.stderr}`);
    }
    return parseTrace(fs.readFileSync(out, 'utf8'));
  } finally {
    fs.rmSync(out, { force: true });
  }
}
