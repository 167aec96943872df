import type { TablePage } from '#contract/browse';
import type { LifeboatError } from '#contract/errors';

/** The browse feature's state: the query its grid shows, and the page read for it. */

/** What the browse grid shows: a source (a snapshot's file or "live"), a table, a filter, an order, a page. */
export interface BrowseQuery {
  readonly appId: string;
  readonly source: string;
  /** Null until the first page names the first table. */
  readonly table: string | null;
  readonly filter: string;
  readonly orderBy: string | null;
  readonly descending: boolean;
  readonly offset: number;
}
export interface BrowseSlice {
  browse: {
    readonly query: BrowseQuery;
    readonly page: TablePage | null;
    /** The filter the page shown was read with (the query's may be newer, its page still coming). */
    readonly pageFilter: string;
    readonly error: LifeboatError | null;
  } | null;
}

export const initialBrowse: BrowseSlice = { browse: null };
