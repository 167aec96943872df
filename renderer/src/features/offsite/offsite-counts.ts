import type { TargetSummary } from '#contract/offsite';
import type { OffsiteMark, SnapshotEntry } from '#contract/snapshots';

/** Per offsite target: how many of the verified snapshots it holds, and its last push's failure. Pure. */
export function offsiteCounts(
  targets: readonly TargetSummary[],
  snapshots: readonly SnapshotEntry[],
  marks: Readonly<Record<string, readonly OffsiteMark[]>> | undefined,
): { name: string; display: string; held: number; of: number; failure: OffsiteMark | undefined }[] {
  const verified = snapshots.filter((s) => s.status === 'verified');
  return targets.map((t) => {
    const found = verified.map((s) => marks?.[s.file]?.find((m) => m.target === t.name));
    return {
      name: t.name,
      display: t.display,
      held: found.filter((m) => m?.state === 'held').length,
      of: verified.length,
      failure: found.find((m) => m?.state === 'failed'),
    };
  });
}
