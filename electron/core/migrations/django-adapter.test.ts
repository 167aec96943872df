import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DjangoProject } from '../../testing/django-project';
import { makeTempDir } from '../../testing/fixtures';
import { liveMigrationStatus } from './migration-reader';

/** Real Django (Debian's python3-django) makes and migrates the project; showmigrations is the reference. */
describe('Django, against the real tool', () => {
  let temp: { dir: string; cleanup: () => void };
  let project: DjangoProject;
  const apps = ['books', 'reviews'];
  const status = () => {
    const result = liveMigrationStatus(project.databasePath, { appDirs: [project.dir] });
    assert.ok(result !== null, 'manage.py and migrations found');
    return result;
  };

  before(() => {
    temp = makeTempDir();
    project = new DjangoProject(path.join(temp.dir, 'library'));
    project.addApp('books');
    project.addApp('reviews');
    project.writeModels('books', 'class Book(models.Model):\n    title = models.CharField(max_length=200)\n');
    project.manage('makemigrations', 'books');
    project.writeModels(
      'books',
      "class Book(models.Model):\n    title = models.CharField(max_length=200)\n    isbn = models.CharField(max_length=13, default='')\n",
    );
    project.manage('makemigrations', 'books', '--name', 'book_isbn');
    project.writeModels(
      'reviews',
      "class Review(models.Model):\n    book = models.ForeignKey('books.Book', on_delete=models.CASCADE)\n    stars = models.IntegerField()\n\n    class Meta:\n        db_table = 'book_reviews'\n",
    );
    project.manage('makemigrations', 'reviews');
  });
  after(() => temp.cleanup());

  it('reads per-app chains and the cross-app dependency', () => {
    const { graph } = status();
    assert.deepEqual(
      graph.revisions.map((r) => r.id),
      ['books.0001_initial', 'books.0002_book_isbn', 'reviews.0001_initial'],
    );
    assert.deepEqual(graph.revisions[1]?.parents, ['books.0001_initial']);
    assert.deepEqual(graph.revisions[2]?.dependsOn, ['books.0002_book_isbn']);
    assert.deepEqual([...graph.heads].sort(), ['books.0002_book_isbn', 'reviews.0001_initial']);
  });

  it('agrees with showmigrations after `migrate books 0001`, ignoring Django’s own apps', () => {
    project.manage('migrate', 'books', '0001');
    const s = status().status;
    const reference = project.showMigrations(apps);
    assert.deepEqual(s.current, reference.applied);
    assert.deepEqual(s.pending, reference.pending);
    assert.equal(s.unknown.length, 0, 'contenttypes, auth and the rest are not unknown revisions');
  });

  it('is at head once everything is migrated (one head per app is normal), and partial when a table is missing', () => {
    project.manage('migrate');
    const s = status().status;
    assert.deepEqual(s.current, project.showMigrations(apps).applied);
    assert.equal(s.status, 'at-head');
    const copy = path.join(temp.dir, 'copy.sqlite3');
    fs.copyFileSync(project.databasePath, copy);
    const db = new Database(copy);
    db.exec('DROP TABLE book_reviews');
    db.close();
    const partial = liveMigrationStatus(copy, { appDirs: [project.dir] })?.status;
    assert.equal(partial?.status, 'partial');
    assert.deepEqual(partial?.missingTables, ['book_reviews'], 'the Meta db_table is the table name');
  });

  it('reports two leaf migrations in one app as multiple heads, where Django reports conflicting migrations', () => {
    const dir = path.join(project.dir, 'books', 'migrations');
    fs.writeFileSync(
      path.join(dir, '0002_book_isbn_alt.py'),
      fs.readFileSync(path.join(dir, '0002_book_isbn.py'), 'utf8'),
    );
    const s = status().status;
    assert.equal(s.status, 'multiple-heads');
    assert.deepEqual([...s.heads].sort(), ['books.0002_book_isbn', 'books.0002_book_isbn_alt']);
    assert.throws(() => project.manage('migrate'), /Conflicting migrations/);
    fs.rmSync(path.join(dir, '0002_book_isbn_alt.py'));
  });
});

/** Real Django again: `squashmigrations` as Paperless-ngx ships it, and Django's own apps read from a virtualenv. */
describe('Django squashes and installed apps, against the real tool', () => {
  let temp: { dir: string; cleanup: () => void };
  let project: DjangoProject;
  const status = () => {
    const result = liveMigrationStatus(project.databasePath, { appDirs: [project.dir] });
    assert.ok(result !== null, 'manage.py and migrations found');
    return result.status;
  };

  before(() => {
    temp = makeTempDir();
    project = new DjangoProject(path.join(temp.dir, 'paper'));
    project.addApp('docs');
    const fields = [
      '    title = models.CharField(max_length=200)',
      "    body = models.TextField(default='')",
      '    pages = models.IntegerField(default=0)',
    ];
    fields.forEach((_, i) => {
      project.writeModels('docs', `class Document(models.Model):\n${fields.slice(0, i + 1).join('\n')}\n`);
      project.manage('makemigrations', 'docs', '--name', `step${i + 1}`);
    });
    project.manage('migrate');
    project.manage('squashmigrations', 'docs', '0003', '--noinput');
  });
  after(() => temp.cleanup());

  it('a squash whose replaced migrations the database records is applied (was "unknown revision")', () => {
    const dir = path.join(project.dir, 'docs', 'migrations');
    const squash = fs.readdirSync(dir).find((f) => f.includes('_squashed_'));
    assert.ok(squash !== undefined, 'squashmigrations wrote a squash');
    // The last step of squashing, as projects ship it: the replaced files are deleted, `replaces` stays.
    for (const old of ['0001_step1.py', '0002_step2.py', '0003_step3.py']) {
      fs.rmSync(path.join(dir, old));
    }
    // And formatted as black formats a long pair (Paperless-ngx): one item a line, a trailing comma.
    const file = path.join(dir, squash);
    fs.writeFileSync(
      file,
      fs
        .readFileSync(file, 'utf8')
        .replace(/\('docs', '(\w+)'\)/g, '(\n            "docs",\n            "$1",\n        )'),
    );
    assert.match(fs.readFileSync(file, 'utf8'), /"0003_step3",\n\s+\)/);
    const id = `docs.${squash.slice(0, -3)}`;
    assert.deepEqual(project.showMigrations(['docs']), { applied: [id], pending: [] });
    let s = status();
    assert.equal(s.status, 'at-head', s.summary);
    assert.deepEqual(s.unknown, []);
    assert.equal(s.revision, id);
    project.writeModels(
      'docs',
      "class Document(models.Model):\n    title = models.CharField(max_length=200)\n    body = models.TextField(default='')\n    pages = models.IntegerField(default=0)\n    tags = models.CharField(max_length=50, default='')\n",
    );
    project.manage('makemigrations', 'docs', '--name', 'tags');
    const reference = project.showMigrations(['docs']);
    s = status();
    assert.equal(s.status, 'behind');
    assert.deepEqual(s.pending, reference.pending);
  });

  it('reads Django’s own apps from the project’s virtualenv, and says when there is none', () => {
    assert.match(status().summary, /no virtualenv was found/);
    const python = fs.readdirSync('/usr/lib').find((d) => /^python3\.\d+$/.test(d)) ?? 'python3';
    const site = path.join(project.dir, '.venv', 'lib', python, 'site-packages');
    fs.mkdirSync(site, { recursive: true });
    // Debian's Django stands in for `pip install django` in the virtualenv: the same package, the same files.
    fs.symlinkSync('/usr/lib/python3/dist-packages/django', path.join(site, 'django'));
    project.manage('migrate');
    let s = status();
    const all = project.showMigrations([]);
    assert.equal(s.status, 'at-head', s.summary);
    assert.ok(s.current.includes('auth.0012_alter_user_first_name_max_length'), 'auth is read');
    assert.deepEqual([...s.current].sort(), [...all.applied].sort());
    const db = new Database(project.databasePath);
    db.exec("DELETE FROM django_migrations WHERE app = 'sessions'");
    db.close();
    s = status();
    assert.equal(s.status, 'behind');
    assert.deepEqual(s.pending, project.showMigrations(['sessions']).pending);
    assert.doesNotMatch(s.summary, /no virtualenv/);
  });
});
