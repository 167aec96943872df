/**
 * For the crash tests only: LIFEBOAT_TEST_KILL_AT=<step> kills the process with SIGKILL right after
 * the journal recorded that step (or a snapshot reached that point), <step>:<N> right after the Nth
 * file operation of a restore's step. Never set in normal use.
 */
export function crashPointForTests(step: string): void {
  if (process.env['LIFEBOAT_TEST_KILL_AT'] === step) {
    process.kill(process.pid, 'SIGKILL');
  }
}

/**
 * For the snapshot's retry test only: LIFEBOAT_TEST_SQL_AFTER_WAL_SCAN=<SQL> has another connection run
 * that SQL on the live database right after the first scan of its log, as an app's writer might at
 * that moment. Never set in normal use.
 */
export function writeAfterWalScanForTests(attempt: number, write: (sql: string) => void): void {
  const sql = process.env['LIFEBOAT_TEST_SQL_AFTER_WAL_SCAN'];
  if (sql !== undefined && sql !== '' && attempt === 1) {
    write(sql);
  }
}
