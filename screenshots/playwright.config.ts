import { defineConfig } from '@playwright/test';
import base from '../playwright.config';

/** `npm run screenshots`: the README's screenshots, taken from the demo in Debian's Chromium. */
export default defineConfig({
  ...base,
  testDir: '.',
  outputDir: '../test-results/readme-screenshots',
  timeout: 120_000,
});
