import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { lifeboat, type CliRun } from '../testing/cli-run';
import { makeTempDir } from '../testing/fixtures';
import { ProgressBar } from './shared/progress-bar';

/**
 * Names chosen by others reach a terminal: a snapshot's label, note and file name (the app's user
 * writes the backups folder), a table's name (the app writes its database). Printed for a person,
 * their escapes must do nothing: no cleared screen, no clipboard written (OSC 52), no hidden link
 * (OSC 8), no line overwritten (CR, backspace). With --json they stay exact.
 */

// Clear the screen, write the clipboard, a hidden link, a bell, a line overwritten, a C1 CSI, text reversed.
const hostile =
  'evil\x1b[2J\x1b]52;c;cm0gLXJmIC8=\x07\x1b]8;;http://x.example\x1b\\link\x1b]8;;\x1b\\\r\bok\u009b31m\u202egnp.exe';
/** Every control character a terminal acts on but newline (C0 but tab and newline, DEL, C1). */
// eslint-disable-next-line no-control-regex
const acted = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

function assertNeutral(run: CliRun, what: string): void {
  const shown = `${run.stdout}${run.stderr}`;
  assert.doesNotMatch(shown, acted, `${what} printed a control character: ${JSON.stringify(shown)}`);
}

describe('names chosen by others, printed on a terminal', () => {
  const { dir, cleanup } = makeTempDir();
  after(cleanup);
  let planted = '';
  before(() => {
    const db = new Database(path.join(dir, 'app.db'));
    db.exec(`CREATE TABLE "${hostile}" (id INTEGER PRIMARY KEY); INSERT INTO "${hostile}" DEFAULT VALUES`);
    db.close();
    // An older one, that prune would delete (its plan is then printed before the question).
    assert.equal(lifeboat(['backup', 'older', '--db', 'app.db'], dir).code, 0);
    const made = lifeboat(['backup', hostile, '--note', hostile, '--db', 'app.db', '--json'], dir);
    assert.equal(made.code, 0, made.stderr);
    const taken = made.json<{ snapshot: { file: string } }>().snapshot.file;
    // The app's user names a copy in the backups folder as it likes.
    planted = `app-20260101-000000-${hostile.replaceAll('/', '')}.db`;
    fs.copyFileSync(path.join(dir, 'backups', taken), path.join(dir, 'backups', planted));
  });

  const runs: readonly (readonly [string, readonly string[]])[] = [
    ['list', ['list']],
    ['info (table names)', ['info']],
    ['status', ['status']],
    ['check', ['check']],
    ['verify of every snapshot', ['verify']],
    ["restore's preview of the planted snapshot", ['restore', 'PLANTED']],
    ["prune's plan, before its question", ['prune', '--keep-last', '1']],
    ['the error for a hostile name', ['verify', `missing-${hostile}`]],
  ];
  for (const [title, args] of runs) {
    it(`${title}: escapes shown, not acted on`, () => {
      const run = lifeboat([...args.map((a) => (a === 'PLANTED' ? planted : a)), '--db', 'app.db'], dir);
      assert.ok(run.stdout !== '' || run.stderr !== '', 'printed something');
      assertNeutral(run, title);
    });
  }

  it("the progress line and the app's command output, on a terminal", () => {
    let written = '';
    const terminal = Object.assign(new PassThrough(), { isTTY: true, columns: 400 });
    terminal.on('data', (chunk: Buffer) => (written += chunk.toString('utf8')));
    const bar = new ProgressBar(true, terminal as unknown as NodeJS.WriteStream);
    bar.update({
      jobId: 'j',
      kind: 'restore',
      phase: hostile,
      detail: hostile,
      fraction: 0.5,
      output: [hostile],
    });
    // The bar's own escape, that redraws its line, is the one control sequence left.
    assert.doesNotMatch(written.replaceAll('\r\x1b[2K', ''), acted, JSON.stringify(written));
    assert.match(written, /evil\\x1b\[2J/);
  });

  it('shows what was neutralised, so a person can still tell the names apart', () => {
    const listed = lifeboat(['list', '--db', 'app.db'], dir);
    assert.match(listed.stdout, /evil\\x1b\[2J\\x1b\]52;c;cm0gLXJmIC8=\\x07/);
    const info = lifeboat(['info', '--db', 'app.db'], dir);
    assert.match(info.stdout, /\\x0d\\x08ok\\x9b31m\\u202egnp\.exe/);
  });

  it('--json keeps every name exact', () => {
    const listed = lifeboat(['list', '--db', 'app.db', '--json'], dir);
    assert.equal(listed.code, 0, listed.stderr);
    const { snapshots } = listed.json<{ snapshots: { file: string; note?: string | null }[] }>();
    assert.ok(snapshots.some((s) => s.note === hostile));
    assert.ok(snapshots.some((s) => s.file === planted));
  });
});
