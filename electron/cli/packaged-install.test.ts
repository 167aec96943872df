import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeTempDir } from '../testing/fixtures';

const checkout = path.resolve(__dirname, '../../..');

/**
 * The way the README says to put the CLI and the web host on a server: `npm pack` in a checkout,
 * then `npm install -g` of that tarball, here into a prefix of its own. The installed command must
 * work on its own: no checkout, no dev dependencies, its own copy of better-sqlite3.
 *
 * better-sqlite3 installs a prebuilt binary when it can download one, as it does for most users. Its
 * downloads cannot be reached here, so the test gives prebuild-install a local mirror holding the
 * binary this checkout built (its documented `local-prebuilds` setting) instead of compiling it
 * again for a minute: what is tested is Lifeboat's package, not the C compiler.
 */

/** A folder laid out as prebuild-install's local mirror, with this checkout's better-sqlite3 binary for this Node. */
function localPrebuilds(dir: string): string {
  const module = path.join(checkout, 'node_modules', 'better-sqlite3');
  const { version } = JSON.parse(fs.readFileSync(path.join(module, 'package.json'), 'utf8')) as {
    version: string;
  };
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['-czf', path.join(dir, name), '-C', module, 'build/Release/better_sqlite3.node']);
  return dir;
}
describe('installing Lifeboat from a tarball made by npm pack', () => {
  let temp: { dir: string; cleanup: () => void };
  let bin: string;
  before(() => {
    temp = makeTempDir();
    // dist is already built by `npm test`; packing with scripts would rebuild it under the other tests.
    const tarball =
      execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', temp.dir], {
        cwd: checkout,
        encoding: 'utf8',
      })
        .trim()
        .split('\n')
        .pop() ?? '';
    const prefix = path.join(temp.dir, 'prefix');
    execFileSync(
      'npm',
      [
        'install',
        '--global',
        '--prefix',
        prefix,
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        path.join(temp.dir, tarball),
      ],
      {
        cwd: temp.dir,
        stdio: 'pipe',
        timeout: 600_000,
        env: {
          ...process.env,
          npm_config_better_sqlite3_local_prebuilds: localPrebuilds(path.join(temp.dir, 'prebuilds')),
        },
      },
    );
    bin = path.join(prefix, 'bin', 'lifeboat');
  });
  after(() => temp.cleanup());

  const run = (...args: string[]): { code: number | null; stdout: string; stderr: string } => {
    const result = spawnSync(bin, args, {
      cwd: temp.dir,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, LIFEBOAT_DB: '' },
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  it('backs up, lists and verifies a database, and has the web host', () => {
    const db = new Database(path.join(temp.dir, 'app.db'));
    db.exec(
      "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('kept')",
    );
    db.close();
    const backup = run('backup', 'nightly', '--db', 'app.db', '--json');
    assert.equal(backup.code, 0, backup.stderr);
    const list = run('list', '--db', 'app.db', '--json');
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(
      (JSON.parse(list.stdout) as { snapshots: { label: string; status: string }[] }).snapshots.map((s) => [
        s.label,
        s.status,
      ]),
      [['nightly', 'verified']],
    );
    assert.equal(run('verify', '--db', 'app.db').code, 0);
    assert.match(run('help').stdout, /lifeboat serve/);
    const installed = path.join(path.dirname(path.dirname(bin)), 'lib', 'node_modules', 'lifeboat');
    assert.ok(
      fs.existsSync(path.join(installed, 'dist', 'renderer', 'index.html')),
      'the web host has its page',
    );
    assert.equal(
      fs.existsSync(path.join(installed, 'dist', 'electron', 'testing')),
      false,
      'no test helpers shipped',
    );
    const binary = path.join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    assert.ok(
      fs.readFileSync(path.join(installed, binary)).equals(fs.readFileSync(path.join(checkout, binary))),
      'better-sqlite3 installed its prebuilt binary from the mirror',
    );
  });
});
