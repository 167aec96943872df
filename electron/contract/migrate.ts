import { z } from 'zod';
import { lifeboatErrorSchema } from './errors';

/** The result of `lifeboat migrate`: what was applied, and the migration that failed, if one did. */
export const migrateResultSchema = z.object({
  database: z.string(),
  tracking: z.string(),
  applied: z.array(z.object({ version: z.string(), file: z.string(), durationMs: z.number() })),
  /** Versions already applied before this run. */
  alreadyApplied: z.number().int(),
  failed: z.object({ version: z.string(), file: z.string(), error: lifeboatErrorSchema }).nullable(),
  /** The version the database is at afterwards. */
  current: z.string().nullable(),
});
export type MigrateResult = z.infer<typeof migrateResultSchema>;
