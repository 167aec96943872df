import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecordedTool } from '../../contract/migrations';
import { readRecorded, type Recorded } from './recorded-migrations';

/**
 * Each tool's bookkeeping, created with the DDL the tool itself runs on SQLite (the source file is
 * named beside its reader in `recorded-*.ts`) and filled as the tool fills it. Tables that share a name
 * (`schema_migrations`, `migrations`, `version`) must be told apart by their shape alone.
 */

function recordOf(sql: string): Recorded | null {
  const db = new Database(':memory:');
  try {
    db.exec(sql);
    return readRecorded(db);
  } finally {
    db.close();
  }
}

interface Case {
  readonly tool: RecordedTool;
  readonly sql: string;
  readonly ids: string[];
  readonly positionOnly?: boolean;
  readonly failed?: string[];
  readonly dirty?: string[];
  readonly locked?: boolean;
}

const userTable = 'CREATE TABLE items (id integer PRIMARY KEY, name text);';

const cases: Case[] = [
  {
    tool: 'diesel',
    sql: `CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);
      INSERT INTO __diesel_schema_migrations (version) VALUES ('20180217205753'), ('20180114171611');`,
    ids: ['20180114171611', '20180217205753'],
  },
  {
    tool: 'ef-core',
    sql: `CREATE TABLE "__EFMigrationsHistory" ("MigrationId" TEXT NOT NULL CONSTRAINT "PK___EFMigrationsHistory" PRIMARY KEY, "ProductVersion" TEXT NOT NULL);
      INSERT INTO "__EFMigrationsHistory" VALUES ('20240102090000_AddUsers', '8.0.4'), ('20231201120000_Initial', '8.0.4');
      CREATE TABLE "__EFMigrationsLock" ("Id" INTEGER NOT NULL CONSTRAINT "PK___EFMigrationsLock" PRIMARY KEY, "Timestamp" TEXT NOT NULL);
      INSERT INTO "__EFMigrationsLock" VALUES (1, '2024-03-13 10:00:00');`,
    ids: ['20231201120000_Initial', '20240102090000_AddUsers'],
    locked: true,
  },
  {
    tool: 'fluentmigrator',
    sql: `CREATE TABLE "VersionInfo" ("Version" INTEGER NOT NULL, "AppliedOn" DATETIME, "Description" TEXT);
      CREATE UNIQUE INDEX "UC_Version" ON "VersionInfo" ("Version" ASC);
      INSERT INTO "VersionInfo" VALUES (1, '2024-01-01T00:00:00', 'initial_setup'), (2, '2024-01-02T00:00:00', 'add_indexes'), (10, '2024-02-01T00:00:00', 'add_tags');`,
    ids: ['1', '2', '10'],
  },
  {
    tool: 'goose',
    sql: `CREATE TABLE goose_db_version (id INTEGER PRIMARY KEY AUTOINCREMENT, version_id INTEGER NOT NULL, is_applied INTEGER NOT NULL, tstamp TIMESTAMP DEFAULT (datetime('now')));
      INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, 1), (1, 1), (2, 1), (3, 1), (3, 0);`,
    ids: ['1', '2'],
  },
  {
    tool: 'laravel',
    sql: `CREATE TABLE "migrations" ("id" integer primary key autoincrement not null, "migration" varchar not null, "batch" integer not null);
      INSERT INTO migrations (migration, batch) VALUES ('0001_01_01_000000_create_users_table', 1), ('2024_03_13_101500_create_posts_table', 2);`,
    ids: ['0001_01_01_000000_create_users_table', '2024_03_13_101500_create_posts_table'],
  },
  {
    tool: 'sequelize',
    sql: `CREATE TABLE \`SequelizeMeta\` (\`name\` VARCHAR(255) NOT NULL UNIQUE PRIMARY KEY);
      INSERT INTO SequelizeMeta VALUES ('20240101000000-create-user.js'), ('20240201000000-create-post.js');`,
    ids: ['20240101000000-create-user.js', '20240201000000-create-post.js'],
  },
  {
    tool: 'refinery',
    sql: `CREATE TABLE IF NOT EXISTS refinery_schema_history (version INTEGER PRIMARY KEY, name VARCHAR(255), applied_on VARCHAR(255), checksum VARCHAR(255));
      INSERT INTO refinery_schema_history VALUES (2, 'add_posts', '2024-01-02', '123'), (1, 'initial', '2024-01-01', '456');`,
    ids: ['1', '2'],
  },
  {
    tool: 'sea-orm',
    sql: `CREATE TABLE "seaql_migrations" ("version" varchar NOT NULL PRIMARY KEY, "applied_at" bigint NOT NULL);
      INSERT INTO seaql_migrations VALUES ('m20220101_000001_create_table', 1700000000), ('m20240313_101500_add_posts', 1710000000);`,
    ids: ['m20220101_000001_create_table', 'm20240313_101500_add_posts'],
  },
  {
    tool: 'liquibase',
    sql: `CREATE TABLE DATABASECHANGELOG (ID VARCHAR(255) NOT NULL, AUTHOR VARCHAR(255) NOT NULL, FILENAME VARCHAR(255) NOT NULL, DATEEXECUTED TEXT NOT NULL,
        ORDEREXECUTED INTEGER NOT NULL, EXECTYPE VARCHAR(10) NOT NULL, MD5SUM VARCHAR(35), DESCRIPTION VARCHAR(255), COMMENTS VARCHAR(255), TAG VARCHAR(255),
        LIQUIBASE VARCHAR(20), CONTEXTS VARCHAR(255), LABELS VARCHAR(255), DEPLOYMENT_ID VARCHAR(10));
      CREATE TABLE DATABASECHANGELOGLOCK (ID INTEGER NOT NULL PRIMARY KEY, LOCKED BOOLEAN NOT NULL, LOCKGRANTED TEXT, LOCKEDBY VARCHAR(255));
      INSERT INTO DATABASECHANGELOGLOCK VALUES (1, 0, NULL, NULL);
      INSERT INTO DATABASECHANGELOG (ID, AUTHOR, FILENAME, DATEEXECUTED, ORDEREXECUTED, EXECTYPE, DESCRIPTION) VALUES
        ('1', 'ann', 'db/changelog.xml', '2024-01-01', 1, 'EXECUTED', 'createTable tableName=items'),
        ('2', 'bob', 'db/changelog.xml', '2024-01-02', 2, 'FAILED', 'addColumn');`,
    ids: ['1::ann'],
    failed: ['2::bob'],
  },
  {
    tool: 'atlas',
    sql: `CREATE TABLE atlas_schema_revisions (version text NOT NULL PRIMARY KEY, description text NOT NULL, type integer NOT NULL DEFAULT 2, applied integer NOT NULL DEFAULT 0,
        total integer NOT NULL DEFAULT 0, executed_at datetime NOT NULL, execution_time integer NOT NULL, error text NULL, error_stmt text NULL, hash text NOT NULL,
        partial_hashes json NULL, operator_version text NOT NULL);
      INSERT INTO atlas_schema_revisions VALUES ('.atlas_cleanup', '', 5, 0, 0, '2024-01-01', 0, NULL, NULL, '', NULL, 'v0.21');
      INSERT INTO atlas_schema_revisions VALUES ('20240101000000', 'init', 2, 3, 3, '2024-01-01', 10, NULL, NULL, 'h1', NULL, 'v0.21');
      INSERT INTO atlas_schema_revisions VALUES ('20240201000000', 'posts', 2, 1, 2, '2024-02-01', 10, 'near "x": syntax error', 'x', 'h2', NULL, 'v0.21');`,
    ids: ['20240101000000'],
    failed: ['20240201000000'],
  },
  {
    tool: 'pocketbase',
    sql: `CREATE TABLE _migrations (file VARCHAR(255) PRIMARY KEY NOT NULL, applied INTEGER NOT NULL);
      INSERT INTO _migrations VALUES ('1640988000_init.go', 1700000000000000), ('1687801090_created_posts.js', 1710000000000000);`,
    ids: ['1640988000_init.go', '1687801090_created_posts.js'],
  },
  {
    tool: 'authelia',
    sql: `CREATE TABLE migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, applied TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, version_before INTEGER NULL DEFAULT NULL,
        version_after INTEGER NOT NULL, application_version VARCHAR(128) NOT NULL);
      INSERT INTO migrations (version_before, version_after, application_version) VALUES (NULL, 1, 'v4.33.0'), (1, 12, 'v4.38.0');`,
    ids: ['12'],
    positionOnly: true,
  },
  {
    tool: 'gormigrate',
    sql: `CREATE TABLE \`migrations\` (\`id\` varchar(255),PRIMARY KEY (\`id\`));
      INSERT INTO migrations VALUES ('202312101416'), ('202402151600'), ('202405021300');`,
    ids: ['202312101416', '202402151600', '202405021300'],
  },
  {
    tool: 'home-assistant',
    sql: `CREATE TABLE schema_changes (change_id INTEGER NOT NULL, schema_version INTEGER, changed DATETIME, PRIMARY KEY (change_id));
      INSERT INTO schema_changes VALUES (1, 43, '2024-01-01 00:00:00'), (2, 48, '2025-01-01 00:00:00');`,
    ids: ['48'],
    positionOnly: true,
  },
  {
    tool: 'gitea',
    sql: `CREATE TABLE \`version\` (\`id\` INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, \`version\` INTEGER NULL);
      INSERT INTO version (version) VALUES (299);`,
    ids: ['299'],
    positionOnly: true,
  },
  {
    tool: 'uptime-kuma',
    sql: `CREATE TABLE setting (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "key" VARCHAR(200) NOT NULL UNIQUE, value TEXT, type VARCHAR(20));
      INSERT INTO setting ("key", value, type) VALUES ('database_version', '10', NULL);`,
    ids: ['10'],
    positionOnly: true,
  },
  {
    tool: 'memos',
    sql: `CREATE TABLE system_setting (name TEXT NOT NULL, value TEXT NOT NULL, description TEXT NOT NULL DEFAULT '', UNIQUE(name));
      INSERT INTO system_setting VALUES ('BASIC', '{"secretKey":"x","schemaVersion":"0.24.0"}', '');`,
    ids: ['0.24.0'],
    positionOnly: true,
  },
  {
    tool: 'memos',
    sql: `CREATE TABLE migration_history (version TEXT NOT NULL PRIMARY KEY, created_ts BIGINT NOT NULL DEFAULT (strftime('%s', 'now')));
      INSERT INTO migration_history (version) VALUES ('0.9.1'), ('0.18.0'), ('0.10.2');`,
    ids: ['0.18.0'],
    positionOnly: true,
  },
  {
    tool: 'dbmate',
    sql: `CREATE TABLE IF NOT EXISTS "schema_migrations" (version varchar(128) primary key);
      INSERT INTO schema_migrations VALUES ('20240201000000'), ('20240101000000');`,
    ids: ['20240101000000', '20240201000000'],
  },
  {
    tool: 'golang-migrate',
    sql: `CREATE TABLE schema_migrations (version uint64, dirty bool); CREATE UNIQUE INDEX version_unique ON schema_migrations (version);
      INSERT INTO schema_migrations VALUES (7, 1);`,
    ids: ['7'],
    positionOnly: true,
    dirty: ['7'],
  },
  {
    tool: 'rails',
    sql: `CREATE TABLE "schema_migrations" ("version" varchar NOT NULL PRIMARY KEY); CREATE TABLE "ar_internal_metadata" ("key" varchar NOT NULL PRIMARY KEY, "value" varchar);
      INSERT INTO schema_migrations VALUES ('20240101000000');`,
    ids: ['20240101000000'],
  },
  {
    tool: 'typeorm',
    sql: `CREATE TABLE "migrations" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "timestamp" bigint NOT NULL, "name" varchar NOT NULL);
      INSERT INTO migrations (timestamp, name) VALUES (1588102412422, 'InitialMigration1588102412422'), (1710000000000, 'AddTags1710000000000');`,
    ids: ['1588102412422', '1710000000000'],
  },
  {
    tool: 'knex',
    sql: `CREATE TABLE \`migrations\` (\`id\` integer not null primary key autoincrement, \`name\` varchar(255), \`batch\` integer, \`migration_time\` datetime);
      CREATE TABLE \`migrations_lock\` (\`index\` integer not null primary key autoincrement, \`is_locked\` integer);
      INSERT INTO migrations (name, batch, migration_time) VALUES ('20180715000000_initial.js', 1, 1700000000000), ('20240101000000_certs.js', 2, 1700000001000);`,
    ids: ['20180715000000_initial.js', '20240101000000_certs.js'],
  },
  { tool: 'user-version', sql: 'PRAGMA user_version = 14;', ids: ['14'], positionOnly: true },
];

describe('bookkeeping read from the database alone', () => {
  for (const c of cases) {
    it(`${c.tool}: ${c.ids.join(', ')}`, () => {
      const recorded = recordOf(`${userTable} ${c.sql}`);
      assert.ok(recorded !== null, 'recognised');
      assert.equal(recorded.tool, c.tool);
      assert.deepEqual(
        recorded.applied.map((m) => m.id),
        c.ids,
      );
      assert.equal(recorded.positionOnly, c.positionOnly ?? false);
      assert.deepEqual(recorded.failed, c.failed ?? []);
      assert.deepEqual(recorded.dirty, c.dirty ?? []);
      assert.equal(recorded.locked, c.locked ?? false);
    });
  }

  it('keeps the names and times the tool records', () => {
    const recorded = recordOf(cases.find((c) => c.tool === 'fluentmigrator')?.sql ?? '');
    assert.deepEqual(recorded?.applied[2], { id: '10', name: 'add_tags', appliedAt: '2024-02-01T00:00:00' });
  });

  it('an app table that merely looks like one (an "events" table with id, timestamp, name) is not TypeORM', () => {
    assert.equal(
      recordOf('CREATE TABLE events (id integer PRIMARY KEY, timestamp integer, name text, payload text);'),
      null,
    );
    assert.equal(
      recordOf('CREATE TABLE version (id integer PRIMARY KEY, version integer, notes text);'),
      null,
    );
  });

  it('a database with no bookkeeping records nothing', () => {
    assert.equal(recordOf(userTable), null);
  });
});
