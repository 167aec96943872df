import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AlembicProject } from '../../testing/alembic-project';
import { makeTempDir } from '../../testing/fixtures';
import { alembicAdapter } from './alembic-adapter';
import { liveMigrationStatus, readAppliedState } from './migration-reader';
import { migrationStatus } from './migration-status';

/** Real Alembic (Debian's python3-alembic) makes every fixture; its answers are the reference. */
describe('Alembic, against the real tool', () => {
  let temp: { dir: string; cleanup: () => void };
  let project: AlembicProject;
  const revs: Record<string, string> = {};

  const status = (dbPath = project.databasePath) => {
    const result = liveMigrationStatus(dbPath, { appDirs: [project.dir] });
    assert.ok(result !== null, 'alembic.ini found');
    return result;
  };

  before(() => {
    temp = makeTempDir();
    project = new AlembicProject(path.join(temp.dir, 'shop'));
    revs['users'] = project.revision('create users', { table: 'users' });
    revs['posts'] = project.revision('create posts', { table: 'posts' });
    revs['tags'] = project.revision('create tags', { table: 'tags' });
  });
  after(() => temp.cleanup());

  it('reads the chain Alembic reads: same heads, messages and create dates, oldest first', () => {
    const { graph } = status();
    assert.deepEqual([...graph.heads].sort(), project.ids('heads'));
    assert.deepEqual(
      graph.revisions.map((r) => r.id),
      [revs['users'], revs['posts'], revs['tags']],
    );
    assert.equal(graph.revisions[1]?.message, 'create posts');
    assert.deepEqual(graph.revisions[1]?.parents, [revs['users']]);
    assert.match(graph.revisions[0]?.createdAt ?? '', /^\d{4}-\d{2}-\d{2} /);
  });

  it('calls a database that does not exist yet no-database, and one without tables empty', () => {
    assert.equal(status().status.status, 'no-database');
    fs.writeFileSync(project.databasePath, '');
    assert.equal(status().status.status, 'empty');
    fs.rmSync(project.databasePath);
  });

  it('follows upgrades and downgrades: behind with the pending revisions in order, then at head', () => {
    project.alembic('upgrade', revs['users'] ?? '');
    let s = status().status;
    assert.deepEqual([...s.current].sort(), project.ids('current'));
    assert.equal(s.status, 'behind');
    assert.deepEqual(s.pending, [revs['posts'], revs['tags']]);
    assert.equal(s.badge, '2 behind');
    project.alembic('upgrade', 'head');
    s = status().status;
    assert.equal(s.status, 'at-head');
    assert.deepEqual([...s.current].sort(), project.ids('current'));
    project.alembic('downgrade', '-1');
    s = status().status;
    assert.deepEqual([...s.current].sort(), project.ids('current'));
    assert.deepEqual(s.pending, [revs['tags']]);
    project.alembic('upgrade', 'head');
  });

  it('calls a database whose revision file was deleted from the code unknown-revision, as Alembic cannot locate it', () => {
    const copy = path.join(temp.dir, 'copy.db');
    fs.copyFileSync(project.databasePath, copy);
    const headFile = fs
      .readdirSync(path.join(project.dir, 'alembic', 'versions'))
      .find((f) => f.startsWith(revs['tags'] ?? '?'));
    assert.ok(headFile !== undefined);
    const kept = path.join(temp.dir, headFile);
    fs.renameSync(path.join(project.dir, 'alembic', 'versions', headFile), kept);
    try {
      const s = status(copy).status;
      assert.equal(s.status, 'unknown-revision');
      assert.deepEqual(s.unknown, [revs['tags']]);
      assert.throws(() => project.alembic('current'), /Can't locate revision/);
    } finally {
      fs.renameSync(kept, path.join(project.dir, 'alembic', 'versions', headFile));
    }
  });

  it('calls tables without alembic_version unstamped, and a version table whose tables are missing partial', () => {
    const bare = path.join(temp.dir, 'bare.db');
    const db = new Database(bare);
    db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY)');
    db.close();
    assert.equal(status(bare).status.status, 'unstamped');

    const damaged = path.join(temp.dir, 'damaged.db');
    fs.copyFileSync(project.databasePath, damaged);
    const d = new Database(damaged);
    d.exec('DROP TABLE posts');
    d.close();
    const s = status(damaged).status;
    assert.equal(s.status, 'partial');
    assert.deepEqual(s.missingTables, ['posts']);
  });

  it('explains several heads, says whether the database has them all, and reads the merge', () => {
    revs['audit'] = project.revision('audit log', {
      table: 'audit',
      extra: ['--head', 'base', '--branch-label', 'audit'],
    });
    revs['audit2'] = project.revision('audit retention', {
      extra: ['--head', 'audit@head', '--depends-on', revs['posts'] ?? ''],
    });
    let found = status();
    assert.deepEqual([...found.graph.heads].sort(), project.ids('heads'));
    assert.equal(found.graph.heads.length, 2);
    assert.deepEqual(found.graph.revisions.find((r) => r.id === revs['audit2'])?.dependsOn, [revs['posts']]);
    assert.deepEqual(found.graph.revisions.find((r) => r.id === revs['audit'])?.branchLabels, ['audit']);
    let s = found.status;
    assert.equal(s.status, 'multiple-heads');
    assert.equal(s.hasAllHeads, false);
    assert.match(s.summary, /2 heads/);

    project.alembic('upgrade', 'heads');
    s = status().status;
    assert.deepEqual([...s.current].sort(), project.ids('current'));
    assert.equal(s.current.length, 2, 'alembic_version holds two rows');
    assert.equal(s.status, 'multiple-heads');
    assert.equal(s.hasAllHeads, true);

    const merged =
      /Generating (.+\.py)/.exec(project.alembic('merge', '-m', 'merge audit', 'heads'))?.[1] ?? '';
    revs['merge'] = /^revision = '(\w+)'/m.exec(fs.readFileSync(merged.trim(), 'utf8'))?.[1] ?? '';
    found = status();
    assert.deepEqual(found.graph.heads, [revs['merge']]);
    assert.deepEqual(
      [...(found.graph.revisions.find((r) => r.id === revs['merge'])?.parents ?? [])].sort(),
      [revs['tags'], revs['audit2']].sort(),
    );
    assert.equal(found.status.status, 'behind');
    assert.deepEqual(found.status.pending, [revs['merge']]);
    project.alembic('upgrade', 'head');
    assert.equal(status().status.status, 'at-head');
    assert.deepEqual([...status().status.current].sort(), project.ids('current'));
  });

  it('reads snapshots at several revisions, and a WAL copy taken without its -wal at its older revision', () => {
    const graph = alembicAdapter.readGraph(
      alembicAdapter.detect(project.dir) ?? { tool: 'alembic', locations: [] },
    );
    const live = path.join(temp.dir, 'wal.db');
    fs.copyFileSync(project.databasePath, live);
    const app = new Database(live);
    app.pragma('journal_mode = wal');
    app.pragma('wal_autocheckpoint = 0');
    app.prepare('UPDATE alembic_version SET version_num = ?').run(revs['posts']);
    // Copy the main file only, as a careless backup would, while the new stamp is only in the -wal.
    const copy = path.join(temp.dir, 'copy-without-wal.db');
    fs.copyFileSync(live, copy);
    app.close();
    const source = alembicAdapter.detect(project.dir);
    assert.ok(source !== null);
    const inCopy = readAppliedState(copy, alembicAdapter, source, 'snapshot');
    assert.equal(inCopy.kind, 'stamped');
    assert.deepEqual(inCopy.kind === 'stamped' ? inCopy.recorded : [], [revs['merge']]);
    assert.deepEqual(
      fs.readdirSync(temp.dir).filter((n) => n.startsWith('copy-without-wal')),
      ['copy-without-wal.db'],
      'reading it created no sidecar',
    );
    const atPosts = migrationStatus(
      graph,
      readAppliedState(live, alembicAdapter, source, 'snapshot'),
      alembicAdapter,
    );
    assert.equal(atPosts.status, 'behind');
  });

  it('reads a branch spliced off the middle of the chain, and the same history Alembic prints', () => {
    const hotfix = project.revision('hotfix on users', {
      table: 'hotfix',
      extra: ['--head', revs['users'] ?? '', '--splice'],
    });
    const found = status();
    assert.deepEqual([...found.graph.heads].sort(), project.ids('heads'));
    assert.ok(found.graph.heads.includes(hotfix));
    assert.deepEqual(found.graph.revisions.find((r) => r.id === hotfix)?.parents, [revs['users']]);
    assert.equal(found.status.status, 'multiple-heads');
    assert.equal(found.status.hasAllHeads, false);
    assert.deepEqual(found.status.pending, [hotfix]);
    const history = [...project.alembic('history').matchAll(/-> (\w{12})/g)].map((m) => m[1] ?? '');
    assert.deepEqual([...new Set(history)].sort(), found.graph.revisions.map((r) => r.id).sort());
    // Every revision comes after its parents in our order, as Alembic applies them.
    const index = new Map(found.graph.revisions.map((r, i) => [r.id, i]));
    for (const r of found.graph.revisions) {
      for (const parent of [...r.parents, ...r.dependsOn]) {
        assert.ok((index.get(parent) ?? -1) < (index.get(r.id) ?? -1), `${parent} before ${r.id}`);
      }
    }
  });
});
