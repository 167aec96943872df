import type { RecordedTool } from '../../contract/migrations';
import type { SqliteDatabase } from '../sqlite/open-database';
import { authelia, gitea, homeAssistant, memos, uptimeKuma } from './recorded-apps';
import { Bookkeeping, position, userVersion, type Reader, type Recorded } from './recorded-bookkeeping';
import {
  atlas,
  dbmate,
  diesel,
  efCore,
  fluentMigrator,
  flyway,
  golangMigrate,
  goose,
  gormigrate,
  liquibase,
  pocketbase,
  refinery,
  seaOrm,
  sqlx,
} from './recorded-compiled-tools';
import {
  alembic,
  django,
  drizzle,
  knex,
  laravel,
  prisma,
  rails,
  sequelize,
  typeorm,
} from './recorded-script-tools';

export type { Recorded } from './recorded-bookkeeping';

/**
 * What a database records about its migrations, read from the bookkeeping tables alone. Most
 * self-hosted apps run in a container whose image holds the migrations (or compiles them in), so the
 * database's own record is the one thing Lifeboat can always read. Each reader (in recorded-script-tools.ts,
 * recorded-compiled-tools.ts and recorded-apps.ts, by family) follows the table exactly as its tool
 * writes it; the source it was read from is named beside it. The order of
 * the list matters where tools share a table name (`schema_migrations`, `migrations`): the shape of
 * the table tells them apart, most specific first.
 */

const readers: readonly Reader[] = [
  alembic,
  django,
  knex,
  rails,
  golangMigrate,
  dbmate,
  prisma,
  drizzle,
  flyway,
  sqlx,
  diesel,
  efCore,
  fluentMigrator,
  typeorm,
  goose,
  laravel,
  sequelize,
  refinery,
  seaOrm,
  liquibase,
  atlas,
  pocketbase,
  authelia,
  gormigrate,
  homeAssistant,
  uptimeKuma,
  gitea,
  memos,
  {
    // PRAGMA user_version: the convention of many small runners (and of `lifeboat migrate`).
    tool: 'user-version',
    recognizes: (book) => userVersion(book.db) > 0,
    read: (book) => position(String(userVersion(book.db))),
  },
];

/** What the database records, by whichever tool's bookkeeping it holds; null when it holds none. */
export function readRecorded(db: SqliteDatabase): Recorded | null {
  const book = new Bookkeeping(db);
  const reader = readers.find((r) => r.recognizes(book));
  return reader === undefined ? null : { tool: reader.tool, ...reader.read(book) };
}

/** What the database records for one tool; null when it does not hold that tool's bookkeeping. */
export function readRecordedBy(db: SqliteDatabase, tool: RecordedTool): Recorded | null {
  const book = new Bookkeeping(db);
  const reader = readers.find((r) => r.tool === tool);
  return reader === undefined || !reader.recognizes(book) ? null : { tool, ...reader.read(book) };
}
