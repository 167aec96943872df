import { z } from 'zod';
import { assertNever } from './errors';

/**
 * How to run an app, for the restore: its stop, start and upgrade commands (each an argument vector,
 * or a shell line the user wrote, shown verbatim before it runs; Lifeboat never pastes a path or a
 * name into one: the database a command is about is in its environment, LIFEBOAT_DATABASE and
 * LIFEBOAT_DATABASE_URL), its environment, its health URL and the time each step may take.
 */
export const appCommandSchema = z.union([
  z.object({ argv: z.array(z.string().min(1)).min(1) }),
  z.object({ shell: z.string().min(1) }),
]);
export type AppCommand = z.infer<typeof appCommandSchema>;

/** A step's time limit: at most a week (a timer cannot wait longer than 24.8 days; more would fire at once). */
const seconds = z
  .number()
  .positive()
  .max(7 * 24 * 3600);

export const appRunSchema = z.object({
  /** `manual`: the user stops and starts the app; Lifeboat checks that nothing holds the database. */
  preset: z.enum(['manual', 'commands', 'docker-compose', 'systemd']).default('manual'),
  /** The Compose service or systemd unit the presets drive. */
  service: z
    .string()
    .regex(/^[A-Za-z0-9@._-]+$/)
    .optional(),
  /** Working directory for the commands, relative to the app folder. */
  workingDir: z.string().optional(),
  stop: appCommandSchema.optional(),
  start: appCommandSchema.optional(),
  /** Default: the migration tool's own upgrade (alembic upgrade head, manage.py migrate, …). */
  upgrade: appCommandSchema.optional(),
  /**
   * The upgrade works on the database named by $LIFEBOAT_DATABASE_URL (or $LIFEBOAT_DATABASE), which
   * every command gets in its environment: then a rehearsal runs it on its scratch copy.
   */
  upgradeUsesLifeboatDatabase: z.boolean().default(false),
  /**
   * Who runs the app's commands when Lifeboat runs as root: `app`, the owner of the live database
   * (its uid and gid, no supplementary groups); `root` only when the setting is one Lifeboat trusts.
   */
  runAs: z.enum(['app', 'root']).default('app'),
  env: z.record(z.string(), z.string()).default({}),
  /** Polled after the start, exactly as given (http or https; a redirect is a failure, never followed). */
  healthUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Queries that must run without error on the restored database, e.g. "SELECT count(*) FROM users". */
  smokeQueries: z.array(z.string()).default([]),
  timeouts: z
    .object({ stopSeconds: seconds, startSeconds: seconds, upgradeSeconds: seconds, healthSeconds: seconds })
    .partial()
    .default({}),
});
export type AppRun = z.infer<typeof appRunSchema>;

/**
 * Whether run settings name something to run on the server (a command or its environment): what
 * only a host that may run commands for its user accepts (the desktop app, not `lifeboat serve`).
 */
export function runSetsCommands(run: AppRun): boolean {
  return (
    run.preset === 'commands' ||
    run.stop !== undefined ||
    run.start !== undefined ||
    run.upgrade !== undefined ||
    run.runAs === 'root' ||
    Object.keys(run.env).length > 0
  );
}

/** How a command is shown to the user before it runs: exactly what will run (an argument vector quoted as a shell would need). */
export function describeCommand(command: AppCommand): string {
  return 'shell' in command
    ? command.shell
    : command.argv
        .map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`))
        .join(' ');
}

/** Where one of the app's commands comes from: its settings (a lifeboat.json, or Lifeboat's own), a preset, or the tool's default. */
export const commandOriginSchema = z.discriminatedUnion('kind', [
  /** Written in the run settings: `file` is the lifeboat.json they were read from, null for Lifeboat's own settings. */
  z.object({ kind: z.literal('setting'), file: z.string().nullable() }),
  /** Composed by Lifeboat for the preset the settings chose (docker compose stop SERVICE, systemctl stop UNIT). */
  z.object({
    kind: z.literal('preset'),
    preset: z.enum(['docker-compose', 'systemd']),
    file: z.string().nullable(),
  }),
  /** The detected migration tool's own upgrade (alembic upgrade head, python3 manage.py migrate, …). */
  z.object({ kind: z.literal('default'), tool: z.string() }),
]);
export type CommandOrigin = z.infer<typeof commandOriginSchema>;

/**
 * The user a command runs as, and why: the live database's owner (or its folder's, with no database
 * yet), root because a trusted setting says `"runAs": "root"`, or Lifeboat's own user (Lifeboat is not
 * root and cannot switch, or the command is a preset's, which needs Lifeboat's rights). A null uid: a
 * system without uids.
 */
export const commandUserSchema = z.object({
  uid: z.number().int().nullable(),
  gid: z.number().int().nullable(),
  name: z.string().nullable(),
  why: z.enum(['database-owner', 'folder-owner', 'run-as-root', 'lifeboat-not-root', 'preset']),
});
export type CommandUser = z.infer<typeof commandUserSchema>;

function describeSettings(file: string | null): string {
  return file === null ? "Lifeboat's settings" : `lifeboat.json at ${file}`;
}

function describeOrigin(origin: CommandOrigin): string {
  switch (origin.kind) {
    case 'setting':
      return `from ${describeSettings(origin.file)}`;
    case 'preset':
      return `Lifeboat's ${origin.preset} preset (set in ${describeSettings(origin.file)})`;
    case 'default':
      return `the default for ${origin.tool}`;
    default:
      return assertNever(origin);
  }
}

/** Where a command comes from and who runs it, in words: "from lifeboat.json at /srv/app/lifeboat.json, as uid 65534 (nobody), the database's owner". */
export function describeCommandSource(origin: CommandOrigin, user: CommandUser): string {
  const who =
    user.uid === null ? "Lifeboat's user" : `uid ${user.uid}${user.name === null ? '' : ` (${user.name})`}`;
  const why = {
    'database-owner': "the database's owner",
    'folder-owner': "the owner of the database's folder (there is no database yet)",
    'run-as-root': 'as "runAs": "root" says',
    'lifeboat-not-root': "Lifeboat's own user: Lifeboat does not run as root, so it cannot switch",
    preset: "Lifeboat's own user: stopping and starting a service needs it",
  }[user.why];
  return `${describeOrigin(origin)}, as ${who}, ${why}`;
}
