import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { isAppUrl, windowOptions } from './window-options';

describe('the desktop window', () => {
  const options = windowOptions(
    '/app/dist/preload/preload.js',
    { width: 1200, height: 800 },
    '/app/assets/icon.png',
  );

  it('isolates the renderer: context isolation, sandbox, no Node integration anywhere', () => {
    const prefs = options.webPreferences;
    assert.ok(prefs !== undefined);
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.nodeIntegrationInWorker, false);
    assert.equal(prefs.nodeIntegrationInSubFrames, false);
    assert.equal(prefs.webSecurity, true);
    assert.equal(prefs.allowRunningInsecureContent, false);
    assert.equal(prefs.webviewTag, false);
    assert.equal(prefs.preload, '/app/dist/preload/preload.js');
  });

  it('restores a saved position only when both coordinates are known', () => {
    assert.equal(options.x, undefined);
    const placed = windowOptions('p', { x: 10, y: 20, width: 900, height: 700 }, 'i');
    assert.deepEqual([placed.x, placed.y, placed.width, placed.height], [10, 20, 900, 700]);
  });

  it('allows navigation within the app only', () => {
    assert.equal(isAppUrl('app://lifeboat/index.html'), true);
    assert.equal(isAppUrl('app://lifeboat/assets/x.js'), true);
    for (const url of [
      'https://example.com/',
      'file:///etc/passwd',
      'app://other/index.html',
      'http://127.0.0.1:3000/',
      'javascript:alert(1)',
      'not a url',
    ]) {
      assert.equal(isAppUrl(url), false, url);
    }
  });
});

describe('the content security policy', () => {
  it('is strict in the page Electron loads: scripts and styles from the app only, nothing remote', () => {
    const html = fs.readFileSync(path.resolve(__dirname, '..', '..', 'renderer', 'index.html'), 'utf8');
    const policy = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
    assert.match(policy, /default-src 'none'/);
    assert.match(policy, /script-src 'self'(;|$)/);
    assert.match(policy, /style-src 'self'(;|$)/);
    assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval|https?:|\*/);
    assert.doesNotMatch(html, /<script>(?!<\/script>)|<style>/, 'no inline script or style');
  });
});
