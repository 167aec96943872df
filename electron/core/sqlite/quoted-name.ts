/** A table or column name as an SQL identifier, whatever it contains. */
export function quotedName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
