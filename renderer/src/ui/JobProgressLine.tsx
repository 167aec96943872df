import type { ReactNode } from 'react';
import type { JobView } from '../store/jobs-state';

/** A running job as a bar and its phase with a percentage, announced politely to screen readers. */
export function JobProgressLine(props: { job: JobView; label: string; className?: string }): ReactNode {
  const { job } = props;
  return (
    <div className={props.className ?? 'toolbar-progress'} aria-live="polite">
      <progress value={job.fraction} max={1} aria-label={props.label} />
      <span className="muted">
        {job.phase} · {Math.round(job.fraction * 100)} %
      </span>
    </div>
  );
}
