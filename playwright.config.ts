import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests: the real renderer in a real Chromium (Debian's, at CHROMIUM_PATH or
 * /usr/bin/chromium: Playwright's own browser download is not used), driven through `lifeboat serve`.
 * The Electron spec launches the desktop app itself where Electron's binary is installed.
 */
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export default defineConfig({
  testDir: './e2e',
  outputDir: './test-results',
  timeout: 60_000,
  // `npm test` never hangs: a run that has not ended by then fails and says so.
  globalTimeout: 40 * 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 2,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
      args: chromiumArgs,
    },
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
  },
});
