import { useEffect, useId, useRef, type ReactNode } from 'react';

/** A modal dialog on the native <dialog>: focus is kept inside, Escape closes it. */
export function Modal(props: { title: string; onClose: () => void; children: ReactNode; wide?: boolean }): ReactNode {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog !== null && !dialog.open) {
      dialog.showModal();
    }
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className={props.wide === true ? 'modal wide' : 'modal'}
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        props.onClose();
      }}
    >
      <h2 id={titleId}>{props.title}</h2>
      {props.children}
    </dialog>
  );
}
