import { z } from 'zod';

/**
 * What changed between two databases (two snapshots, or a snapshot and the live database): per
 * table the rows added, changed and deleted, matched by primary key (rowid where there is none),
 * with a sample of each kind, and the schema's differences.
 */

/** A cell as JSON: text cut at 200 characters, integers beyond 2^53 as text, blobs by size and first bytes. */
export const diffValueSchema = z.union([
  z.null(),
  z.number(),
  z.string(),
  z.object({ integer: z.string() }),
  z.object({ blob: z.string(), size: z.number().int() }),
  z.object({ text: z.string(), length: z.number().int() }),
]);
export type DiffValue = z.infer<typeof diffValueSchema>;

export const rowChangeSchema = z.object({
  /** The key's values, in the key's column order. */
  key: z.array(diffValueSchema),
  /** Added: null; deleted and changed: the row before (in A). */
  before: z.array(diffValueSchema).nullable(),
  /** Deleted: null; added and changed: the row after (in B). */
  after: z.array(diffValueSchema).nullable(),
  /** For a changed row: the columns whose values differ. */
  changedColumns: z.array(z.string()),
});
export type RowChange = z.infer<typeof rowChangeSchema>;

export const tableDiffSchema = z.object({
  name: z.string(),
  /** How rows are matched: the primary key's columns, `rowid`, or null when they cannot be (see note). */
  key: z.array(z.string()).nullable(),
  /** The columns compared (those in both), in A's order. */
  columns: z.array(z.string()),
  /** Present in: both, only A (the table was dropped), only B (it was created). */
  presence: z.enum(['both', 'only-a', 'only-b']),
  added: z.number().int().nonnegative(),
  changed: z.number().int().nonnegative(),
  deleted: z.number().int().nonnegative(),
  /** Up to the sample size of each kind, in key order. */
  samples: z.object({
    added: z.array(rowChangeSchema),
    changed: z.array(rowChangeSchema),
    deleted: z.array(rowChangeSchema),
  }),
  /** Why its rows were not compared, or what to know about the comparison; null when nothing. */
  note: z.string().nullable(),
});
export type TableDiff = z.infer<typeof tableDiffSchema>;

export const objectDifferenceSchema = z.object({
  type: z.enum(['table', 'index', 'view', 'trigger']),
  name: z.string(),
  change: z.enum(['only-a', 'only-b', 'changed']),
  columnsOnlyA: z.array(z.string()),
  columnsOnlyB: z.array(z.string()),
});
export type ObjectDifference = z.infer<typeof objectDifferenceSchema>;

export const diffResultSchema = z.object({
  /** What was compared: snapshot file names, or "live". */
  a: z.string(),
  b: z.string(),
  /** Tables with their row differences (those without any listed too, with zero counts). */
  tables: z.array(tableDiffSchema),
  /** Tables, indexes, views and triggers that differ. */
  schema: z.array(objectDifferenceSchema),
  totals: z.object({ added: z.number().int(), changed: z.number().int(), deleted: z.number().int() }),
});
export type DiffResult = z.infer<typeof diffResultSchema>;

/** A cell for people: NULL, numbers and text as they are, long text and blobs shortened (the UI's compare and browse). */
export function diffValueText(value: DiffValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number' || typeof value === 'string') return String(value);
  if ('integer' in value) return value.integer;
  if ('blob' in value) return `blob, ${value.size} bytes`;
  return `${value.text}… (${value.length} characters)`;
}
