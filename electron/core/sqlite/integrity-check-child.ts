import { toLifeboatError } from '../lifeboat-failure';
import { openSnapshotFile } from './open-database';
import type { CheckAnswer, CheckAsk } from './integrity-checker';

/**
 * The process that runs `PRAGMA integrity_check` for `IntegrityChecker`: SQLite cannot be stopped in
 * the middle of a statement from JavaScript, but a process can be killed, so a check that outlives
 * its budget (a database whose CHECK constraints, generated columns or expression indexes were built
 * to be slow) or is cancelled ends at once. One file at a time, in the order asked.
 */
process.on('message', (ask: CheckAsk) => {
  let answer: CheckAnswer;
  try {
    const db = openSnapshotFile(ask.filePath);
    try {
      const rows = db.prepare(`PRAGMA integrity_check(${ask.maxProblems})`).pluck().all().map(String);
      answer = { id: ask.id, rows };
    } finally {
      db.close();
    }
  } catch (error) {
    answer = { id: ask.id, error: toLifeboatError(error, ask.filePath) };
  }
  process.send?.(answer);
});
