import { commands } from './commands';
import { closestNames } from '../core/closest-names';
import { LifeboatFailure } from '../core/lifeboat-failure';
import { exitCodes } from './shared/exit-codes';
import { table } from './shared/format';
import type { Command } from './shared/command';
import { optionHelp } from './shared/options';

/** Where the full reference is: in the repository, and beside the installed package. */
const reference = 'docs/cli.md';

/** What every command that takes --db should say about it. */
const databaseNote = `DB is a path or an SQLAlchemy-style URL (sqlite:///relative.db, sqlite:////absolute.db).
It can also come from the LIFEBOAT_DB environment variable. Snapshots go to
<folder of DB>/backups unless --backups-dir says otherwise, named
<stem>-YYYYMMDD-HHMMSS-<reason>.db (local time; reason reduced to A-Z a-z 0-9 -).
`;

const helpCommand: Command = {
  name: 'help',
  synopsis: 'help [COMMAND]',
  summary: "This overview, or a command's help",
  usage: ['help [COMMAND]'],
  options: [],
  help: `Without COMMAND, a short overview of every command; with one, its usage,
options and help, as "lifeboat COMMAND --help" prints them.`,
  run(invocation) {
    const [name] = invocation.positionals;
    process.stdout.write(name === undefined ? overview() : commandHelp(commandNamed(name)));
    return Promise.resolve(exitCodes.ok);
  },
};

/** The command table: what main dispatches to, and what help describes. */
export const commandTable: readonly Command[] = [...commands, helpCommand];

/** The command of that name; else INVALID_ARGUMENT, with the names it may have meant. */
export function commandNamed(name: string): Command {
  const command = commandTable.find((c) => c.name === name);
  if (command !== undefined) {
    return command;
  }
  const meant = closestNames(
    name,
    commandTable.map((c) => c.name),
  );
  const suggestion = meant.length === 0 ? '' : ` Did you mean ${meant.map((m) => `"${m}"`).join(' or ')}?`;
  throw new LifeboatFailure(
    'INVALID_ARGUMENT',
    `Unknown command "${name}".${suggestion} Run "lifeboat help" for usage.`,
  );
}

/** `lifeboat help`, `lifeboat --help`: one line a command, and where to read more. */
export function overview(): string {
  return `Lifeboat: see, snapshot, verify and restore the SQLite database your app runs on.

Usage: lifeboat COMMAND [ARGUMENTS] [OPTIONS]

${table(commandTable.map((c) => [`  lifeboat ${c.synopsis}`, c.summary]))}

Every command takes:
${table([
  ['  -h, --help', 'Its usage, options and help'],
  ['  --host ALIAS [--remote-lifeboat CMD]', 'Run it on another machine, over your own OpenSSH'],
])}

Exit codes: 0 success (also "nothing to back up"), 1 the operation failed,
2 wrong arguments, 3 a snapshot failed verification, 4 status --check: not at
head, 5 check: the app needs attention, 130 cancelled (Ctrl-C).
With --json, stdout is one JSON document; errors are {"error":{"code","message"}}.

Run "lifeboat help COMMAND" for a command's usage and options.
Full reference: ${reference} (in the repository and the installed package).
`;
}

/** `lifeboat help COMMAND`, `lifeboat COMMAND --help`: its usage, what it does, its options. */
export function commandHelp(command: Command): string {
  const options = table([
    ...command.options.map((name) => [`  ${optionHelp[name][0]}`, optionHelp[name][1]]),
    ['  -h, --help', 'This help'],
  ]);
  return `Usage:
${command.usage.map((line) => (line.startsWith(' ') ? `           ${line}` : `  lifeboat ${line}`)).join('\n')}

${command.help}

Options:
${options}
${command.options.includes('db') ? `\n${databaseNote}` : ''}
More: ${reference}#${command.name}
`;
}
