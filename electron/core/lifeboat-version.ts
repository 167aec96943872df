import * as fs from 'node:fs';
import * as path from 'node:path';

/** Lifeboat's own version, from its package.json (three folders above the compiled core). */
export const lifeboatVersion: string = (
  JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;
