/** The edits (insert, delete, substitute a character) that turn `a` into `b`. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitute = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(substitute, (previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The names a mistyped `word` may have meant, closest first: two edits away at most, or begun by it
 * (a word of two letters or more). None for a word that is nothing like any of them. Used for the
 * CLI's commands and for snapshot names.
 */
export function closestNames(word: string, names: readonly string[]): string[] {
  const typed = word.toLowerCase();
  return names
    .map((name) => ({ name, edits: name.startsWith(typed) && typed.length >= 2 ? 0 : distance(typed, name) }))
    .filter(({ edits }) => edits <= 2)
    .sort((a, b) => a.edits - b.edits)
    .map(({ name }) => name);
}
