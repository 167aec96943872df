import { parseArgs, type ParseArgsConfig } from 'node:util';
import * as path from 'node:path';
import { retentionRuleNames, ruleFlag, type RetentionRuleName } from '../../contract/retention';
import { LifeboatFailure } from '../../core/lifeboat-failure';

/**
 * Every option of every command, parsed in one pass: a command ignores the options it does not take,
 * as scripts written for the CLI so far rely on.
 */
const options = {
  db: { type: 'string' },
  'backups-dir': { type: 'string' },
  note: { type: 'string' },
  'require-db': { type: 'boolean', default: false },
  port: { type: 'string' },
  app: { type: 'string' },
  settings: { type: 'string' },
  migrations: { type: 'string' },
  tool: { type: 'string' },
  check: { type: 'boolean', default: false },
  'version-table': { type: 'string' },
  'version-column': { type: 'string' },
  yes: { type: 'boolean', short: 'y', default: false },
  'force-open': { type: 'boolean', default: false },
  resume: { type: 'boolean', default: false },
  rehearse: { type: 'boolean', default: false },
  undo: { type: 'boolean', default: false },
  rollback: { type: 'boolean', default: false },
  'data-dir': { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  table: { type: 'string' },
  format: { type: 'string' },
  filter: { type: 'string' },
  out: { type: 'string' },
  to: { type: 'string' },
  target: { type: 'string' },
  from: { type: 'string' },
  identity: { type: 'string' },
  'all-hosts': { type: 'boolean', default: false },
  stdio: { type: 'boolean', default: false },
  web: { type: 'boolean', default: false },
  command: { type: 'string' },
  /** Set by a hub running this command over SSH: progress as lines on stderr, cancel when stdin ends. */
  'from-hub': { type: 'boolean', default: false },
  'keep-last': { type: 'string' },
  'keep-hourly': { type: 'string' },
  'keep-daily': { type: 'string' },
  'keep-weekly': { type: 'string' },
  'keep-monthly': { type: 'string' },
  'keep-yearly': { type: 'string' },
  demo: { type: 'boolean', default: false },
  admin: { type: 'boolean', default: false },
  allow: { type: 'string', multiple: true, default: [] },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies ParseArgsConfig['options'];

/** An option a command's help lists (--from-hub is the hubs' own, and --help every command's). */
export type OptionName = Exclude<keyof typeof options, 'from-hub' | 'help'>;

/** How each option reads in a command's help: its form and what it does. */
export const optionHelp: Readonly<Record<OptionName, readonly [string, string]>> = {
  db: ['--db DB', 'A path or an sqlite:/// URL (default: $LIFEBOAT_DB)'],
  app: ['--app DIR', "The app's folder, with its lifeboat.json"],
  settings: ['--settings FILE', "The app's lifeboat.json kept elsewhere (its paths are --app's)"],
  'backups-dir': ['--backups-dir DIR', "Where the snapshots are (default: DB's folder/backups)"],
  note: ['--note TEXT', 'A free-text note kept with the snapshot'],
  'require-db': ['--require-db', 'Fail (DB_NOT_FOUND) when the database does not exist'],
  port: ['--port N', 'The port on 127.0.0.1 (default 0: a free one)'],
  migrations: ['--migrations DIR', "The folder of the app's migrations"],
  tool: ['--tool NAME', 'The migration tool, where the folder does not say'],
  check: ['--check', 'Exit 0 only when the database is at head, else 4'],
  'version-table': ['--version-table T', 'Track the version in table T, not user_version'],
  'version-column': ['--version-column C', 'The column of --version-table'],
  yes: ['-y, --yes', 'Go ahead without asking (needed off a terminal)'],
  'force-open': ['--force-open', 'Even though a process holds the database open'],
  resume: ['--resume', 'Finish a restore that was interrupted'],
  rehearse: ['--rehearse', 'Try it on a scratch copy, changing nothing'],
  undo: ['--undo', "Put back the last restore's pre-restore snapshot"],
  rollback: ['--rollback', 'Undo a restore that was interrupted'],
  'data-dir': ['--data-dir DIR', "Lifeboat's settings (default: the desktop app's)"],
  'dry-run': ['--dry-run', 'Show the plan, delete nothing'],
  table: ['--table T', 'The table (diff: only this one)'],
  format: ['--format csv|sql', 'CSV with a header (default), or SQL INSERTs'],
  filter: ['--filter TEXT', 'Only rows with TEXT in any column'],
  out: ['--out FILE', 'A new file, not standard output'],
  to: ['--to FILE', 'Write the snapshot to a new file instead'],
  target: ['--target NAME|URL', 'One target, by name or URL (default: every one)'],
  from: ['--from NAME|URL', 'Bring the snapshot back from this target first'],
  identity: ['--identity FILE', 'Age identity (default: $LIFEBOAT_AGE_IDENTITY)'],
  'all-hosts': ['--all-hosts', 'Of every machine and app, not this one'],
  stdio: ['--stdio', 'On standard input and output (required)'],
  web: ['--web', "Apply the web host's rules"],
  command: ['--command CMD', 'The Lifeboat command on the host (default: lifeboat)'],
  'keep-last': ['--keep-last N', 'Keep the N newest snapshots'],
  'keep-hourly': ['--keep-hourly N', 'Keep the newest of each of the N newest hours'],
  'keep-daily': ['--keep-daily N', '... of days'],
  'keep-weekly': ['--keep-weekly N', '... of ISO weeks'],
  'keep-monthly': ['--keep-monthly N', '... of months'],
  'keep-yearly': ['--keep-yearly N', '... of years'],
  demo: ['--demo', 'Open the demo app'],
  admin: ['--admin', 'The page may set commands, targets, alerts, any app'],
  allow: ['--allow DIR', 'Apps may be added in DIR (repeat for more)'],
  json: ['--json', 'One JSON document on standard output'],
};

/** The command line, parsed: the command, its arguments and every option. */
export interface Invocation {
  /** Undefined when none was named (`lifeboat`, `lifeboat --help`). */
  readonly command: string | undefined;
  readonly positionals: readonly string[];
  readonly json: boolean;
  readonly db: string | undefined;
  readonly backupsDir: string | undefined;
  readonly note: string | undefined;
  /** backup: a database that does not exist is a failure, not "nothing to back up". */
  readonly requireDb: boolean;
  readonly help: boolean;
  readonly port: string | undefined;
  readonly app: string | undefined;
  /** A lifeboat.json kept outside the app's folder (one the app's user cannot change). */
  readonly settings: string | undefined;
  readonly migrations: string | undefined;
  readonly tool: string | undefined;
  readonly check: boolean;
  readonly versionTable: string | undefined;
  readonly versionColumn: string | undefined;
  readonly dataDir: string | undefined;
  readonly demo: boolean;
  /** serve: its token holder may do what the desktop app does (commands, targets, alerts, any folder). */
  readonly admin: boolean;
  /** serve: the folders a token holder may add apps in. */
  readonly allow: readonly string[];
  readonly yes: boolean;
  readonly forceOpen: boolean;
  readonly resume: boolean;
  readonly rehearse: boolean;
  readonly undo: boolean;
  readonly rollback: boolean;
  readonly dryRun: boolean;
  /** diff: only this table; export: the table. */
  readonly table: string | undefined;
  readonly format: string | undefined;
  readonly filter: string | undefined;
  readonly out: string | undefined;
  /** restore --to: a new file to write the snapshot to. */
  readonly to: string | undefined;
  /** push, remote list: one target by name or URL (default: every configured one). */
  readonly target: string | undefined;
  /** restore --from: the target to bring the snapshot back from. */
  readonly from: string | undefined;
  /** An age identity file for encrypted offsite snapshots. */
  readonly identity: string | undefined;
  readonly allHosts: boolean;
  readonly stdio: boolean;
  readonly web: boolean;
  readonly hostCommand: string | undefined;
  readonly fromHub: boolean;
  /** prune: the --keep-* flags given, by rule. */
  readonly keep: Partial<Record<RetentionRuleName, string>>;
}

export function parseInvocation(argv: readonly string[]): Invocation {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `${(error as Error).message}. Run "lifeboat help" for usage.`,
    );
  }
  const [command, ...positionals] = parsed.positionals;
  return {
    command,
    positionals,
    json: parsed.values.json,
    db: parsed.values.db ?? (process.env['LIFEBOAT_DB'] === '' ? undefined : process.env['LIFEBOAT_DB']),
    backupsDir: parsed.values['backups-dir'],
    note: parsed.values.note,
    requireDb: parsed.values['require-db'],
    help: parsed.values.help,
    port: parsed.values.port,
    app: parsed.values.app,
    settings: parsed.values.settings,
    migrations: parsed.values.migrations,
    tool: parsed.values.tool,
    check: parsed.values.check,
    versionTable: parsed.values['version-table'],
    versionColumn: parsed.values['version-column'],
    dataDir: parsed.values['data-dir'],
    demo: parsed.values.demo,
    admin: parsed.values.admin,
    allow: parsed.values.allow.map((dir) => path.resolve(dir)),
    yes: parsed.values.yes,
    forceOpen: parsed.values['force-open'],
    resume: parsed.values.resume,
    rehearse: parsed.values.rehearse,
    undo: parsed.values.undo,
    rollback: parsed.values.rollback,
    dryRun: parsed.values['dry-run'],
    table: parsed.values.table,
    format: parsed.values.format,
    filter: parsed.values.filter,
    out: parsed.values.out,
    to: parsed.values.to,
    target: parsed.values.target,
    from: parsed.values.from,
    identity: parsed.values.identity ?? (process.env['LIFEBOAT_AGE_IDENTITY'] || undefined),
    allHosts: parsed.values['all-hosts'],
    stdio: parsed.values.stdio,
    web: parsed.values.web,
    hostCommand: parsed.values.command,
    fromHub: parsed.values['from-hub'],
    keep: Object.fromEntries(
      retentionRuleNames.flatMap((rule) => {
        const value: unknown = (parsed.values as Record<string, unknown>)[ruleFlag(rule).slice(2)];
        return typeof value === 'string' ? [[rule, value]] : [];
      }),
    ),
  };
}

/** The options of every command that works on one app's database. */
export const databaseOptions: readonly OptionName[] = ['db', 'app', 'settings', 'backups-dir'];
