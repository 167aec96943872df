import type { ReactNode } from 'react';
import type { AppSummary } from '#contract/apps';
import { formatLocalTime } from '#contract/format';

/** What last replaced the live database, and what the card's button next to it puts back. */
export function LastRestoreText(props: { last: NonNullable<AppSummary['lastRestore']> }): ReactNode {
  const { last } = props;
  const when = formatLocalTime(last.at);
  switch (last.action) {
    case 'undo':
      return (
        <>
          Restore undone {when}: {last.snapshot ?? 'the database'} is back as it was. <em>Redo restore</em>{' '}
          puts back what the restore had left ({last.preRestore}).
        </>
      );
    case 'redo':
      return (
        <>
          Restore redone {when}. <em>Undo last restore</em> puts back the database as it was just before (
          {last.preRestore}).
        </>
      );
    case 'restore':
      return (
        <>
          Restored {when}
          {last.snapshot === null ? '' : ` from ${last.snapshot}`}. <em>Undo last restore</em> puts back the
          database as it was just before ({last.preRestore}).
        </>
      );
  }
}
