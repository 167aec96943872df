import { z } from 'zod';

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
