// After `npm install` (postinstall), and whenever Lifeboat says NATIVE_MODULE_MISMATCH: the SQLite module
// (better-sqlite3) must load under the Node that runs this script. When it was built for another Node
// (an npm setting that points node-gyp at an older Node's headers, or Node switched after installing),
// it is rebuilt against this Node's own headers, with npm's node-gyp run by this Node, then checked again.
// `npm rebuild` alone would rebuild it with the same setting, or under whichever Node `npm` finds first.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

/** Null when the module loads and opens a database here; else what Node said. */
function loadFailure() {
  const run = spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], {
    cwd: root,
    encoding: 'utf8',
  });
  return run.status === 0 ? null : run.stderr;
}

/** This Node's install folder when it holds its own headers (official builds, Debian's, the npm `node` package). */
function ownHeaders() {
  const prefix = path.dirname(path.dirname(fs.realpathSync(process.execPath)));
  return fs.existsSync(path.join(prefix, 'include', 'node', 'node.h')) ? prefix : null;
}

/** npm's own node-gyp: from the npm running this install, else the one beside this Node. */
function nodeGyp() {
  const npmCli = process.env['npm_execpath'];
  const candidates = [
    process.env['npm_config_node_gyp'],
    npmCli === undefined
      ? undefined
      : path.join(path.dirname(npmCli), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    path.join(
      path.dirname(path.dirname(fs.realpathSync(process.execPath))),
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
  ];
  return candidates.find((c) => c !== undefined && c !== '' && fs.existsSync(c)) ?? null;
}

const failure = loadFailure();
if (failure === null) {
  process.exit(0);
}
if (!/NODE_MODULE_VERSION|ERR_DLOPEN_FAILED|invalid ELF header|wrong ELF class/.test(failure)) {
  console.error(`lifeboat: the SQLite module (better-sqlite3) does not load:\n${failure}`);
  process.exit(1);
}
const headers = ownHeaders();
const gyp = nodeGyp();
if (gyp === null) {
  console.error(
    `lifeboat: the SQLite module was built for another Node.js than ${process.version} (${process.execPath}), and npm's node-gyp was not found to rebuild it. Rebuild it with: npm rebuild better-sqlite3 --build-from-source${headers === null ? '' : ` --nodedir=${headers}`}`,
  );
  process.exit(1);
}
console.log(
  `lifeboat: the SQLite module was built for another Node.js; rebuilding it for ${process.version} (${process.execPath})${headers === null ? '' : ` against its headers in ${headers}`}.`,
);
const env = { ...process.env };
// The setting that made the wrong module in the first place.
delete env['npm_config_nodedir'];
delete env['NPM_CONFIG_NODEDIR'];
const moduleDir = path.dirname(
  createRequire(path.join(root, 'package.json')).resolve('better-sqlite3/package.json'),
);
const rebuilt = spawnSync(
  process.execPath,
  [gyp, 'rebuild', '--release', ...(headers === null ? [] : [`--nodedir=${headers}`])],
  { cwd: moduleDir, env, stdio: ['ignore', 'inherit', 'inherit'] },
);
const after = rebuilt.status === 0 ? loadFailure() : 'node-gyp failed (above)';
if (after !== null) {
  console.error(
    `lifeboat: rebuilding the SQLite module for ${process.version} failed: ${after}\nIt needs make, a C++ compiler and Python 3 (apt-get install -y make g++ python3).`,
  );
  process.exit(1);
}
console.log(`lifeboat: the SQLite module now loads under ${process.version}.`);
