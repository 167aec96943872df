import Database from 'better-sqlite3';

/**
 * A stand-in for an app writing to its database: commits small transactions at a target rate and,
 * when told to stop (SIGTERM or a line on stdin), prints one JSON line with the commit latencies.
 * While it runs it prints `commits N` now and then, so that a test can wait for its commits without
 * opening the database (a reader under a writer in rollback-journal mode can wait seconds for a gap).
 * Used by the tests (snapshots under a concurrent writer) and by the benchmark.
 *
 * Usage: node writer-process.js DB_PATH TRANSACTIONS_PER_SECOND
 */

interface WriterReport {
  readonly commits: number;
  readonly errors: number;
  readonly latenciesMs: number[];
}

function main(): void {
  const [dbPath, rateText] = process.argv.slice(2);
  if (dbPath === undefined) {
    throw new TypeError('usage: writer-process DB_PATH [RATE]');
  }
  const rate = Number(rateText ?? '1000');
  const db = new Database(dbPath, { timeout: 30000 });
  const credit = db.prepare('UPDATE accounts SET balance = balance + ? WHERE id = ?');
  const record = db.prepare('INSERT INTO ledger (account, amount, at) VALUES (?, ?, ?)');
  const transfer = db.transaction((account: number, amount: number) => {
    credit.run(amount, account);
    record.run(account, amount, new Date().toISOString());
  });
  const latenciesMs: number[] = [];
  let commits = 0;
  let errors = 0;
  let stopping = false;
  const stop = (): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    db.close();
    const report: WriterReport = { commits, errors, latenciesMs };
    process.stdout.write(`${JSON.stringify(report)}\n`, () => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.stdin.on('data', stop);
  process.stdin.on('end', stop);

  const start = process.hrtime.bigint();
  process.stdout.write('ready\n');
  let reported = 0;
  let reportedAt = 0;
  const tick = (): void => {
    if (stopping) {
      return;
    }
    // Commit as many transactions as the rate says should have happened by now, then yield.
    const elapsedS = Number(process.hrtime.bigint() - start) / 1e9;
    const due = Math.floor(elapsedS * rate);
    let batch = 0;
    while (commits + errors < due && batch < 50) {
      const t0 = process.hrtime.bigint();
      try {
        transfer(1 + ((commits * 7) % 100), 1 + (commits % 13));
        commits += 1;
      } catch {
        errors += 1;
      }
      latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      batch += 1;
    }
    if (commits !== reported && Date.now() - reportedAt >= 10) {
      reported = commits;
      reportedAt = Date.now();
      process.stdout.write(`commits ${commits}\n`);
    }
    setImmediate(tick);
  };
  tick();
}

main();
