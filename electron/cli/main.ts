// First import: enables SQLite URI filenames in this process before any worker opens a database.
import '../core/sqlite/open-database';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { LifeboatError, Result } from '../contract/errors';
import type { PruneResult } from '../contract/retention';
import { automationOf as appAutomationOf, offsiteAppName } from '../core/schedule/app-automation';
import { jobActions, scheduledJob } from '../core/schedule/job-actions';
import { keepApp } from '../core/schedule/keeper';
import { sideOf } from '../core/diff/diff-databases';
import { formatBytes } from '../contract/format';
import { freshnessOf } from '../core/schedule/freshness';
import { readKeeperState } from '../core/schedule/keeper-state';
import type { Freshness } from '../contract/schedule';
import type { SnapshotEntry } from '../contract/snapshots';
import { progressMarker, type JobProgress } from '../contract/jobs';
import { parseDatabaseArgument, resolveLocation, type DatabaseLocation } from '../core/database-location';
import { startJob, type JobHandle } from '../core/jobs/job-runner';
import {
  deleteVerb,
  diffVerb,
  listVerb,
  pinVerb,
  previewVerb,
  recoverVerb,
  rehearseVerb,
  restoreVerb,
  snapshotVerb,
  undoSnapshot,
  upgradeVerb,
  verifyVerb,
  type VerbTarget,
} from '../core/verbs/app-verbs';
import { LifeboatFailure, toLifeboatError, valueOrThrow } from '../core/lifeboat-failure';
import { listSnapshots } from '../core/snapshot/list-snapshots';
import { migrationTools, type MigrationTool } from '../contract/migrations';
import type { MigrationSetup } from '../core/migrations/migration-reader';
import { resolveSnapshotPath } from '../core/snapshot/resolve-snapshot';
import { exitCodes, exitCodeFor } from './shared/exit-codes';
import {
  describeHost,
  printBackup,
  printInfo,
  printList,
  printMigrate,
  printDiff,
  printKeeperPass,
  printPins,
  printPreview,
  printPrune,
  printPush,
  printRemoteList,
  printRestore,
  printStatus,
  printUpgrade,
  printVerify,
} from './shared/human-output';
import * as readline from 'node:readline/promises';
import { readJournal } from '../core/restore/restore-journal';
import { appCommandsOf, planFor, type AppSettings } from '../core/restore/restore-preflight';
import {
  appSettingsFileName,
  readAppSettingsFile,
  readSettingsBesideDatabase,
  type AppSettingsFile,
} from '../core/settings/app-settings-file';
import {
  retentionRuleNames,
  retentionRulesSchema,
  ruleFlag,
  type RetentionRuleName,
  type RetentionRules,
} from '../contract/retention';
import { ProgressBar } from './shared/progress-bar';
import { runOnHost } from './remote-host';
import { versionInfo } from '../core/hosts/ssh-command';
import { serveRpc } from '../core/service/rpc-server';
import type { HostStatus } from '../contract/hosts';
import type { OperationName } from '../contract/names';
import type { AppsOverview } from '../contract/apps';
import type { OffsiteTarget, RemoteList } from '../contract/offsite';
import { chooseTargets } from '../core/offsite/target-url';
import { thisHost } from '../core/offsite/remote-snapshots';
import { readIdentities } from '../core/offsite/stored-form';
import * as path from 'node:path';
import { dispatch } from '../core/service/dispatch';
import { startDesktop } from '../launcher/start-desktop';
import { LifeboatService } from '../core/service/lifeboat-service';
import { defaultUserDataDir } from '../core/settings/user-data-dir';
import { startWebHost } from '../web/web-host';

const usage = `Lifeboat: see, snapshot, verify and restore the SQLite database your app runs on.

Usage:
  lifeboat backup [REASON] (--db DB | --app DIR) [--backups-dir DIR] [--note TEXT] [--json]
  lifeboat list            (--db DB | --app DIR) [--backups-dir DIR] [--json]
  lifeboat verify [SNAPSHOT...] (--db DB | --app DIR) [--backups-dir DIR] [--json]
  lifeboat info            (--db DB | --app DIR) [--backups-dir DIR] [--json]
  lifeboat status          --db DB [--app DIR] [--migrations DIR] [--tool NAME] [--check] [--json]
  lifeboat migrate         --db DB --migrations DIR [--version-table T [--version-column C]] [--json]
  lifeboat restore SNAPSHOT (--db DB | --app DIR) [--yes] [--force-open] [--json]
  lifeboat restore SNAPSHOT --rehearse (--db DB | --app DIR) [--json]
  lifeboat restore --undo (--db DB | --app DIR) [--yes] [--json]
  lifeboat restore --resume | --rollback (--db DB | --app DIR) [--json]
  lifeboat upgrade (--app DIR | --db DB --migrations DIR [--tool NAME]) [--json]
  lifeboat pin SNAPSHOT... (--db DB | --app DIR) [--json]
  lifeboat unpin SNAPSHOT... (--db DB | --app DIR) [--json]
  lifeboat delete SNAPSHOT... (--db DB | --app DIR) [--yes] [--json]
  lifeboat prune (--db DB | --app DIR) [--keep-last N] [--keep-hourly N] [--keep-daily N]
                 [--keep-weekly N] [--keep-monthly N] [--keep-yearly N] [--dry-run] [--yes] [--json]
  lifeboat run-due (--app DIR | --db DB) [--json]
  lifeboat diff A B (--db DB | --app DIR) [--table T] [--json]
  lifeboat export SOURCE --table T (--db DB | --app DIR) [--format csv|sql] [--filter TEXT] [--out FILE]
  lifeboat restore SNAPSHOT --to FILE (--db DB | --app DIR) [--json]
  lifeboat push [SNAPSHOT...] (--db DB | --app DIR) [--target NAME|URL] [--json]
  lifeboat remote list (--db DB | --app DIR) [--target NAME|URL] [--all-hosts] [--json]
  lifeboat restore SNAPSHOT --from NAME|URL (--db DB | --app DIR) [--identity FILE] [--yes] [--json]
  lifeboat serve [--port N] [--data-dir DIR] [--allow DIR]... [--demo]
  lifeboat desktop [--data-dir DIR] [--allow DIR]... [--demo]
  lifeboat --host ALIAS [--remote-lifeboat CMD] <any command above>
  lifeboat hosts add ALIAS [--command CMD] | hosts list | hosts remove ID [--data-dir DIR] [--json]
  lifeboat rpc --stdio [--web] [--data-dir DIR]
  lifeboat version [--json]
  lifeboat help

DB is a path or an SQLAlchemy-style URL (sqlite:///relative.db, sqlite:////absolute.db).
It can also come from the LIFEBOAT_DB environment variable. Snapshots go to
<folder of DB>/backups unless --backups-dir says otherwise, named
<stem>-YYYYMMDD-HHMMSS-<reason>.db (local time; reason reduced to A-Z a-z 0-9 -).

Commands:
  backup   Take a consistent snapshot while the app keeps running. REASON becomes
           the label (default "manual"); --note adds a free-text note.
  list     Every file in the backups folder, newest first, with its status:
           verified, unverified, corrupt, not-a-database or incomplete.
  verify   Integrity check and SHA-256 of the named snapshots (all when none are
           named). A file without a recorded checksum gets one.
  info     The live database: size, page size, journal mode, tables with row
           counts, and the age of the newest snapshot.
  status   Which schema revision the live database is at, against the app's
           migrations (Alembic, Django, Rails, Knex, Prisma, Flyway, golang-migrate,
           sqlx, PRAGMA user_version, or --tool table). Found in --app DIR (default:
           the current folder, then the database's folder) unless --migrations and
           --tool say. With --check, exits 0 only when the database is at head.
  migrate  Applies numbered .sql files (001_name.sql, ...) in order, each in its
           own transaction, tracked by PRAGMA user_version (or --version-table).
  restore  Replaces the live database with a snapshot, guarded: the snapshot is
           verified, no process may hold the database open (--force-open to
           override), a pinned pre-restore snapshot is taken, the old file and its
           -wal/-shm/-journal are set aside, the copy is renamed into place and
           verified, else everything is rolled back. Stop the app first. A journal
           beside the database lets --resume finish, or --rollback undo, a restore
           that was interrupted. --rehearse runs preflight, swap, upgrade and
           verify on a scratch copy and reports, changing nothing. --undo puts
           back the last restore's pre-restore snapshot as it was (no upgrade).
  upgrade  A safe upgrade for deploys and container entrypoints: at head it does
           nothing; else a pinned pre-upgrade snapshot, the upgrade, a check that
           the database reached head; on failure the snapshot is restored and it
           exits 1 with the reason.
  pin      Keeps snapshots until they are unpinned: a pinned snapshot cannot be
           deleted (every pre-restore and pre-upgrade snapshot is pinned). A file
           without a record is verified first. unpin lifts the pin.
  delete   Deletes snapshots and their records; asks on a terminal unless --yes.
           If one of them is pinned, nothing is deleted [SNAPSHOT_PINNED].
  prune    Deletes the snapshots no retention rule keeps. The rules come from
           "retention" in lifeboat.json (in --app DIR, else beside the database
           if it is yours), or from --keep-* flags, which then replace them all.
           Each rule keeps the newest snapshot of each of the N newest hours,
           days, ISO weeks, months or years that have one (keep-last: the N
           newest). Never deleted: pinned snapshots, the newest, the newest
           verified, damaged or foreign files, anything during a restore.
           Shows every snapshot with keep/delete and why, then asks (on a
           terminal) unless --yes; --dry-run deletes nothing.
  run-due  For cron or a systemd timer: takes the app's scheduled snapshot if
           it is due ("schedule" in lifeboat.json: {"every": "6h"}, {"daily":
           "03:30"} or {"cron": "0 */4 * * *"}), then applies its retention,
           and sends alerts ("notify") when a run fails, the app turns stale or
           it recovers. A run missed while the machine was off runs once. Prints
           the app's freshness (fresh, stale, never, failing); exits 1 if the
           scheduled snapshot failed. lifeboat serve and the desktop app do the
           same every minute while they run.
  diff     What changed from A to B (snapshot names, or "live" for the live
           database, opened read-only): per table the rows added, changed and
           deleted, matched by primary key (rowid without one), a sample of
           each, and the schema's differences. Streams: any size, little memory.
  export   Writes a table of a snapshot (or of "live", read only) as CSV with a
           header, or as SQL INSERT statements (--format sql), to standard
           output or to a new file (--out; never over an existing one).
           --filter keeps the rows whose text, in any column, contains TEXT.
           "restore SNAPSHOT --to FILE" writes the snapshot to a new file for
           inspection instead, checked; the live database is not touched.
  push     Sends verified snapshots offsite (all not yet there, or the ones
           named) to each target in "offsite" of lifeboat.json, or to --target
           (a name there, or a URL: s3://bucket/prefix?endpoint=…&region=…
           &forcePathStyle=true, sftp://user@host:port/path, file:///dir). Each
           object is checked (size and checksum) before its manifest is written;
           then the target's own retention runs. S3 credentials come from the
           AWS environment variables or profile; SFTP uses your SSH keys or agent
           and ~/.ssh/known_hosts. Exits 1 if any target or snapshot failed.
  remote   "remote list": the snapshots a target holds for this app on this
           machine (--all-hosts: every machine and app), with their manifests.
           "restore SNAPSHOT --from TARGET" brings one back (checked against its
           manifest, verified) into the backups folder, then restores it as
           above; it works with no backups folder and no live database yet.
           Encrypted ones need --identity FILE (or LIFEBOAT_AGE_IDENTITY).
  --host   Runs the command on another machine, by the Lifeboat installed there,
           over your own OpenSSH (~/.ssh/config aliases, keys, agent, ProxyJump;
           a host key not in known_hosts is refused). Output, JSON and exit
           code are the host's; Ctrl-C cancels its job there. --remote-lifeboat
           names the command on the host (default: lifeboat).
  hosts    The other machines whose apps the desktop app and lifeboat serve show
           (reached with ssh ALIAS; CMD: the Lifeboat command there, default
           lifeboat). list tries each and says its state and apps.
  rpc      What a hub runs on this machine over SSH: JSON lines on standard
           input and output, answered by this machine's Lifeboat. --web applies
           the web host's rules. A job it started goes on to its end if the
           connection drops.
  version  Lifeboat's version and protocol (what --host checks first).
  serve    The desktop app's interface in a browser, for servers without a
           desktop: listens on 127.0.0.1 only and prints a URL with a secret
           token (reach it through an SSH tunnel). --demo opens the demo app;
           --data-dir keeps its settings elsewhere (default: the desktop app's).
           Through it, apps can be added only in the folders given with
           --allow (and no commands set): the token grants the apps, not the
           server's files.
  desktop  The desktop app: Electron's window where Electron is installed,
           else an app window of an installed Chromium, Chrome, Edge or Brave
           (CHROMIUM_PATH chooses; LIFEBOAT_BROWSER_ARGS adds arguments) on the
           same core as serve, with the desktop app's settings. Apps can be
           added in your home folder, or in the folders given with --allow.
           Closing the window stops it; a second start shows the running one.

Exit codes: 0 success (also "nothing to back up"), 1 the operation failed,
2 wrong arguments, 3 a snapshot failed verification, 4 status --check: not at
head, 130 cancelled (Ctrl-C).
With --json, stdout is one JSON document; errors are {"error":{"code","message"}}.
`;

const options = {
  db: { type: 'string' },
  'backups-dir': { type: 'string' },
  note: { type: 'string' },
  port: { type: 'string' },
  app: { type: 'string' },
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
  /** rpc: speak on standard input and output (the only way it speaks). */
  stdio: { type: 'boolean', default: false },
  /** rpc: the hub is a web host; apply its rules to what is asked. */
  web: { type: 'boolean', default: false },
  /** hosts add: the Lifeboat command on the host. */
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
  allow: { type: 'string', multiple: true, default: [] },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies ParseArgsConfig['options'];

interface Invocation {
  readonly command: string;
  readonly positionals: readonly string[];
  readonly json: boolean;
  readonly db: string | undefined;
  readonly backupsDir: string | undefined;
  readonly note: string | undefined;
  readonly help: boolean;
  readonly port: string | undefined;
  readonly app: string | undefined;
  readonly migrations: string | undefined;
  readonly tool: string | undefined;
  readonly check: boolean;
  readonly versionTable: string | undefined;
  readonly versionColumn: string | undefined;
  readonly dataDir: string | undefined;
  readonly demo: boolean;
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

function parseInvocation(argv: readonly string[]): Invocation {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `${(error as Error).message}. Run "lifeboat help" for usage.`,
    );
  }
  const [command = 'help', ...positionals] = parsed.positionals;
  return {
    command,
    positionals,
    json: parsed.values.json,
    db: parsed.values.db ?? (process.env['LIFEBOAT_DB'] === '' ? undefined : process.env['LIFEBOAT_DB']),
    backupsDir: parsed.values['backups-dir'],
    note: parsed.values.note,
    help: parsed.values.help,
    port: parsed.values.port,
    app: parsed.values.app,
    migrations: parsed.values.migrations,
    tool: parsed.values.tool,
    check: parsed.values.check,
    versionTable: parsed.values['version-table'],
    versionColumn: parsed.values['version-column'],
    dataDir: parsed.values['data-dir'],
    demo: parsed.values.demo,
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

/** Where to look for the app's migrations: --migrations/--tool, else --app, the current folder, the database's folder. */
function setupOf(invocation: Invocation, location: DatabaseLocation): MigrationSetup {
  const tool = invocation.tool;
  if (tool !== undefined && !(migrationTools as readonly string[]).includes(tool)) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `--tool must be one of ${migrationTools.join(', ')}; "${tool}" is not.`,
    );
  }
  const cwd = process.cwd();
  const appDirs =
    invocation.app !== undefined
      ? [path.resolve(cwd, invocation.app)]
      : [...new Set([cwd, path.dirname(location.databasePath)])];
  return {
    appDirs,
    migrationsDir: invocation.migrations === undefined ? undefined : path.resolve(cwd, invocation.migrations),
    tool: tool as MigrationTool | undefined,
    versionTable: invocation.versionTable,
    versionColumn: invocation.versionColumn,
    databasePath: location.databasePath,
  };
}

/** Says so when a restore of the database was interrupted; a journal that cannot be trusted is reported and blocks nothing here. */
function warnOfInterruptedRestore(location: DatabaseLocation): void {
  try {
    const interrupted = readJournal(location);
    if (interrupted !== null) {
      process.stderr.write(
        `lifeboat: a restore of ${location.databasePath} was interrupted (at step ${interrupted.step}). Finish it with "lifeboat restore --resume --db ${location.databasePath}" or undo it with "--rollback".\n`,
      );
    }
  } catch (error) {
    process.stderr.write(`lifeboat: ${toLifeboatError(error).message}\n`);
  }
}

function locationOf(invocation: Invocation): DatabaseLocation {
  if (invocation.db === undefined) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      'No database given. Pass --db PATH (or an sqlite:/// URL) or set LIFEBOAT_DB.',
    );
  }
  const location = resolveLocation(invocation.db, invocation.backupsDir, process.cwd());
  if (invocation.command !== 'restore') {
    warnOfInterruptedRestore(location);
  }
  return location;
}

/** The database of --db, or of --app DIR's lifeboat.json. */
function databaseOf(invocation: Invocation): DatabaseLocation {
  return invocation.app === undefined ? locationOf(invocation) : appOf(invocation).location;
}

/** The database and the app around it: --app DIR (with its lifeboat.json) or --db. */
function appOf(invocation: Invocation): {
  location: DatabaseLocation;
  app: AppSettings;
  file: AppSettingsFile | null;
} {
  const appDir = invocation.app === undefined ? undefined : path.resolve(invocation.app);
  const file = appDir === undefined ? null : readAppSettingsFile(appDir);
  const database = invocation.db ?? (file?.database === undefined ? undefined : file.database);
  if (database === undefined) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `No database given: pass --db, set LIFEBOAT_DB, or name it in ${appSettingsFileName} ("database").`,
    );
  }
  const location = locationOf({
    ...invocation,
    db:
      appDir !== undefined && invocation.db === undefined
        ? parseDatabaseArgument(database, appDir)
        : database,
    backupsDir: invocation.backupsDir ?? file?.backupsDir,
  });
  const migrations =
    file?.migrations === undefined
      ? setupOf(invocation, location)
      : { migrationsDir: file.migrations.dir, tool: file.migrations.tool };
  return {
    location,
    app: { dir: appDir ?? path.dirname(location.databasePath), run: file?.run ?? null, migrations },
    file,
  };
}

/** What the verbs work on: the database, its app's settings when a verb needs them, names resolved from here. */
function targetOf(invocation: Invocation, location: DatabaseLocation, app?: AppSettings): VerbTarget {
  return { location, settings: () => app ?? appOf(invocation).app, namesFrom: process.cwd() };
}

/** Asks on a terminal; elsewhere (scripts) only --yes may confirm. `what`: why it asks, for scripts. */
async function confirm(question: string, yes: boolean, what: string): Promise<boolean> {
  if (yes) {
    return true;
  }
  if (process.stdin.isTTY !== true) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `${what}: confirm with --yes when not running on a terminal.`,
    );
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** Runs a job with a progress bar on a terminal; Ctrl-C cancels it cleanly. */
async function runWithProgress<T>(
  start: (onProgress: (p: JobProgress) => void) => JobHandle<T>,
  json: boolean,
): Promise<T> {
  const bar = new ProgressBar(!json);
  // Run for a hub (`--host` there): the hub draws the progress, and its Ctrl-C arrives as the end of input.
  const show = (progress: JobProgress): void =>
    fromHub
      ? void process.stderr.write(`${progressMarker}${JSON.stringify(progress)}\n`)
      : bar.update(progress);
  const handle = start(show);
  const onSigint = (): void => handle.cancel();
  process.on('SIGINT', onSigint);
  cancelRunning = onSigint;
  let result: Result<T>;
  try {
    result = await handle.result;
  } finally {
    process.off('SIGINT', onSigint);
    cancelRunning = null;
    bar.clear();
  }
  return valueOrThrow(result);
}

function emit(json: boolean, value: unknown, human: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
}

async function run(invocation: Invocation): Promise<number> {
  const { json } = invocation;
  switch (invocation.command) {
    case 'help':
      process.stdout.write(usage);
      return exitCodes.ok;
    case 'version': {
      const info = versionInfo();
      emit(json, info, () => `Lifeboat ${info.version} (protocol ${info.protocol}, Node ${info.node})`);
      return exitCodes.ok;
    }
    case 'backup': {
      if (invocation.positionals.length > 1) {
        throw new LifeboatFailure('INVALID_ARGUMENT', 'backup takes one REASON; quote it if it has spaces.');
      }
      const location = databaseOf(invocation);
      const outcome = await runWithProgress(
        (onProgress) =>
          startJob(
            snapshotVerb(targetOf(invocation, location), {
              label: invocation.positionals[0],
              note: invocation.note,
            }),
            onProgress,
            'cli',
          ),
        json,
      );
      emit(json, outcome, () => printBackup(outcome));
      return exitCodes.ok;
    }
    case 'list': {
      const location = databaseOf(invocation);
      const listed = await runWithProgress(
        (onProgress) =>
          startJob(
            listVerb(targetOf(invocation, location), setupOf(invocation, location)),
            onProgress,
            'cli',
          ),
        json,
      );
      const list = { ...listed, freshness: freshnessFor(invocation, location, listed.snapshots) };
      emit(json, list, () => printList(list));
      return exitCodes.ok;
    }
    case 'status': {
      const location = locationOf(invocation);
      const { report } = await runWithProgress(
        (onProgress) =>
          startJob(
            {
              kind: 'migrations',
              input: { databasePath: location.databasePath, setup: setupOf(invocation, location) },
            },
            onProgress,
            'cli',
          ),
        json,
      );
      if (report === null) {
        throw new LifeboatFailure(
          'INVALID_ARGUMENT',
          'No migrations found, and the database records none Lifeboat knows: run it in the app folder, or pass --app DIR, or --migrations DIR with --tool NAME.',
        );
      }
      emit(json, report, () => printStatus(report));
      if (invocation.check && report.status.reference === 'live') {
        process.stderr.write(
          "lifeboat: --check compares with the app's migrations, and none were found: pass --app DIR or --migrations DIR.\n",
        );
        return exitCodes.notAtHead;
      }
      // A migration file Lifeboat could not read may be one the database lacks: never "at head" then.
      return invocation.check && (report.status.status !== 'at-head' || report.graph.problems.length > 0)
        ? exitCodes.notAtHead
        : exitCodes.ok;
    }
    case 'migrate': {
      const location = locationOf(invocation);
      if (invocation.migrations === undefined) {
        throw new LifeboatFailure(
          'INVALID_ARGUMENT',
          'migrate needs --migrations DIR: the folder of numbered .sql files.',
        );
      }
      const input = {
        databasePath: location.databasePath,
        migrationsDir: path.resolve(invocation.migrations),
        versionTable: invocation.versionTable,
        versionColumn: invocation.versionColumn,
      };
      const result = await runWithProgress(
        (onProgress) => startJob({ kind: 'migrate', input }, onProgress, 'cli'),
        json,
      );
      emit(json, result, () => printMigrate(result));
      if (result.failed !== null) {
        process.stderr.write(`lifeboat: ${result.failed.error.message} [${result.failed.error.code}]\n`);
        return exitCodes.failed;
      }
      return exitCodes.ok;
    }
    case 'verify': {
      const request = verifyVerb(targetOf(invocation, databaseOf(invocation)), invocation.positionals);
      const result = await runWithProgress((onProgress) => startJob(request, onProgress, 'cli'), json);
      emit(json, result, () => printVerify(result));
      return result.ok ? exitCodes.ok : exitCodes.verificationFailed;
    }
    case 'info': {
      const location = databaseOf(invocation);
      const described = await runWithProgress(
        (onProgress) => startJob({ kind: 'info', input: location }, onProgress, 'cli'),
        json,
      );
      const info = {
        ...described,
        freshness: freshnessFor(invocation, location, listSnapshots(location).snapshots),
      };
      emit(json, info, () => printInfo(info));
      return exitCodes.ok;
    }
    case 'restore': {
      const { location, app } = appOf(invocation);
      if (invocation.to !== undefined) {
        return restoreAsCopy(invocation, location);
      }
      const target = targetOf(invocation, location, app);
      if (invocation.resume || invocation.rollback) {
        const mode = invocation.resume ? 'resume' : 'rollback';
        const request = recoverVerb(target, mode, invocation.forceOpen);
        const result = await runWithProgress((onProgress) => startJob(request, onProgress, 'cli'), json);
        emit(json, result, () => printRestore(result));
        return result.error === null ? exitCodes.ok : exitCodes.failed;
      }
      const undoing = invocation.undo ? undoSnapshot(target) : null;
      const name = undoing ?? invocation.positionals[0];
      if (name === undefined || invocation.positionals.length > (undoing === null ? 1 : 0)) {
        throw new LifeboatFailure(
          'INVALID_ARGUMENT',
          'restore takes one SNAPSHOT (a name from "lifeboat list"), or --undo, --resume or --rollback.',
        );
      }
      // A snapshot brought back from an offsite target is named by its path on this machine.
      const snapshot = invocation.from === undefined ? name : await bringBack(invocation, name);
      if (invocation.rehearse) {
        const request = rehearseVerb(target, snapshot);
        const result = await runWithProgress((onProgress) => startJob(request, onProgress, 'cli'), json);
        emit(json, result, () => printRestore(result));
        return result.error === null ? exitCodes.ok : exitCodes.failed;
      }
      const request = restoreVerb(target, snapshot, {
        allowOpen: invocation.forceOpen,
        undo: undoing !== null,
      });
      // The same list the preview shows: presets and the default upgrade included, exactly as they will run.
      const plan = planFor({ app, location, undo: undoing !== null });
      const commands = appCommandsOf(plan);
      if (commands.length > 0 && !json) {
        process.stderr.write(
          `These commands of the app will run, exactly as shown:\n${commands.map((c) => `  ${c.which}: ${c.text}`).join('\n')}\n`,
        );
      }
      if (!invocation.yes) {
        // On a terminal, what the restore will throw away comes before the question.
        const asked = previewVerb(target, snapshot, undoing !== null);
        const preview = await runWithProgress((onProgress) => startJob(asked, onProgress), json);
        const blocker = preview.blockers.find((b) => !(b.code === 'DB_IN_USE' && invocation.forceOpen));
        if (blocker !== undefined) {
          throw new LifeboatFailure(blocker.code, `${blocker.message} Nothing was changed.`, blocker.path);
        }
        process.stderr.write(`${printPreview(preview)}\n`);
      }
      const file = path.basename(request.input.snapshotPath);
      const what =
        undoing === null
          ? `Replace ${location.databasePath} with ${file}?`
          : `Undo the last restore: put ${file} back over ${location.databasePath}, as it was?`;
      const question = `${what} A pinned pre-restore snapshot is taken first.${plan.stop === null ? ' Stop the app before you go on.' : ''}`;
      if (!(await confirm(question, invocation.yes, 'restore replaces the live database'))) {
        process.stderr.write('Nothing was changed.\n');
        return exitCodes.failed;
      }
      const result = await runWithProgress((onProgress) => startJob(request, onProgress, 'cli'), json);
      emit(json, result, () => printRestore(result));
      if (result.error !== null) {
        process.stderr.write(
          `lifeboat: the restore was rolled back: ${result.error.message} [${result.error.code}]\n`,
        );
        return exitCodes.failed;
      }
      return exitCodes.ok;
    }
    case 'upgrade': {
      const { location, app } = appOf(invocation);
      const request = upgradeVerb(targetOf(invocation, location, app));
      const result = await runWithProgress((onProgress) => startJob(request, onProgress, 'cli'), json);
      emit(json, result, () => printUpgrade(result));
      if (result.error !== null) {
        const undone =
          result.rollback?.outcome === 'restored'
            ? 'failed and was undone'
            : 'failed and could not be undone';
        process.stderr.write(
          `lifeboat: the upgrade ${undone}: ${result.error.message} [${result.error.code}]\n`,
        );
        return exitCodeFor(result.error.code);
      }
      return exitCodes.ok;
    }
    case 'pin':
    case 'unpin': {
      const { location } = appOf(invocation);
      const request = pinVerb(
        targetOf(invocation, location),
        invocation.positionals,
        invocation.command === 'pin',
      );
      const result = await runWithProgress((onProgress) => startJob(request, onProgress, 'cli'), json);
      emit(json, result, () => printPins(result));
      return exitCodes.ok;
    }
    case 'delete': {
      const { location } = appOf(invocation);
      const request = deleteVerb(targetOf(invocation, location), invocation.positionals);
      const names = request.input.paths.map((p) => path.basename(p));
      if (
        !(await confirm(
          `Delete ${names.join(', ')} for good?`,
          invocation.yes,
          'delete removes snapshot files',
        ))
      ) {
        process.stderr.write('Nothing was deleted.\n');
        return exitCodes.failed;
      }
      const result = await runWithProgress((onProgress) => startJob(request, onProgress, 'cli'), json);
      emit(json, result, () => result.deleted.map((file) => `Deleted ${file}`).join('\n'));
      return exitCodes.ok;
    }
    case 'prune':
      return prune(invocation);
    case 'run-due':
      return runDue(invocation);
    case 'export':
      return exportTable(invocation);
    case 'diff': {
      const { location } = appOf(invocation);
      const [a, b] = invocation.positionals;
      if (a === undefined || b === undefined || invocation.positionals.length > 2) {
        throw new LifeboatFailure(
          'INVALID_ARGUMENT',
          'diff takes two snapshots: names from "lifeboat list", or "live" for the live database.',
        );
      }
      const request = diffVerb(targetOf(invocation, location), a, b, invocation.table);
      const result = await runWithProgress((onProgress) => startJob(request, onProgress, 'cli'), json);
      emit(json, result, () => printDiff(result));
      return exitCodes.ok;
    }
    case 'push':
      return push(invocation);
    case 'remote':
      return remoteList(invocation);
    case 'serve':
      return serve(invocation);
    case 'desktop':
      return desktop(invocation);
    case 'hosts':
      return hosts(invocation);
    case 'rpc':
      return rpc(invocation);
    default:
      throw new LifeboatFailure(
        'INVALID_ARGUMENT',
        `Unknown command "${invocation.command}". Run "lifeboat help" for usage.`,
      );
  }
}

/** The app's lifeboat.json for what runs without a person: --app DIR's, else the one beside the database if it is the user's own. */
function automationOf(invocation: Invocation): { location: DatabaseLocation; file: AppSettingsFile | null } {
  const { location, file } = appOf(invocation);
  return {
    location,
    file: invocation.app === undefined ? readSettingsBesideDatabase(location.databasePath) : file,
  };
}

/**
 * How fresh the app's protection is, for `list` and `info`. Only shown, so a lifeboat.json of another
 * user is read too (it steers nothing here); a damaged one counts as none.
 */
function freshnessFor(
  invocation: Invocation,
  location: DatabaseLocation,
  snapshots: readonly SnapshotEntry[],
): Freshness {
  let file: AppSettingsFile | null = null;
  try {
    file = readAppSettingsFile(
      invocation.app === undefined ? path.dirname(location.databasePath) : path.resolve(invocation.app),
    );
  } catch {
    // A damaged lifeboat.json: freshness without its schedule; prune and run-due say what is wrong.
  }
  const { automation } = appAutomationOf({ databasePath: location.databasePath }, file, [], true);
  return freshnessOf({
    snapshots,
    automation,
    state: readKeeperState(location.backupsDir),
    nowMs: Date.now(),
  });
}

/** The retention rules: the --keep-* flags when any is given (they replace the file's), else lifeboat.json's. */
function rulesOf(invocation: Invocation, file: AppSettingsFile | null): RetentionRules {
  const flags = Object.entries(invocation.keep);
  if (flags.length === 0) {
    return file?.retention ?? {};
  }
  const parsed = retentionRulesSchema.safeParse(
    Object.fromEntries(
      flags.map(([rule, value]) => [rule, /^\d+$/.test(value) ? Number(value) : Number.NaN]),
    ),
  );
  if (!parsed.success) {
    const [rule] = flags.find(([, value]) => !/^[1-9]\d{0,5}$/.test(value)) ?? flags[0] ?? [];
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `${ruleFlag((rule ?? 'keepLast') as RetentionRuleName)} takes a whole number from 1 to 100000.`,
    );
  }
  return parsed.data;
}

/** `lifeboat prune`: shows the plan, asks, then deletes exactly the snapshots it showed (and that the rules still drop). */
async function prune(invocation: Invocation): Promise<number> {
  const { json } = invocation;
  const { location, file } = automationOf(invocation);
  const rules = rulesOf(invocation, file);
  const run = (dryRun: boolean, confirmed?: readonly string[]): Promise<PruneResult> =>
    runWithProgress(
      (onProgress) =>
        startJob(
          {
            kind: 'prune',
            input: { location, rules, dryRun, ...(confirmed === undefined ? {} : { confirmed }) },
          },
          onProgress,
          'cli',
        ),
      json,
    );
  const plan = await run(true);
  const doomed = plan.snapshots.filter((d) => d.decision === 'delete').map((d) => d.file);
  if (invocation.dryRun || doomed.length === 0) {
    emit(json, plan, () => printPrune(plan));
    return exitCodes.ok;
  }
  if (!invocation.yes && !json) {
    process.stderr.write(`${printPrune(plan)}\n`);
  }
  if (
    !(await confirm(
      `Delete ${doomed.length} snapshot(s) from ${location.backupsDir} for good?`,
      invocation.yes,
      'prune deletes snapshot files',
    ))
  ) {
    process.stderr.write('Nothing was deleted.\n');
    return exitCodes.failed;
  }
  const result = await run(false, doomed);
  emit(json, result, () => printPrune(result));
  return exitCodes.ok;
}

/** `restore SNAPSHOT --to FILE`: the snapshot as a new file, checked; nothing live changes. */
async function restoreAsCopy(invocation: Invocation, location: DatabaseLocation): Promise<number> {
  const [name, ...rest] = invocation.positionals;
  if (name === undefined || rest.length > 0 || invocation.to === undefined) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      'restore SNAPSHOT --to FILE takes one snapshot (a name from "lifeboat list") and a new file.',
    );
  }
  const snapshotPath = resolveSnapshotPath(location.backupsDir, name, process.cwd());
  const target = path.resolve(invocation.to);
  const written = await runWithProgress(
    (onProgress) => startJob({ kind: 'copy', input: { snapshotPath, target } }, onProgress, 'cli'),
    invocation.json,
  );
  emit(
    invocation.json,
    written,
    () =>
      `Wrote ${written.path} (${formatBytes(written.bytes)}), a checked copy of ${name}. The live database was not touched.`,
  );
  return exitCodes.ok;
}

/** `lifeboat export`: a table of a snapshot or of the live database, as CSV or SQL, to stdout or a new file. */
async function exportTable(invocation: Invocation): Promise<number> {
  const { location } = appOf(invocation);
  const [source, ...rest] = invocation.positionals;
  if (source === undefined || rest.length > 0 || invocation.table === undefined) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      'export takes one SOURCE (a snapshot name from "lifeboat list", or "live") and --table T.',
    );
  }
  const format = invocation.format ?? 'csv';
  if (format !== 'csv' && format !== 'sql') {
    throw new LifeboatFailure('INVALID_ARGUMENT', `--format is csv or sql, not "${format}".`);
  }
  const side = sideOf(location, source, process.cwd());
  const target = invocation.out === undefined ? null : path.resolve(invocation.out);
  const input = {
    side,
    table: invocation.table,
    filter: invocation.filter ?? '',
    orderBy: null,
    descending: false,
    format,
    target,
  } as const;
  // Rows on standard output: no progress bar in between them.
  const written = await runWithProgress(
    (onProgress) => startJob({ kind: 'export', input }, onProgress, 'cli'),
    target === null || invocation.json,
  );
  if (target !== null) {
    emit(
      invocation.json,
      written,
      () =>
        `Wrote ${String(written.rows)} rows of ${invocation.table ?? ''} to ${written.path} (${formatBytes(written.bytes)}).`,
    );
  }
  return exitCodes.ok;
}

/** `lifeboat run-due`: one pass of the keeper over the app, for a cron line or a systemd timer. */
async function runDue(invocation: Invocation): Promise<number> {
  const { location, file } = automationOf(invocation);
  if (file?.schedule === undefined) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `No schedule for ${location.databasePath}: set "schedule" in ${appSettingsFileName} (for example {"every": "6h"}) in the app's folder.`,
    );
  }
  const { automation } = appAutomationOf({ databasePath: location.databasePath }, file, [], true);
  const app = {
    id: location.databasePath,
    name: path.basename(path.dirname(location.databasePath)) || location.databasePath,
    location,
    automation,
  };
  const pass = await keepApp(app, jobActions(scheduledJob));
  emit(invocation.json, pass, () => printKeeperPass(pass));
  return pass.error === null ? exitCodes.ok : exitCodes.failed;
}

/** The app's offsite setup: its lifeboat.json targets, this machine's and the app's names in keys. */
function offsiteOf(invocation: Invocation): {
  location: DatabaseLocation;
  targets: readonly OffsiteTarget[];
  host: string;
  app: string;
} {
  const { location, file } = automationOf(invocation);
  return {
    location,
    targets: file?.offsite ?? [],
    host: thisHost(),
    app: offsiteAppName(file, location.databasePath),
  };
}

/** `lifeboat push`: verified snapshots to every target (or --target), then each target's retention. */
async function push(invocation: Invocation): Promise<number> {
  const { location, targets, host, app } = offsiteOf(invocation);
  const files = invocation.positionals.map((name) =>
    path.basename(resolveSnapshotPath(location.backupsDir, name, process.cwd())),
  );
  const result = await runWithProgress(
    (onProgress) =>
      startJob(
        {
          kind: 'push',
          input: { location, host, app, targets: chooseTargets(targets, invocation.target), files },
        },
        onProgress,
        'cli',
      ),
    invocation.json,
  );
  emit(invocation.json, result, () => printPush(result));
  return result.ok ? exitCodes.ok : exitCodes.failed;
}

/** `lifeboat remote list`: what each target holds for this app (or for every host with --all-hosts). */
async function remoteList(invocation: Invocation): Promise<number> {
  const [verb, ...rest] = invocation.positionals;
  if (verb !== 'list' || rest.length > 0) {
    throw new LifeboatFailure('INVALID_ARGUMENT', 'remote takes one verb: "lifeboat remote list".');
  }
  const standalone = invocation.allHosts && invocation.target?.includes('://') === true;
  const setup = standalone ? { targets: [], host: null, app: null } : offsiteOf(invocation);
  const scope = invocation.allHosts ? { host: null, app: null } : { host: setup.host, app: setup.app };
  const lists: RemoteList[] = [];
  for (const target of chooseTargets(setup.targets, invocation.target)) {
    lists.push(
      await runWithProgress(
        (onProgress) => startJob({ kind: 'remote-list', input: { target, scope } }, onProgress),
        invocation.json,
      ),
    );
  }
  emit(invocation.json, { targets: lists }, () => lists.map(printRemoteList).join('\n\n'));
  return exitCodes.ok;
}

/** `restore SNAPSHOT --from TARGET`: the snapshot brought back into the backups folder, checked; its path. */
async function bringBack(invocation: Invocation, id: string): Promise<string> {
  const { location, targets, host, app } = offsiteOf(invocation);
  const [target] = chooseTargets(targets, invocation.from);
  if (target === undefined) {
    throw new LifeboatFailure('INVALID_ARGUMENT', '--from names no target.');
  }
  const identities =
    invocation.identity === undefined ? [] : readIdentities(path.resolve(invocation.identity));
  const pulled = await runWithProgress(
    (onProgress) =>
      startJob(
        { kind: 'pull', input: { location, target, id, scope: { host, app }, identities } },
        onProgress,
        'cli',
      ),
    invocation.json,
  );
  if (!invocation.json) {
    process.stderr.write(
      pulled.alreadyHere
        ? `${pulled.id} is already here as ${pulled.file}.\n`
        : `Brought ${pulled.id} back from ${pulled.target} as ${pulled.file} (${formatBytes(pulled.downloaded)}), checked and verified.\n`,
    );
  }
  return pulled.path;
}

function dataDirOf(invocation: Invocation): string {
  return invocation.dataDir === undefined ? defaultUserDataDir() : path.resolve(invocation.dataDir);
}

/** `lifeboat rpc --stdio`: this machine's side of a hub that reached it over SSH (see rpc-server.ts). */
async function rpc(invocation: Invocation): Promise<number> {
  if (!invocation.stdio) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      'rpc speaks only on standard input and output: run "lifeboat rpc --stdio".',
    );
  }
  const service = new LifeboatService({
    dataDir: dataDirOf(invocation),
    origin: invocation.web ? 'web' : 'desktop',
  });
  service.followBackupsFolders();
  // The hub gone mid-write (the connection dropped) must not bring down what runs here.
  process.stdout.on('error', () => undefined);
  await serveRpc(service, process.stdin, (line) => process.stdout.write(line));
  await service.shutdown();
  return exitCodes.ok;
}

/** `lifeboat hosts add|list|remove`: the other machines this Lifeboat (the desktop app, serve) shows. */
async function hosts(invocation: Invocation): Promise<number> {
  const [verb, argument] = invocation.positionals;
  const service = new LifeboatService({ dataDir: dataDirOf(invocation), origin: 'cli', hub: true });
  const call = async <T>(name: OperationName, input: unknown): Promise<T> =>
    valueOrThrow(await dispatch(service, name, input)) as T;
  try {
    if (verb === 'add' && argument !== undefined) {
      const status = await call<HostStatus>('hosts:add', {
        address: argument,
        command: invocation.hostCommand,
      });
      emit(
        invocation.json,
        status,
        () => `Added ${status.address} as "${status.id}". ${describeHost(status)}`,
      );
      return exitCodes.ok;
    }
    if (verb === 'remove' && argument !== undefined) {
      const removed = await call<{ removed: string }>('hosts:remove', { hostId: argument });
      emit(
        invocation.json,
        removed,
        () => `Removed the host "${removed.removed}" (nothing on it was changed).`,
      );
      return exitCodes.ok;
    }
    if (verb === 'list') {
      await service.reachHosts();
      const overview = await call<AppsOverview>('apps:list', {});
      emit(invocation.json, overview.hosts, () =>
        overview.hosts.length === 0
          ? 'No hosts yet: add one with "lifeboat hosts add ALIAS".'
          : overview.hosts
              .map((host) => {
                const apps = overview.apps.filter((app) => app.host === host.id).map((app) => app.name);
                return `${host.id}  ${host.address}  ${describeHost(host)}${apps.length > 0 ? `\n    apps: ${apps.join(', ')}` : ''}`;
              })
              .join('\n'),
      );
      return overview.hosts.every((host) => host.state === 'online') ? exitCodes.ok : exitCodes.failed;
    }
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      'Use "lifeboat hosts add ALIAS [--command CMD]", "hosts list" or "hosts remove ID".',
    );
  } finally {
    await service.shutdown();
  }
}

/** `lifeboat serve`: runs the headless host until Ctrl-C or SIGTERM. */
async function serve(invocation: Invocation): Promise<number> {
  const port = invocation.port === undefined ? 0 : Number(invocation.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `--port must be a number from 0 to 65535 (0 picks a free port), not "${invocation.port ?? ''}".`,
    );
  }
  const dataDir = dataDirOf(invocation);
  const service = new LifeboatService({ dataDir, origin: 'web', allow: invocation.allow, hub: true });
  service.followBackupsFolders();
  // The keeper of every app's schedule, for as long as it serves.
  service.startKeeper((line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`));
  if (invocation.demo) {
    process.stdout.write('Preparing the demo app...\n');
    valueOrThrow(await dispatch(service, 'demo:open', {}));
  }
  const host = await startWebHost(service, {
    port,
    rendererDir: path.join(__dirname, '..', '..', 'renderer'),
  });
  process.stdout.write(
    `Lifeboat is serving on ${host.url}\n` +
      `Settings and demo: ${dataDir}\n` +
      (invocation.allow.length === 0
        ? 'Apps can be added through it only with --allow DIR (none given).\n'
        : `Apps can be added through it in: ${invocation.allow.join(', ')}\n`) +
      `It answers on this machine only. From another computer: ssh -L ${host.port}:127.0.0.1:${host.port} <this server>, then open the URL there.\n` +
      'Press Ctrl-C to stop.\n',
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stdout.write('Stopping: cancelling running jobs...\n');
  await service.shutdown();
  await host.close();
  return exitCodes.ok;
}

/** `lifeboat desktop`: Electron's window when it is installed beside this Lifeboat, else an app window of a browser. */
async function desktop(invocation: Invocation): Promise<number> {
  const code = await startDesktop({
    dataDir: dataDirOf(invocation),
    allow: invocation.allow,
    demo: invocation.demo,
  });
  return code === 0 ? exitCodes.ok : exitCodes.failed;
}

function report(error: LifeboatError, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ error }, null, 2)}\n`);
  }
  process.stderr.write(`lifeboat: ${error.message} [${error.code}]\n`);
}

/** The CLI entry point; resolves to the process exit code. */
/** Set for a command a hub runs over SSH (`--from-hub`). */
let fromHub = false;
/** Cancels the job running now, if one is. */
let cancelRunning: (() => void) | null = null;

/**
 * Run for a hub: its Ctrl-C, or the connection dropping, ends this command's input, or makes writing
 * back fail (EPIPE). Either cancels the running job as Ctrl-C does here (a restore rolls back), and a
 * failed write never brings the process down halfway.
 */
function followHub(): void {
  const cancel = (): void => cancelRunning?.();
  process.stdin.on('end', cancel);
  process.stdin.on('error', cancel);
  process.stdout.on('error', cancel);
  process.stderr.on('error', cancel);
  process.stdin.resume();
  // Input left open must not keep the process alive once the command is done.
  (process.stdin as { unref?: () => void }).unref?.();
}

/** `--host ALIAS [--remote-lifeboat CMD]` anywhere in the arguments: taken out, the rest runs there. */
function hostOf(argv: readonly string[]): { host: string; remote: string; rest: string[] } | null {
  const rest: string[] = [];
  let host: string | null = null;
  let remote = 'lifeboat';
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    if (flag === '--host' || flag === '--remote-lifeboat') {
      const value = inline ?? argv[(i += 1)];
      if (value === undefined || value === '') {
        throw new LifeboatFailure(
          'INVALID_ARGUMENT',
          `${flag} needs a value (an SSH alias or user@host, or a command).`,
        );
      }
      if (flag === '--host') {
        host = value;
      } else {
        remote = value;
      }
    } else {
      rest.push(arg);
    }
  }
  if (host === null) {
    if (remote !== 'lifeboat') {
      throw new LifeboatFailure('INVALID_ARGUMENT', '--remote-lifeboat goes with --host.');
    }
    return null;
  }
  if (host.startsWith('-')) {
    throw new LifeboatFailure('INVALID_ARGUMENT', `--host takes an SSH alias or user@host, not "${host}".`);
  }
  return { host, remote, rest };
}

export async function main(argv: readonly string[]): Promise<number> {
  let json = argv.includes('--json');
  try {
    const onHost = hostOf(argv);
    if (onHost !== null) {
      return await runOnHost(onHost.host, onHost.remote, onHost.rest);
    }
    const invocation = parseInvocation(argv);
    fromHub = invocation.fromHub;
    if (fromHub) {
      followHub();
    }
    json = invocation.json;
    if (invocation.help) {
      process.stdout.write(usage);
      return exitCodes.ok;
    }
    return await run(invocation);
  } catch (error) {
    const detail = toLifeboatError(error);
    report(detail, json);
    return exitCodeFor(detail.code);
  }
}
