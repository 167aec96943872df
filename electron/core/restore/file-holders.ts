import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A process that has a file open. */
export interface Holder {
  readonly pid: number;
  readonly command: string;
}

/** Who holds a database (or its -wal, -shm, -journal) open; `known` is false where the OS cannot tell. */
export interface Holders {
  readonly known: boolean;
  readonly holders: readonly Holder[];
}

function realPathOrSelf(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

/** Linux: every /proc/<pid>/fd link that points at one of the files. */
function linuxHolders(files: ReadonlySet<string>): Holder[] {
  const holders: Holder[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) {
      continue;
    }
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // Gone, or another user's process we may not inspect.
    }
    const holds = fds.some((fd) => {
      try {
        return files.has(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      } catch {
        return false;
      }
    });
    if (holds) {
      let command = '?';
      try {
        command =
          fs
            .readFileSync(`/proc/${pid}/cmdline`, 'utf8')
            .split('\0')
            .filter((part) => part !== '')
            .join(' ') || fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      } catch {
        // The process ended meanwhile; it is still named by its pid.
      }
      holders.push({ pid, command });
    }
  }
  return holders;
}

/** macOS (and other systems with lsof): `lsof -F pc FILE…`. */
function lsofHolders(files: readonly string[]): Holders {
  const result = spawnSync('lsof', ['-F', 'pc', '--', ...files], { encoding: 'utf8' });
  if (result.error !== undefined) {
    return { known: false, holders: [] };
  }
  const holders: Holder[] = [];
  let pid = 0;
  for (const line of result.stdout.split('\n')) {
    if (line.startsWith('p')) {
      pid = Number(line.slice(1));
    } else if (line.startsWith('c') && pid !== process.pid) {
      holders.push({ pid, command: line.slice(1) });
    }
  }
  return { known: true, holders };
}

/** The processes that hold the live database or one of its sidecars open. */
export function processesHolding(databasePath: string): Holders {
  const candidates = ['', '-wal', '-shm', '-journal']
    .map((suffix) => `${databasePath}${suffix}`)
    .filter((file) => fs.existsSync(file));
  if (candidates.length === 0) {
    return { known: true, holders: [] };
  }
  if (process.platform === 'linux' && fs.existsSync('/proc/self/fd')) {
    return { known: true, holders: linuxHolders(new Set(candidates.map(realPathOrSelf))) };
  }
  return lsofHolders(candidates);
}
