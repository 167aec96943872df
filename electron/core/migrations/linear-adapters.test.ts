import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { MigrationStatusKind } from '../../contract/migrations';
import { makeTempDir } from '../../testing/fixtures';
import { liveMigrationStatus } from './migration-reader';

/**
 * The one-line tools, with files named and tables shaped exactly as each tool makes them (their
 * own CLIs are not installable here; Knex, which is, is tested against itself in knex.test.ts).
 */
describe('one-line migration tools', () => {
  let temp: { dir: string; cleanup: () => void };
  before(() => {
    temp = makeTempDir();
  });
  after(() => temp.cleanup());

  function app(name: string, files: Record<string, string>, schema: string): { dir: string; db: string } {
    const dir = path.join(temp.dir, name);
    for (const [file, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), content);
    }
    const db = path.join(dir, 'app.db');
    const handle = new Database(db);
    handle.exec(schema);
    handle.close();
    return { dir, db };
  }

  function statusOf(
    dir: string,
    db: string,
    sql?: string,
  ): { status: MigrationStatusKind; pending: string[]; current: string[]; tool: string } {
    if (sql !== undefined) {
      const handle = new Database(db);
      handle.exec(sql);
      handle.close();
    }
    const result = liveMigrationStatus(db, { appDirs: [dir] });
    assert.ok(result !== null, `migrations detected in ${dir}`);
    return {
      status: result.status.status,
      pending: result.status.pending,
      current: result.status.current,
      tool: result.graph.tool,
    };
  }

  it('Rails: schema_migrations versions, behind, at head, ahead', () => {
    const { dir, db } = app(
      'rails',
      {
        'db/migrate/20240101000000_create_users.rb': 'class CreateUsers < ActiveRecord::Migration[7.1]; end',
        'db/migrate/20240201000000_add_email.rb': 'class AddEmail; end',
      },
      "CREATE TABLE schema_migrations (version varchar NOT NULL PRIMARY KEY); CREATE TABLE ar_internal_metadata (key varchar PRIMARY KEY, value varchar); CREATE TABLE users (id integer); INSERT INTO schema_migrations VALUES ('20240101000000');",
    );
    assert.deepEqual(statusOf(dir, db), {
      status: 'behind',
      pending: ['20240201000000'],
      current: ['20240101000000'],
      tool: 'rails',
    });
    assert.equal(
      statusOf(dir, db, "INSERT INTO schema_migrations VALUES ('20240201000000')").status,
      'at-head',
    );
    assert.equal(
      statusOf(dir, db, "INSERT INTO schema_migrations VALUES ('20250101000000')").status,
      'ahead',
    );
  });

  it('golang-migrate: one version row with a dirty flag', () => {
    const { dir, db } = app(
      'gomigrate',
      {
        'migrations/000001_init.up.sql': 'CREATE TABLE users (id INTEGER);',
        'migrations/000001_init.down.sql': 'DROP TABLE users;',
        'migrations/000002_posts.up.sql': 'CREATE TABLE posts (id INTEGER);',
        'migrations/000002_posts.down.sql': 'DROP TABLE posts;',
      },
      'CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL); CREATE TABLE users (id INTEGER); INSERT INTO schema_migrations VALUES (1, 0);',
    );
    assert.deepEqual(statusOf(dir, db), {
      status: 'behind',
      pending: ['2'],
      current: ['1'],
      tool: 'golang-migrate',
    });
    assert.equal(statusOf(dir, db, 'UPDATE schema_migrations SET version = 2, dirty = 1').status, 'dirty');
    assert.equal(
      statusOf(dir, db, 'UPDATE schema_migrations SET version = 2, dirty = 0').status,
      'partial',
      'posts was never created',
    );
    assert.equal(statusOf(dir, db, 'CREATE TABLE posts (id INTEGER)').status, 'at-head');
    assert.equal(statusOf(dir, db, 'UPDATE schema_migrations SET version = 7').status, 'ahead');
  });

  it('Prisma: a migration that did not finish is failed', () => {
    const { dir, db } = app(
      'prisma',
      {
        'prisma/migrations/20240101000000_init/migration.sql': 'CREATE TABLE "User" (id INTEGER);',
        'prisma/migrations/20240102000000_posts/migration.sql': 'CREATE TABLE "Post" (id INTEGER);',
        'prisma/migrations/migration_lock.toml': 'provider = "sqlite"',
      },
      `CREATE TABLE _prisma_migrations (id TEXT PRIMARY KEY, checksum TEXT NOT NULL, finished_at DATETIME, migration_name TEXT NOT NULL, logs TEXT, rolled_back_at DATETIME, started_at DATETIME NOT NULL DEFAULT current_timestamp, applied_steps_count INTEGER NOT NULL DEFAULT 0);
       CREATE TABLE "User" (id INTEGER);
       INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name) VALUES ('a', 'x', current_timestamp, '20240101000000_init');`,
    );
    assert.equal(statusOf(dir, db).status, 'behind');
    const failed = statusOf(
      dir,
      db,
      "INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, logs) VALUES ('b', 'y', NULL, '20240102000000_posts', 'error')",
    );
    assert.equal(failed.status, 'failed');
  });

  it('Flyway: a failed row in flyway_schema_history is failed', () => {
    const { dir, db } = app(
      'flyway',
      {
        'sql/V1__init.sql': 'CREATE TABLE users (id INTEGER);',
        'sql/V2__posts.sql': 'CREATE TABLE posts (id INTEGER);',
      },
      "CREATE TABLE flyway_schema_history (installed_rank INT PRIMARY KEY, version VARCHAR(50), description VARCHAR(200), success BOOLEAN NOT NULL); CREATE TABLE users (id INTEGER); INSERT INTO flyway_schema_history VALUES (1, '1', 'init', 1);",
    );
    assert.deepEqual(statusOf(dir, db).pending, ['2']);
    assert.equal(
      statusOf(dir, db, "INSERT INTO flyway_schema_history VALUES (2, '2', 'posts', 0)").status,
      'failed',
    );
  });

  it('sqlx: success = 0 is dirty', () => {
    const { dir, db } = app(
      'sqlx',
      {
        'Cargo.toml': '[package]\nname = "x"',
        'migrations/20240101000000_init.sql': 'CREATE TABLE users (id INTEGER);',
      },
      'CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, success BOOLEAN NOT NULL); CREATE TABLE users (id INTEGER);',
    );
    assert.equal(statusOf(dir, db).status, 'behind');
    assert.equal(
      statusOf(dir, db, "INSERT INTO _sqlx_migrations VALUES (20240101000000, 'init', 0)").status,
      'dirty',
    );
    assert.equal(statusOf(dir, db, 'UPDATE _sqlx_migrations SET success = 1').status, 'at-head');
  });

  it('Drizzle: the journal orders the migrations; the newest created_at says where the database is', () => {
    const journal = {
      version: '7',
      dialect: 'sqlite',
      entries: [
        { idx: 0, version: '6', when: 1700000000000, tag: '0000_init', breakpoints: true },
        { idx: 1, version: '6', when: 1700000100000, tag: '0001_posts', breakpoints: true },
      ],
    };
    const { dir, db } = app(
      'drizzle',
      {
        'drizzle/meta/_journal.json': JSON.stringify(journal),
        'drizzle/0000_init.sql': 'CREATE TABLE `users` (`id` integer PRIMARY KEY);',
        'drizzle/0001_posts.sql': 'CREATE TABLE `posts` (`id` integer PRIMARY KEY);',
      },
      "CREATE TABLE __drizzle_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, hash text NOT NULL, created_at numeric); CREATE TABLE users (id integer); INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('h0', 1700000000000);",
    );
    assert.deepEqual(statusOf(dir, db), {
      status: 'behind',
      pending: ['1700000100000'],
      current: ['1700000000000'],
      tool: 'drizzle',
    });
    assert.equal(
      statusOf(
        dir,
        db,
        "CREATE TABLE posts (id integer); INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('h1', 1700000100000)",
      ).status,
      'at-head',
    );
  });

  it('PRAGMA user_version: unstamped at 0 with tables, then behind, at head, unknown revision', () => {
    const { dir, db } = app(
      'userversion',
      {
        'migrations/001_users.sql': 'CREATE TABLE users (id INTEGER);',
        'migrations/002_posts.sql': 'CREATE TABLE posts (id INTEGER);',
      },
      'CREATE TABLE users (id INTEGER);',
    );
    assert.equal(statusOf(dir, db).status, 'unstamped');
    assert.deepEqual(statusOf(dir, db, 'PRAGMA user_version = 1').pending, ['2']);
    assert.equal(
      statusOf(dir, db, 'CREATE TABLE posts (id INTEGER); PRAGMA user_version = 2').status,
      'at-head',
    );
    fs.writeFileSync(path.join(dir, 'migrations', '004_tags.sql'), 'CREATE TABLE tags (id INTEGER);');
    const unknown = statusOf(dir, db, 'PRAGMA user_version = 3');
    assert.equal(unknown.status, 'unknown-revision', 'version 3 has no file, and 4 is newer: not ahead');
  });

  it('PRAGMA user_version with a first file 0000_: user_version counts files applied (was off by one: "partial")', () => {
    const { dir, db } = app(
      'userversion-zero',
      {
        'migrations/0000_users.sql': 'CREATE TABLE users (id INTEGER);',
        'migrations/0001_posts.sql': 'CREATE TABLE posts (id INTEGER);',
      },
      'CREATE TABLE users (id INTEGER);',
    );
    assert.deepEqual(statusOf(dir, db, 'PRAGMA user_version = 1'), {
      status: 'behind',
      pending: ['1'],
      current: ['0'],
      tool: 'user-version',
    });
    assert.equal(
      statusOf(dir, db, 'CREATE TABLE posts (id INTEGER); PRAGMA user_version = 2').status,
      'at-head',
    );
  });

  it('golang-migrate in a per-dialect folder (resources/migrations/sqlite)', () => {
    const { dir, db } = app(
      'gomigrate-dialects',
      {
        'resources/migrations/sqlite/000001_init.up.sql': 'CREATE TABLE users (id INTEGER);',
        'resources/migrations/postgres/000001_init.up.sql': 'CREATE TABLE users (id SERIAL);',
      },
      'CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL); CREATE TABLE users (id INTEGER); INSERT INTO schema_migrations VALUES (1, 0);',
    );
    const found = liveMigrationStatus(db, { appDirs: [dir] });
    assert.equal(found?.graph.tool, 'golang-migrate');
    assert.deepEqual(found?.graph.locations, [path.join(dir, 'resources', 'migrations', 'sqlite')]);
    assert.equal(found?.status.status, 'at-head');
  });

  it('numbered .sql files that fit several tools: the database’s bookkeeping decides which', () => {
    const files = {
      'Cargo.toml': '[package]\nname = "x"',
      'migrations/001_users.sql': 'CREATE TABLE users (id INTEGER);',
    };
    const runner = app(
      'decide-user-version',
      files,
      'CREATE TABLE users (id INTEGER); PRAGMA user_version = 1;',
    );
    assert.deepEqual(statusOf(runner.dir, runner.db), {
      status: 'at-head',
      pending: [],
      current: ['1'],
      tool: 'user-version',
    });
    const sqlx = app(
      'decide-sqlx',
      files,
      "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL, checksum BLOB NOT NULL, execution_time BIGINT NOT NULL); CREATE TABLE users (id INTEGER); INSERT INTO _sqlx_migrations VALUES (1, 'users', CURRENT_TIMESTAMP, 1, x'00', 1);",
    );
    assert.equal(statusOf(sqlx.dir, sqlx.db).tool, 'sqlx');
  });

  it('never "unstamped" for one tool when the database holds another tool’s bookkeeping', () => {
    const { dir, db } = app(
      'foreign',
      { 'migrations/001_users.sql': 'CREATE TABLE users (id INTEGER);' },
      "CREATE TABLE goose_db_version (id INTEGER PRIMARY KEY AUTOINCREMENT, version_id INTEGER NOT NULL, is_applied INTEGER NOT NULL, tstamp TIMESTAMP DEFAULT (datetime('now'))); INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, 1), (1, 1); CREATE TABLE users (id INTEGER);",
    );
    const found = liveMigrationStatus(db, { appDirs: [dir] });
    assert.equal(found?.status.status, 'unknown-revision');
    assert.match(
      found?.status.summary ?? '',
      /records its migrations with goose, not with PRAGMA user_version/,
    );
  });

  it('comments and string literals in a migration are not statements: no false "partial"', () => {
    const { dir, db } = app(
      'diesel-comments',
      {
        'migrations/2021-01-01-000000_create_users/up.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY);',
        'migrations/2021-02-01-000000_rebuild_users/up.sql': [
          '-- SQLite cannot alter a column: Use CREATE TABLE to construct "new_users", then',
          '/* DROP TABLE users; and rename: */',
          'CREATE TABLE new_users (id INTEGER PRIMARY KEY, email TEXT);',
          "INSERT INTO new_users (id, email) SELECT id, 'create table ghosts (id)' FROM users;",
          'DROP TABLE users;',
          'ALTER TABLE new_users RENAME TO users;',
        ].join('\n'),
      },
      "CREATE TABLE __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP); INSERT INTO __diesel_schema_migrations (version) VALUES ('20210101000000'), ('20210201000000'); CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);",
    );
    const { status, pending } = statusOf(dir, db);
    assert.deepEqual({ status, pending }, { status: 'at-head', pending: [] });
  });

  it('Authelia: V0001.Name.up.sql files; the migrations table records the version each step reached', () => {
    const folder = 'internal/storage/migrations/sqlite';
    const { dir, db } = app(
      'authelia',
      {
        [`${folder}/V0001.Initial_Schema.up.sql`]:
          'CREATE TABLE migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, applied TIMESTAMP NOT NULL, version_before INTEGER NULL DEFAULT NULL, version_after INTEGER NOT NULL, application_version VARCHAR(128) NOT NULL);\nCREATE TABLE users (id INTEGER);',
        [`${folder}/V0001.Initial_Schema.down.sql`]: 'DROP TABLE users;\nDROP TABLE migrations;',
        [`${folder}/V0002.Devices.up.sql`]: 'CREATE TABLE devices (id INTEGER);',
        [`${folder}/V0002.Devices.down.sql`]: 'DROP TABLE devices;',
        [`${folder}/V0003.Device_Index.up.sql`]: 'CREATE INDEX devices_id ON devices (id);',
      },
      "CREATE TABLE migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, applied TIMESTAMP NOT NULL, version_before INTEGER NULL DEFAULT NULL, version_after INTEGER NOT NULL, application_version VARCHAR(128) NOT NULL); CREATE TABLE users (id INTEGER); CREATE TABLE devices (id INTEGER); INSERT INTO migrations (applied, version_before, version_after, application_version) VALUES ('2026-01-01', 0, 1, 'v4.38.0'), ('2026-01-01', 1, 2, 'v4.38.0');",
    );
    assert.deepEqual(statusOf(dir, db), {
      status: 'behind',
      pending: ['3'],
      current: ['2'],
      tool: 'authelia',
    });
    const insert = (before: number, after: number): string =>
      `INSERT INTO migrations (applied, version_before, version_after, application_version) VALUES ('2026-02-01', ${before}, ${after}, 'v4.39.0')`;
    assert.equal(statusOf(dir, db, insert(2, 3)).status, 'at-head');
    assert.equal(statusOf(dir, db, insert(3, 5)).status, 'ahead');
    assert.equal(statusOf(dir, db, 'DROP TABLE migrations').status, 'unstamped');
  });

  it('Memos: LATEST.sql and a folder per release, versions ordered as numbers; the BASIC setting says where it is', () => {
    const folder = 'store/migration/sqlite';
    const { dir, db } = app(
      'memos',
      {
        [`${folder}/LATEST.sql`]:
          "CREATE TABLE system_setting (name TEXT NOT NULL UNIQUE, value TEXT NOT NULL, description TEXT NOT NULL DEFAULT '');\nCREATE TABLE memo (id INTEGER PRIMARY KEY, pinned INTEGER, tags TEXT);",
        [`${folder}/0.9/00__memo_pinned.sql`]: 'ALTER TABLE memo ADD COLUMN pinned INTEGER;',
        [`${folder}/0.10/00__memo_tags.sql`]: 'ALTER TABLE memo ADD COLUMN tags TEXT;',
        [`${folder}/0.10/01__memo_tags_index.sql`]: 'CREATE INDEX memo_tags ON memo (tags);',
      },
      "CREATE TABLE system_setting (name TEXT NOT NULL UNIQUE, value TEXT NOT NULL, description TEXT NOT NULL DEFAULT ''); CREATE TABLE memo (id INTEGER PRIMARY KEY, pinned INTEGER); INSERT INTO system_setting VALUES ('BASIC', '{\"schemaVersion\":\"0.9.1\"}', '');",
    );
    assert.deepEqual(statusOf(dir, db), {
      status: 'behind',
      pending: ['0.10.1', '0.10.2'],
      current: ['0.9.1'],
      tool: 'memos',
    });
    const stamp = (version: string): string =>
      `UPDATE system_setting SET value = '{"schemaVersion":"${version}"}' WHERE name = 'BASIC'`;
    assert.equal(statusOf(dir, db, stamp('0.10.2')).status, 'at-head');
    assert.equal(statusOf(dir, db, stamp('0.11.1')).status, 'ahead');
    assert.equal(statusOf(dir, db, "DELETE FROM system_setting WHERE name = 'BASIC'").status, 'unstamped');
  });

  it('Gitea: the newMigration list in migrations.go; the version row is the last one applied plus one', () => {
    const { dir, db } = app(
      'gitea',
      {
        'models/migrations/migrations.go': [
          'package migrations',
          '',
          'const minDBVersion = 70',
          '',
          'func prepareMigrationTasks() []*migration {',
          '\tpreparedMigrations = []*migration{',
          '\t\t// Release 1.0 ends at database version 70',
          '',
          '\t\tnewMigration(70, "add issues", v1_0.AddIssues),',
          '\t\tnewMigration(71, "add \\"quoted\\" labels", v1_0.AddLabels),',
          '\t\tnewMigration(72, "add reviews", v1_1.AddReviews),',
          '\t}',
          '\treturn preparedMigrations',
          '}',
        ].join('\n'),
      },
      'CREATE TABLE `user` (`id` INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, `lower_name` TEXT NOT NULL); CREATE TABLE `version` (`id` INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, `version` INTEGER NULL); INSERT INTO `version` VALUES (1, 72);',
    );
    assert.deepEqual(statusOf(dir, db), {
      status: 'behind',
      pending: ['72'],
      current: ['71'],
      tool: 'gitea',
    });
    assert.equal(statusOf(dir, db, 'UPDATE version SET version = 73').status, 'at-head');
    assert.equal(statusOf(dir, db, 'UPDATE version SET version = 80').status, 'ahead');
    assert.equal(statusOf(dir, db, 'DROP TABLE version').status, 'unstamped');
  });

  it('Home Assistant: SCHEMA_VERSION in db_schema.py; schema_changes records the newest version reached', () => {
    const { dir, db } = app(
      'home-assistant',
      {
        'homeassistant/components/recorder/db_schema.py':
          '"""Models."""\n\n# SCHEMA_VERSION = 99 was never released\nSCHEMA_VERSION = 3\n\nTABLE_STATES = "states"\n',
      },
      "CREATE TABLE states (state_id INTEGER NOT NULL, PRIMARY KEY (state_id)); CREATE TABLE schema_changes (change_id INTEGER NOT NULL, schema_version INTEGER, changed DATETIME NOT NULL, PRIMARY KEY (change_id)); INSERT INTO schema_changes VALUES (1, 1, '2026-01-01'), (2, 2, '2026-02-01');",
    );
    assert.deepEqual(statusOf(dir, db), {
      status: 'behind',
      pending: ['3'],
      current: ['2'],
      tool: 'home-assistant',
    });
    const reach = (version: number): string =>
      `INSERT INTO schema_changes (schema_version, changed) VALUES (${version}, '2026-03-01')`;
    assert.equal(statusOf(dir, db, reach(3)).status, 'at-head');
    // Past the code's newest version: nothing of the code's is pending (was every version listed).
    const ahead = statusOf(dir, db, reach(4));
    assert.deepEqual({ status: ahead.status, pending: ahead.pending }, { status: 'ahead', pending: [] });
    assert.equal(statusOf(dir, db, 'DROP TABLE schema_changes').status, 'unstamped');
  });

  it('a migration file whose name cannot be read is a problem shown, never dropped', () => {
    const { dir, db } = app(
      'flyway-typo',
      {
        'sql/V1__init.sql': 'CREATE TABLE users (id INTEGER);',
        'sql/V2_posts.sql': 'CREATE TABLE posts (id INTEGER);',
      },
      "CREATE TABLE flyway_schema_history (installed_rank INT PRIMARY KEY, version VARCHAR(50), description VARCHAR(200), installed_on TEXT, success BOOLEAN NOT NULL); CREATE TABLE users (id INTEGER); INSERT INTO flyway_schema_history VALUES (1, '1', 'init', '', 1);",
    );
    const found = liveMigrationStatus(db, { appDirs: [dir] });
    assert.deepEqual(found?.graph.problems, [
      "V2_posts.sql: the name does not follow the tool's pattern, so Lifeboat cannot place it.",
    ]);
    assert.match(found?.status.summary ?? '', /1 migration file could not be read/);
  });
});
