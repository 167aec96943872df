import type { Invocation, OptionName } from './options';

/** A command of the table: what its help says, and what runs it. */
export interface Command {
  readonly name: string;
  /** The command and its arguments, for the overview: `backup [REASON]`. */
  readonly synopsis: string;
  /** One line for the overview. */
  readonly summary: string;
  /** Its forms, each a line after `lifeboat ` (a line that begins with a space goes on the one before). */
  readonly usage: readonly string[];
  readonly options: readonly OptionName[];
  readonly help: string;
  run(invocation: Invocation): Promise<number>;
}
