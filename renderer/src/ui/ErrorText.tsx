import type { ReactNode } from 'react';
import type { LifeboatError } from '#contract/errors';

/** A form's error, next to its fields, announced to screen readers; nothing when there is none. */
export function ErrorText(props: { error: LifeboatError | null }): ReactNode {
  return (
    props.error !== null && (
      <p className="error-text" role="alert">
        {props.error.message}
      </p>
    )
  );
}
