import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { MigrationTool } from '../../contract/migrations';
import { makeTempDir } from '../../testing/fixtures';
import { liveMigrationStatus } from './migration-reader';

/**
 * The tools of apps whose migrations are C#, Rust, Go or PHP, or whose CLI cannot be installed here
 * (dbmate's npm package needs per-platform packages this registry does not carry):
 * small projects of our own in each tool's layout (Vaultwarden's `migrations/sqlite`, a Sonarr-like
 * `Datastore/Migration`, a Jellyfin-like nested `Migrations`), the bookkeeping written exactly as the
 * tool writes it (its source is named beside its reader in `recorded-compiled-tools.ts`). Each tool through every status:
 * at head, behind, unknown revision, and bookkeeping missing while tables exist.
 */

interface ToolCase {
  readonly tool: MigrationTool;
  /** The project's files; the third migration is the one left pending. */
  readonly files: Record<string, string>;
  readonly ids: readonly [string, string, string];
  /** Creates the bookkeeping and records these ids. */
  record(ids: readonly string[]): string;
}

const cs = (ns: string, body: string): string => `using FluentMigrator;\nnamespace ${ns}\n{\n${body}\n}\n`;

const cases: ToolCase[] = [
  {
    tool: 'diesel',
    files: {
      'migrations/sqlite/2018-02-17-205753_create_users/up.sql':
        'CREATE TABLE users (uuid TEXT NOT NULL PRIMARY KEY);',
      'migrations/sqlite/2018-02-17-205753_create_users/down.sql': 'DROP TABLE users;',
      'migrations/sqlite/2019-09-12-100000_create_folders/up.sql':
        'CREATE TABLE folders (uuid TEXT NOT NULL PRIMARY KEY);',
      'migrations/sqlite/2019-09-12-100000_create_folders/down.sql': 'DROP TABLE folders;',
      'migrations/sqlite/2024-03-13-101500_create_sends/up.sql':
        'CREATE TABLE sends (uuid TEXT NOT NULL PRIMARY KEY);',
      'migrations/mysql/2018-02-17-205753_create_users/up.sql':
        'CREATE TABLE users (uuid CHAR(36) NOT NULL PRIMARY KEY);',
    },
    ids: ['20180217205753', '20190912100000', '20240313101500'],
    record: (ids) =>
      `CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);
       ${ids.map((id) => `INSERT INTO __diesel_schema_migrations (version) VALUES ('${id}');`).join('\n')}`,
  },
  {
    tool: 'ef-core',
    files: {
      'src/Media.Database/Migrations/20231201120000_Initial.cs':
        'public partial class Initial : Migration { }',
      'src/Media.Database/Migrations/20231201120000_Initial.Designer.cs':
        '[DbContext(typeof(MediaDbContext))]\n[Migration("20231201120000_Initial")]\npartial class Initial { }',
      'src/Media.Database/Migrations/20240102090000_AddUsers.Designer.cs':
        '[DbContext(typeof(MediaDbContext))]\n[Migration("20240102090000_AddUsers")]\npartial class AddUsers { }',
      'src/Media.Database/Migrations/20240313101500_AddDevices.Designer.cs':
        '[DbContext(typeof(MediaDbContext))]\n[Migration("20240313101500_AddDevices")]\npartial class AddDevices { }',
      'src/Media.Database/Migrations/MediaDbContextModelSnapshot.cs':
        '[DbContext(typeof(MediaDbContext))]\npartial class MediaDbContextModelSnapshot { }',
    },
    // EF Core names a migration by its whole MigrationId, as the history table records it.
    ids: ['20231201120000_Initial', '20240102090000_AddUsers', '20240313101500_AddDevices'],
    record: (ids) =>
      `CREATE TABLE "__EFMigrationsHistory" ("MigrationId" TEXT NOT NULL CONSTRAINT "PK___EFMigrationsHistory" PRIMARY KEY, "ProductVersion" TEXT NOT NULL);
       ${ids.map((id) => `INSERT INTO "__EFMigrationsHistory" VALUES ('${id}', '8.0.4');`).join('\n')}`,
  },
  {
    tool: 'fluentmigrator',
    files: {
      'src/Shows.Core/Datastore/Migration/001_initial_setup.cs': cs(
        'Shows.Core.Datastore.Migration',
        '    [Migration(1)]\n    public class InitialSetup : NzbDroneMigrationBase { }',
      ),
      'src/Shows.Core/Datastore/Migration/002_add_indexes.cs': cs(
        'Shows.Core.Datastore.Migration',
        '    [Migration(2)]\n    public class add_indexes : NzbDroneMigrationBase { }',
      ),
      'src/Shows.Core/Datastore/Migration/010_add_tags.cs': cs(
        'Shows.Core.Datastore.Migration',
        '    [Migration(10, "tags")]\n    public class add_tags : NzbDroneMigrationBase { }',
      ),
    },
    ids: ['1', '2', '10'],
    record: (ids) =>
      `CREATE TABLE "VersionInfo" ("Version" INTEGER NOT NULL, "AppliedOn" DATETIME, "Description" TEXT);
       ${ids.map((id) => `INSERT INTO "VersionInfo" VALUES (${id}, '2024-01-01T00:00:00', 'm${id}');`).join('\n')}`,
  },
  {
    tool: 'goose',
    files: {
      'db/migrations/20240101000000_create_users.sql':
        '-- +goose Up\nCREATE TABLE users (id integer);\n-- +goose Down\nDROP TABLE users;\n',
      'db/migrations/20240201000000_add_playlists.go':
        'package migrations\n\nimport "github.com/pressly/goose/v3"\n\nfunc init() { goose.AddMigrationContext(upAddPlaylists, downAddPlaylists) }\n',
      'db/migrations/20240301000000_create_tags.sql':
        '-- +goose Up\nCREATE TABLE tags (id integer);\n-- +goose Down\nDROP TABLE tags;\n',
      'db/migrations/migration.go': 'package migrations\n',
    },
    ids: ['20240101000000', '20240201000000', '20240301000000'],
    record: (ids) =>
      `CREATE TABLE goose_db_version (id INTEGER PRIMARY KEY AUTOINCREMENT, version_id INTEGER NOT NULL, is_applied INTEGER NOT NULL, tstamp TIMESTAMP DEFAULT (datetime('now')));
       INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, 1);
       ${ids.map((id) => `INSERT INTO goose_db_version (version_id, is_applied) VALUES (${id}, 1);`).join('\n')}`,
  },
  {
    tool: 'laravel',
    files: {
      artisan: '#!/usr/bin/env php\n',
      'database/migrations/0001_01_01_000000_create_users_table.php':
        '<?php\nreturn new class extends Migration { };\n',
      'database/migrations/2024_02_01_000000_create_posts_table.php':
        '<?php\nreturn new class extends Migration { };\n',
      'database/migrations/2024_03_13_101500_create_tags_table.php':
        '<?php\nreturn new class extends Migration { };\n',
    },
    // Laravel names a migration by its file name without `.php`, as its migrations table records it.
    ids: [
      '0001_01_01_000000_create_users_table',
      '2024_02_01_000000_create_posts_table',
      '2024_03_13_101500_create_tags_table',
    ],
    record: (ids) =>
      `CREATE TABLE "migrations" ("id" integer primary key autoincrement not null, "migration" varchar not null, "batch" integer not null);
       ${ids.map((id) => `INSERT INTO migrations (migration, batch) VALUES ('${id}', 1);`).join('\n')}`,
  },
  {
    // PocketBase: Go files that register themselves (`Register` or `Add`), run and recorded by file name.
    tool: 'pocketbase',
    files: {
      'migrations/1700000000_aux_init.go':
        'package migrations\n\nfunc init() {\n\tcore.SystemMigrations.Add(&core.Migration{Up: upAux})\n}\n',
      'migrations/1700000000_init.go':
        'package migrations\n\nfunc init() {\n\tcore.SystemMigrations.Register(upInit, downInit)\n}\n',
      'migrations/1710000000_add_tags.go':
        'package migrations\n\nfunc init() {\n\tcore.SystemMigrations.Register(upTags, nil)\n}\n',
      'migrations/1710000000_add_tags_test.go': 'package migrations\n\nfunc TestTags(t *testing.T) {}\n',
      'migrations/base.go': 'package migrations\n',
    },
    ids: ['1700000000_aux_init.go', '1700000000_init.go', '1710000000_add_tags.go'],
    record: (ids) =>
      `CREATE TABLE _migrations (file VARCHAR(255) PRIMARY KEY NOT NULL, applied INTEGER NOT NULL);
       ${ids.map((id, i) => `INSERT INTO _migrations VALUES ('${id}', ${1780000000000000 + i});`).join('\n')}`,
  },
  {
    tool: 'sequelize',
    files: {
      '.sequelizerc': 'module.exports = {};\n',
      'migrations/20240101000000-create-user.js': 'module.exports = { up() {}, down() {} };\n',
      'migrations/20240201000000-create-post.js': 'module.exports = { up() {}, down() {} };\n',
      'migrations/20240301000000-create-tag.js': 'module.exports = { up() {}, down() {} };\n',
    },
    ids: ['20240101000000-create-user.js', '20240201000000-create-post.js', '20240301000000-create-tag.js'],
    record: (ids) =>
      `CREATE TABLE \`SequelizeMeta\` (\`name\` VARCHAR(255) NOT NULL UNIQUE PRIMARY KEY);\n${ids.map((id) => `INSERT INTO SequelizeMeta VALUES ('${id}');`).join('\n')}`,
  },
  {
    // dbmate's `-- migrate:down` section drops the table: on the way up it must not count.
    tool: 'dbmate',
    files: {
      'db/migrations/20240101000000_create_users.sql':
        '-- migrate:up\nCREATE TABLE users (id integer PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE users;\n',
      'db/migrations/20240201000000_create_posts.sql':
        '-- migrate:up\nCREATE TABLE posts (id integer PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE posts;\n',
      'db/migrations/20240301000000_create_tags.sql':
        '-- migrate:up\nCREATE TABLE tags (id integer PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE tags;\n',
    },
    ids: ['20240101000000', '20240201000000', '20240301000000'],
    record: (ids) =>
      `CREATE TABLE IF NOT EXISTS "schema_migrations" (version varchar(128) primary key);\n${ids.map((id) => `INSERT INTO schema_migrations (version) VALUES ('${id}');`).join('\n')}`,
  },
];

/** An id the code does not have, older than its newest migration: from another branch, or a file deleted. */
const strays: Record<string, string> = {
  diesel: '20190101000000',
  'ef-core': '20231215000000_Stray',
  fluentmigrator: '5',
  goose: '20240115000000',
  laravel: '2024_01_15_000000_stray',
  pocketbase: '1705000000_stray.go',
  sequelize: '20240115000000-stray.js',
  dbmate: '20240115000000',
};

describe('migration tools of compiled and PHP apps, in their own layouts', () => {
  let temp: { dir: string; cleanup: () => void };
  before(() => {
    temp = makeTempDir();
  });
  after(() => temp.cleanup());

  for (const c of cases) {
    it(`${c.tool}: at head, behind, unknown revision, unstamped`, () => {
      const dir = path.join(temp.dir, c.tool);
      for (const [file, text] of Object.entries(c.files)) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), text);
      }
      const db = path.join(dir, 'app.db');
      const withRecord = (ids: readonly string[]) => {
        fs.rmSync(db, { force: true });
        const handle = new Database(db);
        handle.exec(
          `CREATE TABLE users (id integer); CREATE TABLE folders (id integer); CREATE TABLE posts (id integer); CREATE TABLE sends (id integer); CREATE TABLE tags (id integer); ${ids.length > 0 ? c.record(ids) : ''}`,
        );
        handle.close();
        const found = liveMigrationStatus(db, { appDirs: [dir] });
        assert.ok(found !== null, 'migrations found');
        assert.equal(found.graph.tool, c.tool);
        assert.deepEqual(found.graph.problems, []);
        return found.status;
      };
      const [first, second, third] = c.ids;
      const head = withRecord(c.ids);
      assert.equal(head.status, 'at-head', head.summary);
      assert.equal(head.revision, third);
      const behind = withRecord([first, second]);
      assert.equal(behind.status, 'behind', behind.summary);
      assert.deepEqual(behind.pending, [third]);
      assert.equal(behind.revision, second);
      const stray = strays[c.tool] ?? '';
      const unknown = withRecord([first, stray, second, third]);
      assert.equal(unknown.status, 'unknown-revision', unknown.summary);
      assert.deepEqual(unknown.unknown, [stray]);
      assert.equal(withRecord([]).status, 'unstamped');
    });
  }
});
