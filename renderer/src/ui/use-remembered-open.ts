import { useState } from 'react';

/**
 * Whether a disclosure is open, remembered across restarts under `key` once the person has chosen;
 * until then `initial` decides (read once, when the component first shows).
 */
export function useRememberedOpen(key: string, initial: () => boolean): [boolean, (open: boolean) => void] {
  const [open, setOpen] = useState(() => {
    const stored = window.localStorage.getItem(key);
    return stored === null ? initial() : stored === 'open';
  });
  const choose = (next: boolean): void => {
    window.localStorage.setItem(key, next ? 'open' : 'closed');
    setOpen(next);
  };
  return [open, choose];
}
