import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import knexFactory, { type Knex } from 'knex';
import { makeTempDir } from '../../testing/fixtures';
import { liveMigrationStatus } from './migration-reader';

/** Real Knex (from npm): migrate.make writes the files, migrate.up applies them, migrate.list is the reference. */
describe('Knex, against the real tool', () => {
  let temp: { dir: string; cleanup: () => void };
  let knex: Knex;
  let dir: string;
  let db: string;
  const migrations = () => path.join(dir, 'migrations');

  async function make(name: string, table: string, bumpSeconds: number): Promise<void> {
    const file = await knex.migrate.make(name, { directory: migrations() });
    // migrate.make names files by the second; spread them so that their order is the order made.
    const stamp = Number(path.basename(file).slice(0, 14)) + bumpSeconds;
    const target = path.join(migrations(), `${stamp}${path.basename(file).slice(14)}`);
    fs.renameSync(file, target);
    fs.writeFileSync(
      target,
      `exports.up = (knex) => knex.schema.createTable('${table}', (t) => { t.increments('id'); });\nexports.down = (knex) => knex.schema.dropTable('${table}');\n`,
    );
  }

  const listed = async (): Promise<{ done: string[]; pending: string[] }> => {
    const [completed, pending] = (await knex.migrate.list({ directory: migrations() })) as [
      { name: string }[],
      { file: string }[],
    ];
    return { done: completed.map((c) => c.name), pending: pending.map((p) => p.file) };
  };

  before(async () => {
    temp = makeTempDir();
    dir = path.join(temp.dir, 'node-app');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'knexfile.js'),
      "module.exports = { client: 'better-sqlite3', connection: { filename: './app.db' }, useNullAsDefault: true };\n",
    );
    db = path.join(dir, 'app.db');
    knex = knexFactory({ client: 'better-sqlite3', connection: { filename: db }, useNullAsDefault: true });
    await make('create_users', 'users', 0);
    await make('create_posts', 'posts', 1);
    await make('create_tags', 'tags', 2);
  });
  after(async () => {
    await knex.destroy();
    temp.cleanup();
  });

  it('agrees with migrate:list after each migrate:up', async () => {
    await knex.migrate.up({ directory: migrations() });
    let reference = await listed();
    let status = liveMigrationStatus(db, { appDirs: [dir] })?.status;
    assert.equal(status?.tool, 'knex');
    assert.deepEqual(status?.current, reference.done);
    assert.deepEqual(status?.pending, reference.pending);
    assert.equal(status?.status, 'behind');
    await knex.migrate.latest({ directory: migrations() });
    reference = await listed();
    status = liveMigrationStatus(db, { appDirs: [dir] })?.status;
    assert.deepEqual(status?.current, reference.done);
    assert.deepEqual(reference.pending, []);
    assert.equal(status?.status, 'at-head');
  });

  it('reports a held migration lock as locked', () => {
    const handle = new Database(db);
    handle.exec('UPDATE knex_migrations_lock SET is_locked = 1');
    handle.close();
    assert.equal(liveMigrationStatus(db, { appDirs: [dir] })?.status.status, 'locked');
    const unlock = new Database(db);
    unlock.exec('UPDATE knex_migrations_lock SET is_locked = 0');
    unlock.close();
  });
});
