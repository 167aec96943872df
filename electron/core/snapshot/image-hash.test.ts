import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  appWithChangesInLog,
  createLiveDatabase,
  growingChanges,
  makeTempDir,
  sha256,
} from '../../testing/fixtures';
import { unwatchedControl } from '../job-control';
import { scanWal } from '../sqlite/wal-log';
import { copyConsistently } from './consistent-copy';
import { growsAsWritten, startImageHash } from './image-hash';

describe('the image hash', () => {
  let temp: { dir: string; cleanup: () => void };
  before(() => {
    temp = makeTempDir();
  });
  after(() => temp.cleanup());

  it("hashes a WAL database's image from the main file as copied, with the log's pages and header bytes put in on the way", async (t) => {
    const databasePath = path.join(temp.dir, 'app.db');
    createLiveDatabase(databasePath, 'wal', 40 * 1024 * 1024);
    // Changes only in the log, some of them growing the database past the main file's end.
    const app = appWithChangesInLog(databasePath, growingChanges);
    try {
      // The image as the snapshot writes it: the log's pages written over the copy by this thread.
      const imagePath = path.join(temp.dir, 'image.db');
      const imageFd = fs.openSync(imagePath, 'wx+');
      try {
        await (
          await copyConsistently(databasePath, imageFd, imagePath, unwatchedControl)
        ).sha256.digest;
      } finally {
        fs.closeSync(imageFd);
      }
      // The main file alone, as the kernel's copy leaves it before the log's pages are written
      // (made as long as the image, so that the thread reads every chunk before being told more).
      const bytes = fs.statSync(imagePath).size;
      const mainPath = path.join(temp.dir, 'main-only.db');
      fs.copyFileSync(databasePath, mainPath);
      assert.ok(bytes > fs.statSync(mainPath).size, 'the database grew in the log');
      fs.truncateSync(mainPath, bytes);
      const mainFd = fs.openSync(mainPath, 'r');
      if (!growsAsWritten(mainFd)) {
        fs.closeSync(mainFd);
        t.skip('this file system is not followed while copied, so the thread never reads the log');
        return;
      }
      const pageSize = Number(app.pragma('page_size', { simple: true }));
      const log = scanWal(`${databasePath}-wal`, pageSize, unwatchedControl, () => undefined);
      try {
        assert.ok(log.pages.size > 100, `the log holds ${log.pages.size} pages`);
        const hash = startImageHash(mainFd, { bytes, pageSize, log }, () => undefined);
        // Not told the copy is complete: every chunk is read from the main file and completed from the log.
        assert.equal(await hash.digest, sha256(imagePath));
      } finally {
        log.close();
        fs.closeSync(mainFd);
      }
    } finally {
      app.close();
    }
  });
});
