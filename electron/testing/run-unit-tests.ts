import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * `npm run test:unit`: every compiled `*.test.js` under dist/electron (and dist/renderer-unit, the
 * renderer's pure reducers and selectors compiled for Node), given to Node's test runner by
 * name. (Node 20 took a folder and searched it; Node 22 takes glob patterns instead, and would match
 * the TypeScript sources too now that it strips types. Naming the files works on both.)
 */

const roots = [path.resolve(__dirname, '..'), path.resolve(__dirname, '../../renderer-unit')];
const files = roots
  .flatMap((root) =>
    fs
      .readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.test.js'))
      .map((name) => path.join(root, name)),
  )
  .sort();
// `npm test` never hangs: a test (or a clean-up after a set-up that failed) stuck for ten minutes
// fails, and the whole run is stopped after forty.
const perTestMs = 10 * 60_000;
const wholeRunMs = 40 * 60_000;
const run = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=2', `--test-timeout=${perTestMs}`, ...process.argv.slice(2), ...files],
  { stdio: 'inherit', timeout: wholeRunMs, killSignal: 'SIGKILL' },
);
if (run.error !== undefined) {
  process.stderr.write(
    `The unit tests did not end within ${wholeRunMs / 60_000} minutes and were stopped: ${run.error.message}\n`,
  );
}
process.exitCode = run.status ?? 1;
