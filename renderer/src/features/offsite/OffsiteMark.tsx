import type { ReactNode } from 'react';
import type { OffsiteMark as Mark } from '#contract/snapshots';

const stateWords: Record<Mark['state'], string> = {
  held: 'held',
  pending: 'pending',
  failed: 'failed',
  'not-sent': 'not sent',
};

/** One line per target: "nas: held", "r2: failed: …". */
function marksText(marks: readonly Mark[]): string {
  return marks
    .map((m) => `${m.target}: ${stateWords[m.state]}${m.reason === null ? '' : ` (${m.reason})`}`)
    .join('\n');
}

/** The overall state of a snapshot offsite: failed wins, then pending, then held everywhere. */
function overall(marks: readonly Mark[]): Mark['state'] {
  const states = new Set(marks.map((m) => m.state));
  if (states.has('failed')) return 'failed';
  if (states.has('pending')) return 'pending';
  return states.has('not-sent') ? 'not-sent' : 'held';
}

/** A small cloud beside a snapshot's label: where it is offsite, in its title and its accessible name. */
export function OffsiteMark(props: { marks: readonly Mark[] | undefined }): ReactNode {
  const marks = props.marks ?? [];
  if (marks.length === 0) {
    return null;
  }
  const state = overall(marks);
  const held = marks.filter((m) => m.state === 'held').length;
  const label = `Offsite: ${held} of ${marks.length} targets hold it${state === 'failed' ? '; the last push failed' : ''}`;
  return (
    // Drawn, not an emoji: not every system has an emoji font.
    <svg
      className={`offsite-mark ${state}`}
      role="img"
      aria-label={label}
      viewBox="0 0 16 16"
      width="14"
      height="12"
      data-testid="offsite-mark"
    >
      <title>{`${label}\n${marksText(marks)}`}</title>
      <path
        d="M4.5 13h7.3a3.2 3.2 0 0 0 .4-6.4A4.3 4.3 0 0 0 3.9 7.4 2.8 2.8 0 0 0 4.5 13z"
        fill={state === 'held' ? 'currentColor' : 'none'}
        stroke="currentColor"
        strokeWidth="1.4"
      />
    </svg>
  );
}
