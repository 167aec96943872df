import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { lifeboat } from '../testing/cli-run';
import { contentDigest, createLiveDatabase, makeTempDir } from '../testing/fixtures';
import { straceUnavailable, traceLifeboat, type TracedCall } from '../testing/syscall-trace';
import { restorePaths } from './restore/restore-journal';

/**
 * Invariants 2 and 5 on the disk, not in the code: the real `lifeboat` run under strace, and the order
 * in which its flushes and publishing renames return. A file that takes its final name before it was
 * flushed can come back empty or torn after a power cut, which no other test can observe.
 */

/** The index of the first call that returned 0 and matches, or -1. */
function indexOf(calls: readonly TracedCall[], match: (call: TracedCall) => boolean): number {
  return calls.findIndex((call) => call.result === 0 && match(call));
}

const isFlush = (call: TracedCall, file: string): boolean =>
  (call.name === 'fsync' || call.name === 'fdatasync') && call.paths[0] === file;

/**
 * Asserts that `file` was flushed before it was given the name `published`, and its folder flushed
 * after; `flushedAs` is its name in the flush when it is published through its folder's descriptor.
 */
function assertFlushedThenPublished(
  calls: readonly TracedCall[],
  file: string,
  published: string,
  flushedAs = file,
): void {
  const publish = indexOf(
    calls,
    (call) => /^(link|rename)/.test(call.name) && call.paths.includes(file) && call.paths.includes(published),
  );
  assert.ok(publish >= 0, `${file} was published as ${published}`);
  const flushed = indexOf(calls, (call) => isFlush(call, flushedAs));
  assert.ok(
    flushed >= 0 && flushed < publish,
    `${path.basename(file)} is flushed to disk before it takes the name ${path.basename(published)}`,
  );
  const folder = calls.findIndex(
    (call, index) => index > publish && call.result === 0 && isFlush(call, path.dirname(published)),
  );
  assert.ok(folder > publish, `the folder of ${path.basename(published)} is flushed after the new name`);
}

/** Skips (saying why) where strace cannot run; in CI, which installs it, that is a failure instead. */
function cannotTrace(t: TestContext): boolean {
  const unavailable = straceUnavailable();
  if (unavailable !== null) {
    assert.notEqual(process.env['CI'], 'true', unavailable);
    t.skip(unavailable);
  }
  return unavailable !== null;
}

describe('durability, seen in the system calls', () => {
  let temp: { dir: string; cleanup: () => void };
  before(() => {
    temp = makeTempDir();
  });
  after(() => temp.cleanup());

  it('a snapshot is flushed before it is published under its name, and its folder after', (t) => {
    if (cannotTrace(t)) {
      return;
    }
    const dir = path.join(temp.dir, 'snapshot');
    fs.mkdirSync(dir);
    createLiveDatabase(path.join(dir, 'app.db'), 'wal', 512 * 1024);
    const calls = traceLifeboat(['backup', 'traced', '--db', 'app.db'], dir);
    const backups = path.join(dir, 'backups');
    const [published] = fs.readdirSync(backups).filter((name) => name.endsWith('-traced.db'));
    assert.ok(published !== undefined);
    // Written in a staging folder of its own, flushed there (strace names the descriptor's file),
    // then linked from it through the folder's descriptor.
    const staged = calls.find(
      (call) => call.name === 'fsync' && /\/\.lifeboat-tmp-[^/]+\/snapshot\.db$/.test(call.paths[0] ?? ''),
    )?.paths[0];
    const link = calls.find(
      (call) => call.name.startsWith('link') && call.paths.some((p) => p.endsWith(published)),
    );
    const source = link?.paths[0];
    assert.ok(
      staged !== undefined && source !== undefined,
      'the snapshot is written in a staging folder, then linked',
    );
    assert.match(source, /^\/proc\/self\/fd\/\d+\/snapshot\.db$/);
    assertFlushedThenPublished(calls, source, path.join(backups, published), staged);
  });

  it("a restore's copy is flushed before it takes the live name, and the folder after", (t) => {
    if (cannotTrace(t)) {
      return;
    }
    const dir = path.join(temp.dir, 'restore');
    fs.mkdirSync(dir);
    const db = path.join(dir, 'app.db');
    createLiveDatabase(db, 'wal', 512 * 1024);
    const made = lifeboat(['backup', 'before', '--db', 'app.db', '--json'], dir);
    const snapshot = (JSON.parse(made.stdout) as { snapshot: { path: string } }).snapshot.path;
    const calls = traceLifeboat(['restore', path.basename(snapshot), '--db', 'app.db', '--yes'], dir);
    assertFlushedThenPublished(calls, restorePaths(db).staged, db);
    assert.equal(contentDigest(db), contentDigest(snapshot));
  });
});
