import { compareVersions } from '../compare-order';
import { quotedName } from '../sqlite/quoted-name';
import { position, text, versionId, type Bookkeeping, type Reader } from './recorded-bookkeeping';

/** The bookkeeping of apps that keep their own (their schema's version in a table of theirs), not a migration tool's. */

// authelia internal/storage/sql_provider_schema.go: `migrations(id, applied, version_before, version_after, application_version)`.
export const authelia: Reader = {
  tool: 'authelia',
  recognizes: (book) => book.hasColumns('migrations', 'version_before', 'version_after'),
  read: (book) => {
    const row = book.rows('SELECT * FROM migrations ORDER BY id DESC LIMIT 1')[0];
    return position(
      row === undefined ? null : versionId(row['version_after']),
      text(row?.['applied']),
      row === undefined ? null : `Authelia ${text(row['application_version']) ?? ''}`,
    );
  },
};

// home-assistant/core homeassistant/components/recorder/db_schema.py: `schema_changes(change_id, schema_version, changed)`.
export const homeAssistant: Reader = {
  tool: 'home-assistant',
  recognizes: (book) => book.hasColumns('schema_changes', 'schema_version', 'change_id'),
  read: (book) => {
    const row = book.rows('SELECT * FROM schema_changes ORDER BY change_id DESC LIMIT 1')[0];
    return position(row === undefined ? null : versionId(row['schema_version']), text(row?.['changed']));
  },
};

// louislam/uptime-kuma server/database.js (1.x): the `setting` row `database_version` counts its patch-NN.sql files.
export const uptimeKuma: Reader = {
  tool: 'uptime-kuma',
  recognizes: (book) =>
    book.hasColumns('setting', 'key', 'value') &&
    book.rows("SELECT 1 FROM setting WHERE key = 'database_version'").length > 0,
  read: (book) =>
    position(
      versionId(book.db.prepare("SELECT value FROM setting WHERE key = 'database_version'").pluck().get()),
    ),
};

// go-gitea/gitea models/migrations/migrations.go (also Forgejo, Gogs): xorm's `version(id, version)`, one row.
export const gitea: Reader = {
  tool: 'gitea',
  recognizes: (book) => {
    const columns = book.columns('version');
    return columns.size === 2 && columns.has('id') && columns.has('version');
  },
  read: (book) => position(versionId(book.db.prepare('SELECT max(version) FROM version').pluck().get())),
};

// usememos/memos store/migrator.go: `migration_history(version, created_ts)` up to 0.21, then the `BASIC`
// instance setting's `schemaVersion` (table `system_setting`, later `instance_setting`).
export const memos: Reader = {
  tool: 'memos',
  recognizes: (book) => book.hasColumns('migration_history', 'version') || memosSettingsTable(book) !== null,
  read: (book) => {
    const table = memosSettingsTable(book);
    if (table !== null) {
      const value = book.db
        .prepare(`SELECT value FROM ${quotedName(table)} WHERE name = 'BASIC'`)
        .pluck()
        .get();
      const version = memosSchemaVersion(value);
      if (version !== null) {
        return position(version);
      }
    }
    if (!book.has('migration_history')) {
      return position(null);
    }
    const versions = book
      .rows('SELECT * FROM migration_history')
      .sort((a, b) => compareVersions(text(a['version']) ?? '', text(b['version']) ?? ''));
    const newest = versions[versions.length - 1];
    return position(newest === undefined ? null : String(newest['version']), text(newest?.['created_ts']));
  },
};
function memosSettingsTable(book: Bookkeeping): string | null {
  return (
    ['instance_setting', 'system_setting'].find(
      (t) =>
        book.hasColumns(t, 'name', 'value') &&
        book.rows(`SELECT 1 FROM ${quotedName(t)} WHERE name = 'BASIC'`).length > 0,
    ) ?? null
  );
}

function memosSchemaVersion(value: unknown): string | null {
  try {
    const parsed: unknown = JSON.parse(String(value));
    const version =
      typeof parsed === 'object' && parsed !== null
        ? (parsed as Record<string, unknown>)['schemaVersion']
        : undefined;
    return typeof version === 'string' && /^[\w.-]{1,40}$/.test(version) ? version : null;
  } catch {
    return null;
  }
}
