import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDatabaseArgument, resolveLocation } from './database-location';
import { LifeboatFailure } from './lifeboat-failure';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof LifeboatFailure);
    return error.detail.code;
  }
  return 'no error';
}

describe('database argument', () => {
  const cwd = '/srv/app';

  it('accepts paths, relative to the working directory', () => {
    assert.equal(parseDatabaseArgument('app.db', cwd), '/srv/app/app.db');
    assert.equal(parseDatabaseArgument('/data/app.db', cwd), '/data/app.db');
    assert.equal(parseDatabaseArgument('./data/x.sqlite3', cwd), '/srv/app/data/x.sqlite3');
  });

  it('accepts SQLAlchemy URLs: three slashes relative, four absolute', () => {
    assert.equal(parseDatabaseArgument('sqlite:///app.db', cwd), '/srv/app/app.db');
    assert.equal(parseDatabaseArgument('sqlite:///data/app.db', cwd), '/srv/app/data/app.db');
    assert.equal(parseDatabaseArgument('sqlite:////var/lib/app/app.db', cwd), '/var/lib/app/app.db');
    assert.equal(parseDatabaseArgument('sqlite+pysqlite:////var/app.db', cwd), '/var/app.db');
    assert.equal(parseDatabaseArgument('sqlite:///app.db?check_same_thread=false', cwd), '/srv/app/app.db');
  });

  it('refuses other databases and in-memory URLs with NOT_SQLITE_URL', () => {
    for (const url of [
      'postgres://user:secret@db/app',
      'mysql://x/y',
      'sqlite://',
      'sqlite:///:memory:',
      'sqlite://host/app.db',
      ':memory:',
      'sqlite:relative.db',
    ]) {
      assert.equal(
        codeOf(() => parseDatabaseArgument(url, cwd)),
        'NOT_SQLITE_URL',
        url,
      );
    }
  });

  it('never echoes a password back', () => {
    try {
      parseDatabaseArgument('postgres://user:secret@db/app', cwd);
      assert.fail('should refuse');
    } catch (error) {
      assert.ok(error instanceof LifeboatFailure);
      assert.doesNotMatch(error.message, /secret/);
    }
  });

  it('refuses an empty argument', () => {
    assert.equal(
      codeOf(() => parseDatabaseArgument('  ', cwd)),
      'INVALID_ARGUMENT',
    );
  });

  it('puts backups in <dir of the live db>/backups unless told otherwise', () => {
    assert.deepEqual(resolveLocation('sqlite:////var/app/app.db', undefined, cwd), {
      databasePath: '/var/app/app.db',
      backupsDir: '/var/app/backups',
    });
    assert.deepEqual(resolveLocation('app.db', 'snaps', cwd), {
      databasePath: '/srv/app/app.db',
      backupsDir: '/srv/app/snaps',
    });
  });
});
