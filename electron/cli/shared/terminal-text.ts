/**
 * What the CLI prints for a person carries names others chose: snapshot labels, notes and file names
 * (the app's user writes the backups folder), table names (the app writes its database), app names,
 * the app's own command output and messages that quote any of them. On a terminal their escapes
 * would act: clear the screen, write the clipboard (OSC 52), hide a link (OSC 8), overwrite a line
 * (CR, backspace). Everything printed for a person goes through here; --json output is JSON, whose
 * strings escape control characters themselves.
 */

// Every control character but tab and newline (C0, DEL, C1), and the marks that reorder text on screen.
// eslint-disable-next-line no-control-regex
const acting = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** The text with each control character shown as an escape (ESC as `\x1b`), so it is seen, never acted on. */
export function terminalSafe(text: string): string {
  return text.replace(acting, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Writes text for a person (on a terminal, or in a log a person reads), neutralised. */
export function say(stream: NodeJS.WritableStream, text: string): void {
  stream.write(terminalSafe(text));
}
