/**
 * For the crash tests only: LIFEBOAT_TEST_KILL_AT=<step> kills the process with SIGKILL right after
 * the journal recorded that step (or a snapshot reached that point). Never set in normal use.
 */
export function crashPointForTests(step: string): void {
  if (process.env['LIFEBOAT_TEST_KILL_AT'] === step) {
    process.kill(process.pid, 'SIGKILL');
  }
}
