import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { lifeboatBin } from '../testing/cli-run';
import { makeTempDir } from '../testing/fixtures';
import { until } from '../testing/wait-for';
import { browserArgs, findBrowser } from './app-window';

/** The app window's choices; the window itself is tested under Xvfb (e2e/app-window.spec.ts). */
describe('the app window', () => {
  let temp: { dir: string; cleanup: () => void };
  before(() => {
    temp = makeTempDir();
  });
  after(() => temp.cleanup());

  it('takes CHROMIUM_PATH when it names a program, else the first Chromium-family browser on the PATH', () => {
    const bin = path.join(temp.dir, 'bin');
    fs.mkdirSync(bin);
    const edge = path.join(bin, 'microsoft-edge');
    fs.writeFileSync(edge, '#!/bin/sh\n', { mode: 0o755 });
    fs.writeFileSync(path.join(bin, 'chromium'), 'not executable', { mode: 0o644 });
    assert.deepEqual(findBrowser({ PATH: bin }), { name: 'Microsoft Edge', path: edge });
    assert.deepEqual(findBrowser({ PATH: bin, CHROMIUM_PATH: edge }), { name: 'microsoft-edge', path: edge });
    assert.equal(findBrowser({ PATH: bin, CHROMIUM_PATH: path.join(bin, 'chromium') }), null);
    assert.equal(findBrowser({ PATH: temp.dir }), null);
  });

  it('opens an app window with its own profile, and adds LIFEBOAT_BROWSER_ARGS', () => {
    const args = browserArgs('http://127.0.0.1:1/?launch=x', '/data/app-window', {
      LIFEBOAT_BROWSER_ARGS: ' --disable-gpu  --lang=fr ',
    });
    assert.deepEqual(args.slice(0, 3), [
      '--app=http://127.0.0.1:1/?launch=x',
      '--user-data-dir=/data/app-window',
      '--window-size=1280,800',
    ]);
    assert.deepEqual(args.slice(-2), ['--disable-gpu', '--lang=fr']);
  });

  it('without a browser, serves, prints the address and how to get a browser, and stops on Ctrl-C', async () => {
    const dataDir = path.join(temp.dir, 'data');
    const child = spawn(process.execPath, [lifeboatBin, 'desktop', '--data-dir', dataDir], {
      env: { ...process.env, CHROMIUM_PATH: path.join(temp.dir, 'no-such-browser') },
    });
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await until(() => /Press Ctrl-C to stop/.test(output));
      assert.match(output, /no Chromium-family browser was found/);
      assert.match(output, /sudo apt install chromium/);
      const url = /Open (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+) in any browser/.exec(output)?.[1] ?? '';
      const answer = await fetch(url, { redirect: 'manual' });
      assert.equal(answer.status, 303, 'the address signs a browser in');
      assert.ok(fs.existsSync(path.join(dataDir, 'app-window.lock')));
      child.kill('SIGINT');
      assert.equal(await exited, 0);
      assert.equal(fs.existsSync(path.join(dataDir, 'app-window.lock')), false);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
