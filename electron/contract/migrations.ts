import { z } from 'zod';

/** The migration tools whose migration files Lifeboat reads (`--tool`), deepest first. */
export const migrationTools = [
  'alembic',
  'django',
  'rails',
  'knex',
  'prisma',
  'drizzle',
  'flyway',
  'golang-migrate',
  'sqlx',
  'diesel',
  'ef-core',
  'fluentmigrator',
  'typeorm',
  'goose',
  'laravel',
  'sequelize',
  'dbmate',
  'pocketbase',
  'authelia',
  'memos',
  'gitea',
  'home-assistant',
  'user-version',
  'table',
] as const;
export const migrationToolSchema = z.enum(migrationTools);
export type MigrationTool = z.infer<typeof migrationToolSchema>;

/**
 * Tools and apps whose bookkeeping Lifeboat reads from the database alone: their migrations are
 * compiled into the app (Go, Rust) or are the app's own schema number.
 */
export const recordOnlyTools = [
  'gormigrate',
  'refinery',
  'sea-orm',
  'liquibase',
  'atlas',
  'uptime-kuma',
] as const;
export const recordedToolSchema = z.enum([...migrationTools, ...recordOnlyTools]);
export type RecordedTool = z.infer<typeof recordedToolSchema>;

/** How each tool is named to a person. */
export const toolNames: Readonly<Record<RecordedTool, string>> = {
  alembic: 'Alembic',
  django: 'Django',
  rails: 'Rails',
  knex: 'Knex',
  prisma: 'Prisma',
  drizzle: 'Drizzle',
  flyway: 'Flyway',
  'golang-migrate': 'golang-migrate',
  sqlx: 'SQLx',
  diesel: 'Diesel',
  'ef-core': 'EF Core',
  fluentmigrator: 'FluentMigrator',
  typeorm: 'TypeORM',
  goose: 'goose',
  laravel: 'Laravel',
  sequelize: 'Sequelize',
  dbmate: 'dbmate',
  'user-version': 'PRAGMA user_version',
  table: 'a version table',
  gormigrate: 'gormigrate',
  refinery: 'refinery',
  'sea-orm': 'SeaORM',
  liquibase: 'Liquibase',
  atlas: 'Atlas',
  pocketbase: 'PocketBase',
  'home-assistant': 'Home Assistant',
  gitea: 'Gitea',
  authelia: 'Authelia',
  memos: 'Memos',
  'uptime-kuma': 'Uptime Kuma',
};

/**
 * What a status is measured against: the app's migration files, or (when they are not at hand, as
 * with an app in a container) the live database, which an app that migrates on start keeps at head.
 */
export const statusReferenceSchema = z.enum(['code', 'live']);
export type StatusReference = z.infer<typeof statusReferenceSchema>;

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
  tool: recordedToolSchema,
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
  'recorded',
] as const;
export const migrationStatusKindSchema = z.enum(migrationStatusKinds);
export type MigrationStatusKind = z.infer<typeof migrationStatusKindSchema>;

export const migrationStatusSchema = z.object({
  status: migrationStatusKindSchema,
  tool: recordedToolSchema,
  /** Whether the status is against the code or against the live database. */
  reference: statusReferenceSchema,
  /** The newest revision the database records, as a person names it; null when it records none. */
  revision: z.string().nullable(),
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
  /** The known app whose tables the database has (`Vaultwarden`), when its shape is one Lifeboat knows. */
  app: z.string().optional(),
  graph: revisionGraphSchema,
  status: migrationStatusSchema,
});
export type MigrationReport = z.infer<typeof migrationReportSchema>;
