#!/usr/bin/env node
'use strict';
// The `lifeboat` command. The TypeScript sources are compiled by `npm install` (the prepare script).
const { main } = require('../dist/electron/cli/main.js');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`lifeboat: unexpected failure: ${error && error.stack ? error.stack : error}\n`);
    process.exitCode = 1;
  },
);
