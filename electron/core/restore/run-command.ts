import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { describeCommand, type AppCommand, type CommandUser } from '../../contract/app-run';
import type { JobControl } from '../job-control';
import { LifeboatFailure } from '../lifeboat-failure';
import { switchedIds } from './command-user';

/**
 * Runs one of the app's own commands (stop, start, upgrade): an argument vector as it is, or the
 * user's shell line through /bin/sh, verbatim. Nothing of Lifeboat's (no path, no snapshot name) is
 * ever pasted into it. Output is streamed line by line; a timeout or a cancellation ends the whole
 * process group.
 */

/** The system's shell and its arguments to run a line the user wrote. */
function shellOf(line: string): [string, string[]] {
  return process.platform === 'win32' ? ['cmd.exe', ['/d', '/s', '/c', line]] : ['/bin/sh', ['-c', line]];
}

export interface CommandOutcome {
  readonly ok: boolean;
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  /** The last lines it printed (stdout and stderr together), for the error message. */
  readonly tail: string;
}

const killGraceMs = 5000;
const tailLines = 20;

export function runCommand(
  command: AppCommand,
  options: {
    readonly cwd: string;
    /** Who runs it: as root, another user is switched to (uid, gid, and no supplementary groups). */
    readonly user: CommandUser;
    /** Its whole environment: nothing of Lifeboat's own is added. */
    readonly env: Readonly<Record<string, string>>;
    readonly timeoutMs: number;
    readonly onLine: (line: string) => void;
  },
  control: JobControl,
): Promise<CommandOutcome> {
  const [file, args] =
    'shell' in command ? shellOf(command.shell) : [command.argv[0] ?? '', command.argv.slice(1)];
  const ids = switchedIds(options.user);
  return new Promise((resolve, reject) => {
    let child: ChildProcessByStdio<null, Readable, Readable>;
    try {
      child = spawn(file, args, {
        cwd: options.cwd,
        env: options.env,
        // Node's spawn, switching, also calls setgroups(0, NULL) in the child (libuv does): no supplementary group of Lifeboat's stays.
        ...ids,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: process.platform !== 'win32',
      });
    } catch (error) {
      // Root without CAP_SETUID/CAP_SETGID (a container that dropped them): spawn throws EPERM at once.
      if (ids === null || (error as NodeJS.ErrnoException).code !== 'EPERM') {
        throw error;
      }
      reject(
        new LifeboatFailure(
          'PERMISSION_DENIED',
          `Lifeboat could not run "${describeCommand(command)}" as uid ${ids.uid}, the app's user: the system refused to switch user (EPERM). Give Lifeboat the CAP_SETUID and CAP_SETGID capabilities, or run it as the app's user.`,
        ),
      );
      return;
    }
    const tail: string[] = [];
    let timedOut = false;
    let pending = '';
    const onData = (chunk: Buffer): void => {
      const lines = (pending + chunk.toString('utf8')).split(/\r?\n/);
      pending = lines.pop() ?? '';
      for (const line of lines) {
        options.onLine(line);
        tail.push(line);
        tail.splice(0, Math.max(0, tail.length - tailLines));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const killGroup = (signal: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined) {
          process.kill(process.platform === 'win32' ? child.pid : -child.pid, signal);
        }
      } catch {
        // Already gone.
      }
    };
    const stop = (): void => {
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), killGraceMs).unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);
    const cancelWatch = setInterval(() => {
      try {
        control.throwIfCancelled();
      } catch {
        stop();
      }
    }, 100);
    const finish = (exitCode: number | null, error?: Error): void => {
      clearTimeout(timer);
      clearInterval(cancelWatch);
      if (pending !== '') {
        options.onLine(pending);
        tail.push(pending);
      }
      if (error !== undefined) {
        tail.push(error.message);
      }
      resolve({ ok: exitCode === 0 && !timedOut, exitCode, timedOut, tail: tail.join('\n') });
    };
    child.on('error', (error) => finish(null, error));
    child.on('close', (code) => finish(code));
  });
}
