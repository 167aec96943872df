/**
 * SQL as SQLite reads it: comments and string literals are not statements, so a `-- use CREATE TABLE
 * to …` comment or an `INSERT … VALUES ('drop table x')` must not be read as one. Quoted identifiers
 * (`"users"`, `` `users` ``, `[users]`) are kept: they name tables.
 */
export function withoutCommentsAndStrings(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] ?? '';
    let end: number;
    if (c === '-' && sql[i + 1] === '-') {
      const newline = sql.indexOf('\n', i);
      end = newline === -1 ? sql.length : newline;
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      end = close === -1 ? sql.length : close + 2;
    } else if (c === "'") {
      end = afterQuoted(sql, i, "'");
    } else if (c === '"' || c === '`' || c === '[') {
      // A quoted identifier is kept as it is, so a quote inside it does not open a string.
      end = afterQuoted(sql, i, c === '[' ? ']' : c);
      out += sql.slice(i, end);
      i = end;
      continue;
    } else {
      out += c;
      i += 1;
      continue;
    }
    out += ' ';
    i = end;
  }
  return out;
}

/** The index just past the quoted run that opens at `start`; a doubled closing quote is part of it. */
export function afterQuoted(sql: string, start: number, close: string): number {
  let i = start + 1;
  while (i < sql.length && !(sql[i] === close && sql[i + 1] !== close)) {
    i += sql[i] === close ? 2 : 1;
  }
  return i + 1;
}
