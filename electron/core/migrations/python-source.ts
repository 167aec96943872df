/**
 * Reads the few Python constructs that migration files declare their identity with, from the text
 * alone: Lifeboat never runs an app's code. Handles `name = value` and `name: Type = value`, values
 * that are a string, None, or a tuple or list of strings (across lines), and docstrings.
 */

/** The source text of the value assigned to `name` at the start of a line, or null if absent. */
export function assignedValue(source: string, name: string): string | null {
  const match = new RegExp(`^${name}\\s*(?::[^=\\n]+)?=\\s*`, 'm').exec(source);
  if (match === null) {
    return null;
  }
  let index = match.index + match[0].length;
  const start = index;
  let depth = 0;
  let quote: string | null = null;
  for (; index < source.length; index += 1) {
    const c = source[index];
    if (quote !== null) {
      if (c === '\\') {
        index += 1;
      } else if (c === quote) {
        quote = null;
      }
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '(' || c === '[' || c === '{') {
      depth += 1;
    } else if (c === ')' || c === ']' || c === '}') {
      depth -= 1;
    } else if ((c === '\n' || c === '#') && depth <= 0) {
      break;
    }
  }
  return source.slice(start, index).trim();
}

/** The string literals in a value: `'a'` → [a], `('a', "b")` → [a, b], `None` → []. */
export function stringLiterals(value: string | null): string[] {
  if (value === null || value === 'None') {
    return [];
  }
  return [...value.matchAll(/(?:[rbuRBU]{0,2})(['"])((?:\\.|(?!\1)[^\\\n])*)\1/g)].map((m) => m[2] ?? '');
}

/** The first line of the module docstring. */
export function docstringTitle(source: string): string {
  const match = /^\s*(?:[rRuU]?)("""|''')([\s\S]*?)\1/.exec(source);
  return match?.[2]?.trim().split('\n')[0]?.trim() ?? '';
}

/** Tables a migration creates and drops with the named calls (`op.create_table('x'`). */
export function tableCalls(
  source: string,
  createCall: RegExp,
  dropCall: RegExp,
): { created: string[]; dropped: string[] } {
  const names = (pattern: RegExp): string[] =>
    [...source.matchAll(pattern)].map((m) => m[1] ?? '').filter((n) => n !== '');
  return { created: names(createCall), dropped: names(dropCall) };
}
