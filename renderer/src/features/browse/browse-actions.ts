import type { ExportFormat } from '#contract/browse';
import type { LifeboatError } from '#contract/errors';
import { lifeboat } from '../../store/actions';
import { useStore } from '../../store/store';
import type { BrowseQuery } from '../../store/browse-state';

/** The browse dialog's actions: open a source, change the page, sort or filter, export, restore as a copy. */

export const pageSize = 500;

async function load(query: BrowseQuery): Promise<void> {
  const { appId, source, table, filter, orderBy, descending, offset } = query;
  const result = await lifeboat().call('snapshots:rows', {
    appId,
    source,
    filter,
    descending,
    offset,
    limit: pageSize,
    ...(table === null ? {} : { table }),
    ...(orderBy === null ? {} : { orderBy }),
  });
  useStore.setState((s) =>
    s.browse?.query !== query
      ? {}
      : {
          browse: {
            query: result.ok ? { ...query, table: result.value.table } : query,
            page: result.ok ? result.value : s.browse.page,
            pageFilter: result.ok ? query.filter : s.browse.pageFilter,
            error: result.ok ? null : result.error,
          },
        },
  );
}

/** Opens a snapshot's (or the live database's) first table, read only. */
export function openBrowse(appId: string, source: string): void {
  const query: BrowseQuery = {
    appId,
    source,
    table: null,
    filter: '',
    orderBy: null,
    descending: false,
    offset: 0,
  };
  useStore.setState({
    browse: { query, page: null, pageFilter: '', error: null },
    dialog: { kind: 'browse' },
  });
  void load(query);
}

/** Another table, page, order or filter: a new page (a new table or filter starts at the first page). */
export function changeBrowse(change: Partial<Omit<BrowseQuery, 'appId' | 'source'>>): void {
  const current = useStore.getState().browse;
  if (current === null) {
    return;
  }
  const restart =
    change.table !== undefined ||
    change.filter !== undefined ||
    change.orderBy !== undefined ||
    change.descending !== undefined;
  const query: BrowseQuery = {
    ...current.query,
    ...(change.table !== undefined && change.table !== current.query.table
      ? { orderBy: null, filter: '' }
      : {}),
    ...change,
    ...(restart && change.offset === undefined ? { offset: 0 } : {}),
  };
  useStore.setState({ browse: { ...current, query } });
  void load(query);
}

/** Writes the rows the filter shows to a new file; the job's end is told in the notice. */
export async function exportBrowsed(format: ExportFormat, target: string): Promise<LifeboatError | null> {
  const current = useStore.getState().browse;
  if (current === null || current.query.table === null) {
    return null;
  }
  const { appId, source, table, filter, orderBy, descending } = current.query;
  const result = await lifeboat().call('snapshots:export', {
    appId,
    source,
    table,
    filter,
    descending,
    format,
    path: target,
    ...(orderBy === null ? {} : { orderBy }),
  });
  return result.ok ? null : result.error;
}

/** Restore as a copy: the snapshot to a new file; the job's end is told in the notice. */
export async function copySnapshot(
  appId: string,
  file: string,
  target: string,
): Promise<LifeboatError | null> {
  const result = await lifeboat().call('snapshots:copy', { appId, file, path: target });
  return result.ok ? null : result.error;
}
