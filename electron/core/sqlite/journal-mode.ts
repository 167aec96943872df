import type { JournalMode } from '../../contract/snapshots';

/** Reads the answer of `PRAGMA journal_mode` into the contract's names. */
export function journalModeOf(value: unknown): JournalMode {
  const text = String(value).toLowerCase();
  switch (text) {
    case 'wal':
    case 'delete':
    case 'truncate':
    case 'persist':
    case 'memory':
    case 'off':
      return text;
    default:
      return 'unknown';
  }
}
