import { z } from 'zod';

/** The migration tools Lifeboat reads, deepest first. */
export const migrationTools = ['alembic', 'django', 'rails', 'knex', 'prisma', 'drizzle', 'flyway', 'golang-migrate', 'sqlx', 'user-version', 'table'] as const;
export const migrationToolSchema = z.enum(migrationTools);
export type MigrationTool = z.infer<typeof migrationToolSchema>;

/** One migration as the app's code declares it (read from its files, never by running them). */
export const revisionSchema = z.object({
  /** Alembic's revision id, `app.0001_initial` for Django, the version for the others. */
  id: z.string(),
  /** The revisions it follows (several for a merge; none for a base). */
  parents: z.array(z.string()),
  /** Alembic's depends_on; Django's dependencies on other apps. */
  dependsOn: z.array(z.string()),
  branchLabels: z.array(z.string()),
  message: z.string(),
  createdAt: z.string().nullable(),
  /** Path of its file, relative to the migrations folder. */
  file: z.string(),
});
export type Revision = z.infer<typeof revisionSchema>;

export const revisionGraphSchema = z.object({
  tool: migrationToolSchema,
  /** The folders the revisions were read from. */
  locations: z.array(z.string()),
  /** Oldest first; every revision after its parents. */
  revisions: z.array(revisionSchema),
  heads: z.array(z.string()),
  /** Files that looked like migrations but could not be read, with why. */
  problems: z.array(z.string()),
});
export type RevisionGraph = z.infer<typeof revisionGraphSchema>;

/** The status of a database against the code's revisions, with these names in JSON. */
export const migrationStatusKinds = [
  'at-head',
  'behind',
  'ahead',
  'unknown-revision',
  'multiple-heads',
  'unstamped',
  'partial',
  'empty',
  'locked',
  'dirty',
  'failed',
  'no-database',
] as const;
export const migrationStatusKindSchema = z.enum(migrationStatusKinds);
export type MigrationStatusKind = z.infer<typeof migrationStatusKindSchema>;

export const migrationStatusSchema = z.object({
  status: migrationStatusKindSchema,
  tool: migrationToolSchema,
  /** What the database records as applied now (Alembic: its alembic_version rows). */
  current: z.array(z.string()),
  /** Revisions the code has that the database lacks, in the order an upgrade applies them. */
  pending: z.array(z.string()),
  /** Revisions the database names that the code does not have. */
  unknown: z.array(z.string()),
  /** The code's heads. */
  heads: z.array(z.string()),
  /** With several heads: whether the database has all of them applied. */
  hasAllHeads: z.boolean().nullable(),
  /** For `partial`: tables the applied migrations create that the database lacks. */
  missingTables: z.array(z.string()),
  /** For `failed`, `dirty`, `locked`: what the tool recorded. */
  problemRevisions: z.array(z.string()),
  /** A short badge ("at head", "3 behind") and one sentence that explains it. */
  badge: z.string(),
  summary: z.string(),
});
export type MigrationStatus = z.infer<typeof migrationStatusSchema>;

/** `lifeboat status`: the app's migrations and where the live database stands on them. */
export const migrationReportSchema = z.object({
  database: z.string(),
  graph: revisionGraphSchema,
  status: migrationStatusSchema,
});
export type MigrationReport = z.infer<typeof migrationReportSchema>;
