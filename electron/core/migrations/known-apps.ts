import type { RecordedTool } from '../../contract/migrations';
import type { Bookkeeping } from './recorded-bookkeeping';

/**
 * Popular self-hosted apps, recognised by the shape of their tables (names and a few telling
 * columns), never by a path or a file name: a person who added `/srv/data/db.sqlite3` sees what it
 * is. Each shape is a few tables the app has in every release, so a database of another app with a
 * `users` table is not taken for one of these.
 */
interface KnownApp {
  readonly name: string;
  /** The tool (or the app's own migrator) whose bookkeeping it keeps. */
  readonly tool: RecordedTool;
  /** Table → columns it must have (none listed: the table alone tells). */
  readonly shape: Readonly<Record<string, readonly string[]>>;
}

const knownApps: readonly KnownApp[] = [
  { name: 'Vaultwarden', tool: 'diesel', shape: { ciphers: [], folders_ciphers: [], twofactor: [] } },
  {
    name: 'Gitea',
    tool: 'gitea',
    shape: { user: ['lower_name'], repository: ['owner_id', 'lower_name'] },
  },
  {
    name: 'Home Assistant',
    tool: 'home-assistant',
    shape: { states: ['state_id'], events: ['event_id'], recorder_runs: ['run_id', 'closed_incorrect'] },
  },
  { name: 'n8n', tool: 'typeorm', shape: { workflow_entity: ['nodes', 'connections'] } },
  { name: 'Jellyfin', tool: 'ef-core', shape: { ActivityLogs: [], Users: ['Username'] } },
  { name: 'Sonarr', tool: 'fluentmigrator', shape: { Series: ['TvdbId'], Config: ['Key', 'Value'] } },
  { name: 'PocketBase', tool: 'pocketbase', shape: { _collections: ['system', 'fields'], _params: [] } },
  {
    name: 'Uptime Kuma',
    tool: 'knex',
    shape: { monitor: [], heartbeat: [], monitor_notification: [] },
  },
  { name: 'Memos', tool: 'memos', shape: { memo: [], memo_relation: [], system_setting: [] } },
  { name: 'Authelia', tool: 'authelia', shape: { authentication_logs: [], totp_configurations: [] } },
  {
    name: 'Navidrome',
    tool: 'goose',
    shape: { media_file: [], album: [], artist: [], playqueue: [] },
  },
  { name: 'Paperless-ngx', tool: 'django', shape: { documents_document: [], documents_correspondent: [] } },
  { name: 'Karakeep', tool: 'drizzle', shape: { bookmarks: [], bookmarkLinks: [], highlights: [] } },
  { name: 'Mealie', tool: 'alembic', shape: { recipes: [], recipe_instructions: [], cookbooks: [] } },
];

/** The app a database belongs to, and the tables that told; null when its shape is no known app's. */
export interface RecognisedApp {
  readonly name: string;
  readonly tool: RecordedTool;
  readonly tables: readonly string[];
}

export function recogniseApp(book: Bookkeeping): RecognisedApp | null {
  const app = knownApps.find((a) =>
    Object.entries(a.shape).every(
      ([table, columns]) => book.hasColumns(table, ...columns) && book.has(table),
    ),
  );
  return app === undefined ? null : { name: app.name, tool: app.tool, tables: Object.keys(app.shape) };
}
