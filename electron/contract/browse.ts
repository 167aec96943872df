import { z } from 'zod';
import { diffValueSchema } from './diff';

/** A page of one table of a snapshot or of the live database (read only), for the browse grid. */
export const tablePageSchema = z.object({
  source: z.string(),
  table: z.string(),
  /** Every user table of the source, to switch between them. */
  tables: z.array(z.string()),
  columns: z.array(z.string()),
  rows: z.array(z.array(diffValueSchema)),
  /** Rows that match the filter (all rows without one). */
  total: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
});
export type TablePage = z.infer<typeof tablePageSchema>;

export const exportFormatSchema = z.enum(['csv', 'sql']);
export type ExportFormat = z.infer<typeof exportFormatSchema>;

/** What an export or a copy wrote. */
export const writtenFileSchema = z.object({
  path: z.string(),
  bytes: z.number().int().nonnegative(),
  rows: z.number().int().nonnegative().nullable(),
});
export type WrittenFile = z.infer<typeof writtenFileSchema>;
