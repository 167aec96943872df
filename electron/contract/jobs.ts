import { z } from 'zod';
import { stepEventSchema } from './restore';

/** Long work runs as a job: an id, a phase, a progress fraction 0..1, cancellation and a result. */
export const jobKindSchema = z.enum([
  'snapshot',
  'verify',
  'info',
  'inspect',
  'demo',
  'list',
  'migrations',
  'migrate',
  'restore',
  'restore-recover',
  'restore-preview',
  'rehearse',
  'upgrade',
  'pin',
  'delete',
  'prune',
  'diff',
  'rows',
  'export',
  'copy',
  'push',
  'pull',
  'remote-list',
  'drill',
]);
export type JobKind = z.infer<typeof jobKindSchema>;

export const jobProgressSchema = z.object({
  jobId: z.string(),
  kind: jobKindSchema,
  /** What the job is doing now, for a person: "Copying pages", "Checking integrity". */
  phase: z.string(),
  /** 0..1 over the whole job. */
  fraction: z.number().min(0).max(1),
  /** Optional detail, e.g. the file being verified. */
  detail: z.string().optional(),
  /** Lines the app's commands printed since the last progress (restore, upgrade), in order. */
  output: z.array(z.string()).optional(),
  /** What the restore's steps did since the last progress (restore, rehearsal, recovery, upgrade), in order. */
  steps: z.array(stepEventSchema).optional(),
});
export type JobProgress = z.infer<typeof jobProgressSchema>;

/** How a command run for a hub (`lifeboat --host`) writes its progress on stderr: this, then the JSON of a JobProgress. */
export const progressMarker = '\u001eprogress ';
