import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { migrate as drizzleMigrate } from 'drizzle-orm/better-sqlite3/migrator';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import knexFactory from 'knex';
import { DataSource } from 'typeorm';
import { makeTempDir } from '../../testing/fixtures';
import { liveMigrationStatus } from './migration-reader';

/**
 * Node tools installed from npm, each making its own bookkeeping: TypeORM's DataSource runs the
 * migrations, Drizzle's migrator applies a drizzle-kit folder, Knex runs with the custom table and
 * file names real apps use. Each project is our own,
 * in the tool's layout.
 */
describe('migration tools from npm, each writing its own bookkeeping', () => {
  let temp: { dir: string; cleanup: () => void };
  before(() => {
    temp = makeTempDir();
  });
  after(() => temp.cleanup());

  const write = (file: string, text: string): void => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  };
  const status = (dir: string, db: string) => {
    const found = liveMigrationStatus(db, { appDirs: [dir] });
    assert.ok(found !== null, `migrations found in ${dir}`);
    return found.status;
  };

  it('TypeORM: the migrations table its DataSource writes, against showMigrations', async () => {
    const dir = path.join(temp.dir, 'typeorm-app');
    const db = path.join(dir, 'app.db');
    const migration = (stamp: number, name: string, table: string): void =>
      write(
        path.join(dir, 'src', 'migrations', `${stamp}-${name}.js`),
        `module.exports.${name}${stamp} = class ${name}${stamp} {\n  async up(q) { await q.query('CREATE TABLE "${table}" (id integer PRIMARY KEY)'); }\n  async down(q) { await q.query('DROP TABLE "${table}"'); }\n};\n`,
      );
    migration(1710000000000, 'CreateUsers', 'users');
    migration(1710000100000, 'CreatePosts', 'posts');
    const run = async (): Promise<boolean> => {
      const source = new DataSource({
        type: 'better-sqlite3',
        database: db,
        migrations: [path.join(dir, 'src', 'migrations', '*.js')],
        logging: false,
      });
      await source.initialize();
      try {
        await source.runMigrations();
        migration(1710000200000, 'CreateTags', 'tags');
        const reloaded = new DataSource({
          type: 'better-sqlite3',
          database: db,
          migrations: [path.join(dir, 'src', 'migrations', '*.js')],
          logging: false,
        });
        await reloaded.initialize();
        try {
          return await reloaded.showMigrations();
        } finally {
          await reloaded.destroy();
        }
      } finally {
        await source.destroy();
      }
    };
    assert.equal(await run(), true, 'TypeORM sees one pending migration');
    let s = status(dir, db);
    assert.equal(s.tool, 'typeorm');
    assert.deepEqual(s.current, ['1710000000000', '1710000100000']);
    assert.equal(s.status, 'behind');
    assert.deepEqual(s.pending, ['1710000200000']);
    assert.equal(s.revision, '1710000100000');
    fs.rmSync(path.join(dir, 'src', 'migrations', '1710000200000-CreateTags.js'));
    assert.equal(status(dir, db).status, 'at-head');
    assert.equal(status(dir, db).revision, '1710000100000');
    migration(1710000200000, 'CreateTags', 'tags');
    fs.rmSync(path.join(dir, 'src', 'migrations', '1710000100000-CreatePosts.js'));
    s = status(dir, db);
    assert.equal(s.status, 'unknown-revision', 'a recorded migration the code no longer has');
    const handle = new Database(db);
    handle.exec('DROP TABLE migrations');
    handle.close();
    assert.equal(status(dir, db).status, 'unstamped');
  });

  it('Drizzle: a table rebuilt as __new_x then renamed is not missing (was "partial")', () => {
    const dir = path.join(temp.dir, 'drizzle-app');
    const db = path.join(dir, 'app.db');
    const folder = path.join(dir, 'drizzle');
    const entries = [
      {
        tag: '0000_init',
        when: 1710000000000,
        sql: 'CREATE TABLE `users` (\n\t`id` integer PRIMARY KEY NOT NULL\n);\n',
      },
      {
        tag: '0001_email',
        when: 1710000100000,
        sql:
          "PRAGMA foreign_keys=OFF;--> statement-breakpoint\nCREATE TABLE `__new_users` (\n\t`id` integer PRIMARY KEY NOT NULL,\n\t`email` text DEFAULT '' NOT NULL\n);\n--> statement-breakpoint\n" +
          'INSERT INTO `__new_users`("id") SELECT "id" FROM `users`;--> statement-breakpoint\nDROP TABLE `users`;--> statement-breakpoint\n' +
          'ALTER TABLE `__new_users` RENAME TO `users`;--> statement-breakpoint\nPRAGMA foreign_keys=ON;',
      },
    ];
    for (const e of entries) {
      write(path.join(folder, `${e.tag}.sql`), e.sql);
    }
    const journal = {
      version: '7',
      dialect: 'sqlite',
      entries: entries.map((e, idx) => ({ idx, version: '6', when: e.when, tag: e.tag, breakpoints: true })),
    };
    write(path.join(folder, 'meta', '_journal.json'), JSON.stringify(journal, null, 2));
    const handle = new Database(db);
    drizzleMigrate(drizzle(handle), { migrationsFolder: folder });
    handle.close();
    const s = status(dir, db);
    assert.equal(s.tool, 'drizzle');
    assert.equal(s.status, 'at-head', s.summary);
    assert.deepEqual(s.missingTables, []);
  });

  it('Knex as Uptime Kuma 2 and Nginx Proxy Manager use it: a custom table, names that are not 14 digits', async () => {
    const dir = path.join(temp.dir, 'kuma-app');
    const db = path.join(dir, 'app.db');
    const folder = path.join(dir, 'db', 'knex_migrations');
    const file = (name: string, table: string): void =>
      write(
        path.join(folder, `${name}.js`),
        `exports.up = (knex) => knex.schema.createTable('${table}', (t) => { t.increments('id'); });\nexports.down = (knex) => knex.schema.dropTable('${table}');\n`,
      );
    write(
      path.join(dir, 'knexfile.js'),
      "module.exports = { client: 'better-sqlite3', connection: { filename: './app.db' }, migrations: { tableName: 'migrations', directory: './db/knex_migrations' } };\n",
    );
    file('2023-08-18-0301-heartbeat', 'heartbeat');
    file('2023-10-20-0829-add-tags', 'tags');
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: db },
      useNullAsDefault: true,
      migrations: { tableName: 'migrations', directory: folder },
    });
    try {
      await knex.migrate.latest();
      file('2024-01-22-0000-add-status', 'status_page');
      file('2024-02-01-0000-add-remote', 'remote_browser');
      const [, pending] = (await knex.migrate.list()) as [unknown[], { file: string }[]];
      const s = status(dir, db);
      assert.equal(s.tool, 'knex');
      assert.equal(s.status, 'behind', 'not "at head": every file counts, whatever its name');
      assert.deepEqual(
        s.pending,
        pending.map((p) => p.file),
      );
      await knex.migrate.latest();
      assert.equal(status(dir, db).status, 'at-head');
      assert.equal(status(dir, db).revision, '2024-02-01-0000-add-remote.js');
    } finally {
      await knex.destroy();
    }
  });
});
