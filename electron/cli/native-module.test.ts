import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { lifeboatBin } from '../testing/cli-run';
import { makeTempDir } from '../testing/fixtures';

/**
 * The SQLite module built for one Node and run by another, as it happens after a Node upgrade or with an
 * npm setting that points node-gyp at another Node's headers: played with a real second Node on this
 * machine (Debian's, beside the Node 22 the tests run on), whose module ABI differs.
 */

const root = path.resolve(__dirname, '../../..');

/** A Node on this machine whose native modules are not this one's, with its own headers; null if none. */
function otherNode(): string | null {
  const dirs = ['/usr/bin', '/usr/local/bin', ...(process.env['PATH'] ?? '').split(path.delimiter)];
  const own = fs.realpathSync(process.execPath);
  for (const dir of dirs) {
    const candidate = path.join(dir, 'node');
    if (!fs.existsSync(candidate) || fs.realpathSync(candidate) === own) {
      continue;
    }
    const abi = spawnSync(candidate, ['-p', 'process.versions.modules'], { encoding: 'utf8' }).stdout.trim();
    const prefix = path.dirname(path.dirname(fs.realpathSync(candidate)));
    if (
      abi !== '' &&
      abi !== process.versions.modules &&
      fs.existsSync(path.join(prefix, 'include/node/node.h'))
    ) {
      return candidate;
    }
  }
  return null;
}

const other = otherNode();
const skip =
  other === null
    ? 'no second Node.js with another module ABI and its headers on this machine (CI has Debian’s beside Node 22)'
    : false;

describe('the SQLite module built for another Node', { skip }, () => {
  const { dir, cleanup } = makeTempDir();
  after(cleanup);
  const node = other ?? '';

  it('is named with its own code, both versions and the one command that fixes it, not as a bug in Lifeboat', () => {
    const db = path.join(dir, 'app.db');
    new Database(db).exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)').close();
    const run = spawnSync(node, [lifeboatBin, 'backup', '--db', db, '--json'], {
      cwd: dir,
      encoding: 'utf8',
    });
    assert.equal(run.status, 1, run.stderr);
    const { error } = JSON.parse(run.stdout) as { error: { code: string; message: string } };
    assert.equal(error.code, 'NATIVE_MODULE_MISMATCH');
    assert.match(error.message, new RegExp(`NODE_MODULE_VERSION ${process.versions.modules}`));
    assert.ok(
      error.message.endsWith(`${node} ${path.join(root, 'scripts', 'check-native-module.mjs')}`),
      error.message,
    );
    assert.deepEqual(
      fs.readdirSync(path.join(dir, 'backups')).filter((name) => !name.startsWith('.')),
      [],
      'no snapshot, and no part of one',
    );
  });

  it('is rebuilt by the install check against that Node’s own headers, whatever npm’s nodedir says', () => {
    // A copy of the installed module (built for the Node running this test) in a project of its own.
    const project = path.join(dir, 'project');
    fs.mkdirSync(path.join(project, 'scripts'), { recursive: true });
    fs.writeFileSync(path.join(project, 'package.json'), '{"name": "project", "private": true}');
    fs.copyFileSync(
      path.join(root, 'scripts', 'check-native-module.mjs'),
      path.join(project, 'scripts', 'check-native-module.mjs'),
    );
    for (const name of ['better-sqlite3', 'bindings', 'file-uri-to-path']) {
      fs.cpSync(path.join(root, 'node_modules', name), path.join(project, 'node_modules', name), {
        recursive: true,
      });
    }
    const loads = (): boolean =>
      spawnSync(node, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { cwd: project })
        .status === 0;
    assert.equal(loads(), false, 'built for the other Node first');
    // The setting that made the wrong module: the test's own Node's headers.
    const wrongHeaders = path.dirname(path.dirname(fs.realpathSync(process.execPath)));
    const check = (): ReturnType<typeof spawnSync> =>
      spawnSync(node, ['scripts/check-native-module.mjs'], {
        cwd: project,
        encoding: 'utf8',
        env: { ...process.env, npm_config_nodedir: wrongHeaders },
      });
    const rebuilt = check();
    assert.equal(rebuilt.status, 0, String(rebuilt.stderr));
    assert.match(String(rebuilt.stdout), /built for another Node\.js; rebuilding it for v\d+/);
    assert.equal(loads(), true);
    const again = check();
    assert.deepEqual([again.status, again.stdout], [0, ''], 'a module that loads is left alone');
  });
});
