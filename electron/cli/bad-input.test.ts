import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { lifeboat } from '../testing/cli-run';
import { makeTempDir } from '../testing/fixtures';

/**
 * One code per cause, from every command: each command run with the same bad input through the real
 * CLI says the same code with the same exit status, and changes nothing (the live database and every
 * file of the backups folder byte for byte as they were).
 */

/** Every file under `dir` with the SHA-256 of its bytes: what "nothing changed" means. */
function filesOf(dir: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const name of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const file = path.join(dir, name);
    if (fs.statSync(file).isFile()) {
      found[name] = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    }
  }
  return found;
}

describe('a snapshot name that is not in the backups folder', () => {
  const { dir, cleanup } = makeTempDir();
  after(cleanup);
  const nas = path.join(dir, 'nas');
  let taken = '';
  before(() => {
    fs.mkdirSync(nas);
    const db = new Database(path.join(dir, 'app.db'));
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES (1)');
    db.close();
    const made = lifeboat(['backup', 'nightly', '--db', 'app.db', '--json'], dir);
    assert.equal(made.code, 0, made.stderr);
    taken = made.json<{ snapshot: { file: string } }>().snapshot.file;
  });

  const commands: readonly (readonly string[])[] = [
    ['verify', 'NAME'],
    ['restore', 'NAME', '--yes'],
    ['restore', 'NAME', '--to', 'copy.db'],
    ['restore', 'NAME', '--rehearse'],
    ['pin', 'NAME'],
    ['unpin', 'NAME'],
    ['delete', 'NAME', '--yes'],
    ['diff', 'NAME', 'live'],
    ['export', 'NAME', '--table', 'notes'],
    ['push', 'NAME', '--target', `file://${nas}`],
  ];
  for (const args of commands) {
    it(`${args.join(' ')}: SNAPSHOT_NOT_FOUND, exit 1, the closest names suggested, nothing changed`, () => {
      const before = filesOf(dir);
      // The snapshot's label alone, as people remember it, and a name no snapshot is like.
      for (const [name, says] of [
        ['nightly', `Did you mean "${taken}"?`],
        ['zzz.db', 'See the snapshots with "lifeboat list".'],
      ] as const) {
        const run = lifeboat(
          [...args.map((a) => (a === 'NAME' ? name : a)), '--db', 'app.db', '--json'],
          dir,
        );
        assert.equal(run.code, 1, run.stdout + run.stderr);
        const { error } = run.json<{ error: { code: string; message: string } }>();
        assert.equal(error.code, 'SNAPSHOT_NOT_FOUND');
        assert.ok(error.message.endsWith(says), error.message);
      }
      assert.deepEqual(filesOf(dir), before);
    });
  }
});

describe('a database file that is not a database', () => {
  const { dir, cleanup } = makeTempDir();
  after(cleanup);
  before(() => {
    fs.writeFileSync(path.join(dir, 'app.db'), 'not a database, '.repeat(20));
  });
  for (const args of [['backup'], ['info'], ['status']]) {
    it(`${args.join(' ')}: NOT_A_DATABASE, exit 1, nothing changed`, () => {
      // The database and the snapshots; a failed backup's line in the activity log is a record, not a change.
      const data = (): Record<string, string> =>
        Object.fromEntries(Object.entries(filesOf(dir)).filter(([name]) => !name.includes('.lifeboat')));
      const before = data();
      const run = lifeboat([...args, '--db', 'app.db', '--json'], dir);
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.equal(run.json<{ error: { code: string } }>().error.code, 'NOT_A_DATABASE');
      assert.deepEqual(data(), before);
    });
  }
});
