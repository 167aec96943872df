import { afterQuoted, withoutCommentsAndStrings } from './sql-text';

/**
 * Finds statements in an SQL script that control transactions (BEGIN, COMMIT, END, ROLLBACK,
 * SAVEPOINT, RELEASE): a migration that contains one would commit part of itself outside the
 * transaction Lifeboat wraps it in. Comments, strings and quoted names are skipped, and the
 * BEGIN … END of a CREATE TRIGGER body (with CASE … END inside it) are not statements of their own.
 */
export function transactionControlStatements(sql: string): string[] {
  const words = tokens(sql);
  const found: string[] = [];
  let atStatementStart = true;
  let statement: string[] = [];
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i] ?? '';
    if (word === ';') {
      atStatementStart = true;
      statement = [];
      continue;
    }
    if (atStatementStart && ['BEGIN', 'COMMIT', 'END', 'ROLLBACK', 'SAVEPOINT', 'RELEASE'].includes(word)) {
      found.push(word);
    }
    atStatementStart = false;
    statement.push(word);
    if (word === 'BEGIN' && statement[0] === 'CREATE' && statement.includes('TRIGGER')) {
      i = endOfTriggerBody(words, i + 1);
      atStatementStart = false;
    }
  }
  return found;
}

/** The index of the END that closes a trigger body starting at `start` (after its BEGIN). */
function endOfTriggerBody(words: readonly string[], start: number): number {
  let cases = 0;
  for (let i = start; i < words.length; i += 1) {
    if (words[i] === 'CASE') {
      cases += 1;
    } else if (words[i] === 'END') {
      if (cases === 0) {
        return i;
      }
      cases -= 1;
    }
  }
  return words.length;
}

/** Upper-cased words and semicolons, with comments, strings and quoted identifiers removed. */
function tokens(script: string): string[] {
  const sql = withoutCommentsAndStrings(script);
  const out: string[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] ?? '';
    if (c === '"' || c === '`' || c === '[') {
      i = afterQuoted(sql, i, c === '[' ? ']' : c);
    } else if (c === ';') {
      out.push(';');
      i += 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const start = i;
      while (i < sql.length && /[A-Za-z0-9_$]/.test(sql[i] ?? '')) {
        i += 1;
      }
      out.push(sql.slice(start, i).toUpperCase());
    } else {
      i += 1;
    }
  }
  return out;
}
