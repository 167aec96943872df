import * as path from 'node:path';
import { z } from 'zod';
import { lifeboatErrorSchema } from '../../contract/errors';
import type { OffsiteMark, SnapshotEntry } from '../../contract/snapshots';
import { isUnwritableDisk, writeFileAtomically } from '../fs/durable-file';
import { ensureOwnFolder, readUntrustedText } from '../fs/untrusted-file';
import { recordsDirName } from '../snapshot/snapshot-records';

/**
 * What the last push to each target found, kept in `backups/.lifeboat/offsite.json` so that the list
 * can mark each snapshot (which targets hold it, or why the last push failed) without going online.
 * The folder is the app user's: the file is parsed strictly and only ever shown.
 */

const targetStateSchema = z.object({
  at: z.string(),
  /** Local snapshot files the target held (checked) after that push (what Lifeboat 0.1 went by). */
  held: z.array(z.string().max(255)).max(100_000),
  /**
   * The SHA-256 of each snapshot the target holds (checked), pushed or brought back from it: marks follow
   * the content, so a copy pulled onto a new machine, or renamed, is still known to be held.
   */
  heldSha256: z
    .array(z.string().regex(/^[0-9a-f]{64}$/))
    .max(100_000)
    .optional(),
  error: lifeboatErrorSchema.nullable(),
});
const offsiteStateSchema = z.object({
  version: z.literal(1),
  targets: z.record(z.string().max(200), targetStateSchema),
});
type OffsiteState = z.infer<typeof offsiteStateSchema>;
type TargetState = z.infer<typeof targetStateSchema>;

function statePath(backupsDir: string): string {
  return path.join(backupsDir, recordsDirName, 'offsite.json');
}

export function readOffsiteState(backupsDir: string): OffsiteState {
  const read = readUntrustedText(statePath(backupsDir), 8 * 1024 * 1024);
  if (read.kind !== 'text') {
    return { version: 1, targets: {} };
  }
  try {
    const parsed = offsiteStateSchema.safeParse(JSON.parse(read.text));
    return parsed.success ? parsed.data : { version: 1, targets: {} };
  } catch {
    return { version: 1, targets: {} };
  }
}

/** Records one target's outcome; a read-only backups folder keeps nothing (the push itself succeeded). */
export function recordTargetState(backupsDir: string, target: string, state: TargetState): void {
  const current = readOffsiteState(backupsDir);
  try {
    ensureOwnFolder(path.join(backupsDir, recordsDirName));
    writeFileAtomically(
      statePath(backupsDir),
      `${JSON.stringify({ ...current, targets: { ...current.targets, [target]: state } }, null, 2)}\n`,
    );
  } catch (error) {
    if (!isUnwritableDisk(error)) {
      throw error;
    }
  }
}

/** A snapshot a target holds was brought back from it: mark it held there, by its content. */
export function recordPulled(backupsDir: string, target: string, sha256: string): void {
  const known = readOffsiteState(backupsDir).targets[target];
  const heldSha256 = known?.heldSha256 ?? [];
  if (!heldSha256.includes(sha256)) {
    recordTargetState(backupsDir, target, {
      at: known?.at ?? new Date().toISOString(),
      held: known?.held ?? [],
      heldSha256: [...heldSha256, sha256],
      error: known?.error ?? null,
    });
  }
}

/** Whether a target holds this snapshot: by content where the state knows it, by name in an older state. */
function holds(known: TargetState | undefined, entry: SnapshotEntry): boolean {
  if (known === undefined) {
    return false;
  }
  if (known.heldSha256 !== undefined) {
    return entry.sha256 !== null && known.heldSha256.includes(entry.sha256);
  }
  return known.held.includes(entry.file);
}

/**
 * Each snapshot's place on each target, from what the last pushes and pulls found (nothing is asked of
 * the targets). Only a verified file counts as held: one that fails verification here is not the file
 * the target holds a copy of, whatever its name.
 */
export function offsiteMarks(
  snapshots: readonly SnapshotEntry[],
  targets: readonly string[],
  state: OffsiteState,
): Record<string, OffsiteMark[]> {
  if (targets.length === 0) {
    return {};
  }
  return Object.fromEntries(
    snapshots.map((entry) => [
      entry.file,
      targets.map((target): OffsiteMark => {
        const known = state.targets[target];
        if (entry.status !== 'verified') {
          return {
            target,
            state: 'not-sent',
            reason: holds(known, entry)
              ? `This file is ${entry.status} here, so it is not counted as held: what ${target} holds is a copy of what it was.`
              : 'Only verified snapshots go offsite.',
          };
        }
        if (holds(known, entry)) {
          return { target, state: 'held', reason: null };
        }
        if (known?.error !== null && known?.error !== undefined) {
          return { target, state: 'failed', reason: known.error.message };
        }
        return { target, state: 'pending', reason: 'Not sent yet: it goes with the next push.' };
      }),
    ]),
  );
}
