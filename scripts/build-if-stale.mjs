// `npm start`'s first step: builds only when a source changed since the last build it made (the
// common start, after `npm install` built everything, builds nothing and opens the window at once).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const stamp = path.join(root, 'dist', '.build-stamp');
const sources = ['electron', 'renderer', 'bench', 'package.json', 'tsconfig.json', 'tsconfig.base.json'];

/** The newest modification time of a file or of any file under a folder (node_modules and dist aside). */
function newest(file) {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (stat === undefined) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs
    .readdirSync(file)
    .filter((name) => name !== 'node_modules' && name !== 'dist')
    .reduce((latest, name) => Math.max(latest, newest(path.join(file, name))), stat.mtimeMs);
}

const built = fs.statSync(stamp, { throwIfNoEntry: false })?.mtimeMs ?? 0;
if (sources.some((source) => newest(path.join(root, source)) > built)) {
  process.stderr.write('Building Lifeboat (a source changed since the last build)...\n');
  const run = spawnSync('npm', ['run', 'build'], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (run.status !== 0) process.exit(run.status ?? 1);
  fs.writeFileSync(stamp, `${new Date().toISOString()}\n`);
}
