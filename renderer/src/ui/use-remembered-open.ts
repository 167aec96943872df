import { useEffect, useState } from 'react';

/**
 * Whether a disclosure is open: as the person last chose (remembered across restarts under `key`),
 * or, until they choose, whether the window matches `openWhen` (a media query), followed as it is resized.
 */
export function useRememberedOpen(key: string, openWhen: string): [boolean, (open: boolean) => void] {
  const [chosen, setChosen] = useState(() => window.localStorage.getItem(key));
  const [matches, setMatches] = useState(() => window.matchMedia(openWhen).matches);
  useEffect(() => {
    const query = window.matchMedia(openWhen);
    const follow = (): void => setMatches(query.matches);
    query.addEventListener('change', follow);
    return () => query.removeEventListener('change', follow);
  }, [openWhen]);
  const choose = (next: boolean): void => {
    const value = next ? 'open' : 'closed';
    window.localStorage.setItem(key, value);
    setChosen(value);
  };
  return [chosen === null ? matches : chosen === 'open', choose];
}
