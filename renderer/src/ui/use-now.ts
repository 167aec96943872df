import { useEffect, useState } from 'react';
import { useStore } from '../store/store';

/**
 * The page's one clock (the store's, ticked by `startClock`): every age on screen is read against
 * it, so the banner, the card, the sidebar and the lists never disagree by the time each was drawn.
 */
export function useNow(): number {
  return useStore((s) => s.now);
}

/** A running job's own fast clock, for its elapsed time; ages read `useNow`. */
export function useElapsedClock(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs]);
  return now;
}
