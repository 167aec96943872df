import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MigrateResult } from '../../contract/migrate';
import type { JobControl } from '../job-control';
import { LifeboatFailure, toLifeboatError } from '../lifeboat-failure';
import { openLiveDatabaseForMigration } from '../sqlite/open-database';
import { tableAdapter, userVersionAdapter } from './linear-adapters';
import type { MigrationSource } from './migration-adapter';
import { transactionControlStatements } from './sql-transaction-control';
import { quotedName } from '../sqlite/quoted-name';

/**
 * `lifeboat migrate`: applies numbered `.sql` files (`001_create_users.sql`, …) in order, each in its
 * own transaction together with its bookkeeping (`PRAGMA user_version`, or a row in a table the user
 * names), so a migration is applied whole or not at all; the run stops at the first failure.
 */

export interface MigrateRequest {
  readonly databasePath: string;
  readonly migrationsDir: string;
  /** Track in this table and column instead of `PRAGMA user_version`. */
  readonly versionTable?: string | undefined;
  readonly versionColumn?: string | undefined;
}

export function runSqlMigrations(request: MigrateRequest, control: JobControl): MigrateResult {
  const byTable = request.versionTable !== undefined && request.versionTable !== '';
  const table = request.versionTable ?? 'schema_version';
  const column = request.versionColumn ?? 'version';
  const adapter = byTable ? tableAdapter : userVersionAdapter;
  const source: MigrationSource = {
    tool: adapter.tool,
    locations: [request.migrationsDir],
    options: { table, column },
  };
  if (!fs.existsSync(request.migrationsDir)) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `The migrations folder ${request.migrationsDir} does not exist.`,
    );
  }
  const graph = adapter.readGraph(source);
  if (graph.problems.length > 0) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `The migrations cannot be ordered: ${graph.problems.join(' ')}`,
    );
  }
  const db = openLiveDatabaseForMigration(request.databasePath);
  try {
    if (byTable) {
      db.exec(
        `CREATE TABLE IF NOT EXISTS ${quotedName(table)} (${quotedName(column)} INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`,
      );
    }
    const appliedVersions = (): Set<string> =>
      byTable
        ? new Set(
            db
              .prepare(`SELECT ${quotedName(column)} FROM ${quotedName(table)}`)
              .pluck()
              .all()
              .map((v) => BigInt(String(v)).toString()),
          )
        : new Set(
            graph.revisions
              .filter((r) => BigInt(r.id) <= BigInt(Number(db.pragma('user_version', { simple: true }))))
              .map((r) => r.id),
          );
    const done = appliedVersions();
    const pending = graph.revisions.filter((r) => !done.has(r.id));
    const applied: MigrateResult['applied'] = [];
    let failed: MigrateResult['failed'] = null;
    for (const [index, revision] of pending.entries()) {
      control.throwIfCancelled();
      control.report('Applying migrations', index / Math.max(1, pending.length), revision.file);
      const sql = fs.readFileSync(path.join(request.migrationsDir, revision.file), 'utf8');
      const started = Date.now();
      const statements = transactionControlStatements(sql);
      if (statements.length > 0) {
        failed = {
          version: revision.id,
          file: revision.file,
          error: {
            code: 'MIGRATION_FAILED',
            message: `${revision.file} has ${statements.join(', ')} statements: it would commit part of itself on its own. Lifeboat runs each migration in one transaction; remove them. Nothing was applied from it.`,
          },
        };
        break;
      }
      if (!byTable && BigInt(revision.id) > 2147483647n) {
        failed = {
          version: revision.id,
          file: revision.file,
          error: {
            code: 'MIGRATION_FAILED',
            message: `${revision.file}: its version does not fit in PRAGMA user_version (a 32-bit number). Track timestamped migrations in a table with --version-table.`,
          },
        };
        break;
      }
      try {
        db.exec('BEGIN IMMEDIATE');
        db.exec(sql);
        if (byTable) {
          db.prepare(
            `INSERT INTO ${quotedName(table)} (${quotedName(column)}, applied_at) VALUES (?, ?)`,
          ).run(BigInt(revision.id), new Date().toISOString());
        } else {
          db.exec(`PRAGMA user_version = ${Number(revision.id)}`);
        }
        db.exec('COMMIT');
        applied.push({ version: revision.id, file: revision.file, durationMs: Date.now() - started });
      } catch (error) {
        if (db.inTransaction) {
          db.exec('ROLLBACK');
        }
        const detail = toLifeboatError(error);
        failed = {
          version: revision.id,
          file: revision.file,
          error: {
            code: 'MIGRATION_FAILED',
            message: `${revision.file} failed and was rolled back: ${detail.message.replace(/^Unexpected error: /, '')}`,
          },
        };
        break;
      }
    }
    control.report('Done', 1);
    const after = appliedVersions();
    const current = graph.revisions.filter((r) => after.has(r.id)).at(-1)?.id ?? null;
    return {
      database: request.databasePath,
      tracking: byTable ? `table ${table}.${column}` : 'PRAGMA user_version',
      applied,
      alreadyApplied: done.size,
      failed,
      current,
    };
  } finally {
    db.close();
  }
}
