import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { ExportFormat } from '#contract/browse';
import { diffValueText, type DiffValue } from '#contract/diff';
import type { LifeboatError } from '#contract/errors';
import { formatLocalTime } from '#contract/format';
import { changeBrowse, copySnapshot, exportBrowsed, pageSize } from './browse-actions';
import { closeDialog } from '../../store/actions';
import { useStore } from '../../store/store';
import { ErrorText } from '../../ui/ErrorText';
import { Modal } from '../../ui/Modal';
import { sortArrows, sortDirection } from '../../ui/sort-direction';

/** The folder of a path, as typed by the user's system ("/srv/app/app.db" → "/srv/app"). */
function folderOf(filePath: string): string {
  return filePath.replace(/[/\\][^/\\]*$/, '');
}

/** Writes the rows shown (all pages) to a new file as CSV or SQL. */
/** `host`: the host the app lives on (the new file is written there), or null for this computer. */
function ExportForm(props: { suggestion: string; count: number; host: string | null }): ReactNode {
  const [format, setFormat] = useState<ExportFormat>('csv');
  const [target, setTarget] = useState(`${props.suggestion}.csv`);
  const [error, setError] = useState<LifeboatError | null>(null);
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setError(await exportBrowsed(format, target.trim()));
  };
  return (
    <form className="export-form" onSubmit={(event) => void submit(event)}>
      <label htmlFor="export-format">Export the {props.count.toLocaleString()} rows shown as</label>
      <div className="field-row">
        <select
          id="export-format"
          value={format}
          onChange={(event) => {
            const next = event.target.value as ExportFormat;
            setFormat(next);
            setTarget(target.replace(/\.(csv|sql)$/, `.${next}`));
          }}
        >
          <option value="csv">CSV (with a header row)</option>
          <option value="sql">SQL INSERT statements</option>
        </select>
        <input
          aria-label={props.host === null ? 'New file' : `New file on ${props.host}`}
          className="mono"
          value={target}
          onChange={(event) => setTarget(event.target.value)}
        />
        {props.host !== null && <span className="host-tag">on {props.host}</span>}
        <button type="submit">Export</button>
      </div>
      <ErrorText error={error} />
    </form>
  );
}

const rowHeight = 25;

/**
 * The rows of a page, only those in view rendered (a page holds up to 500), with spacers for the rest.
 * `scrollElement` is the scrolling box around the table, given once it is in the page: this body is
 * drawn in the same commit as that box, before a ref to it is set, so it renders again when it comes.
 */
function RowsBody(props: {
  rows: readonly (readonly DiffValue[])[];
  columns: readonly string[];
  offset: number;
  scrollElement: HTMLDivElement | null;
}): ReactNode {
  // The virtualizer's functions change every render by design; this component is not memoized.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: props.rows.length,
    getScrollElement: () => props.scrollElement,
    estimateSize: () => rowHeight,
    overscan: 20,
  });
  const items = virtualizer.getVirtualItems();
  const top = items[0]?.start ?? 0;
  const bottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);
  return (
    <tbody>
      {top > 0 && <tr aria-hidden="true" style={{ height: top }} />}
      {items.map((item) => (
        <tr
          key={props.offset + item.index}
          aria-rowindex={props.offset + item.index + 2}
          style={{ height: rowHeight }}
        >
          {(props.rows[item.index] ?? []).map((cell, i) => (
            <td
              key={props.columns[i] ?? i}
              className={cell === null ? 'null' : undefined}
              title={diffValueText(cell)}
            >
              {diffValueText(cell)}
            </td>
          ))}
        </tr>
      ))}
      {bottom > 0 && <tr aria-hidden="true" style={{ height: bottom }} />}
    </tbody>
  );
}

/** A table of a snapshot (or of the live database), read only: pages of rows, sorted and filtered, and an export of what it shows. */
export function BrowseDialog(): ReactNode {
  const browse = useStore((s) => s.browse);
  const app = useStore((s) => s.overview?.apps.find((a) => a.id === s.browse?.query.appId));
  const entry = useStore((s) =>
    s.browse === null
      ? undefined
      : s.lists[s.browse.query.appId]?.snapshots.find((e) => e.file === s.browse?.query.source),
  );
  const [filter, setFilter] = useState(browse?.query.filter ?? '');
  const [scrollElement, setScrollElement] = useState<HTMLDivElement | null>(null);
  const queryFilter = browse?.query.filter ?? '';
  useEffect(() => {
    if (filter === queryFilter) return undefined;
    // The filter follows the typing, a moment after it stops.
    const timer = window.setTimeout(() => changeBrowse({ filter }), 300);
    return () => window.clearTimeout(timer);
  }, [filter, queryFilter]);
  if (browse === null || app === undefined) {
    return null;
  }
  const { query, page, pageFilter, error } = browse;
  let source = entry === undefined ? query.source : `${entry.label}, ${formatLocalTime(entry.time)}`;
  if (query.source === 'live') {
    source = 'the live database (read only)';
  }
  const last = page === null ? 0 : Math.min(page.total, page.offset + page.rows.length);
  const stem = `${folderOf(app.databasePath)}/${query.table ?? 'table'}-${query.source === 'live' ? 'live' : query.source.replace(/\.[^.]*$/, '')}`;
  return (
    <Modal title={`Browse ${source}`} onClose={closeDialog} wide>
      <div className="browse-controls">
        <label htmlFor="browse-table">Table</label>
        <select
          id="browse-table"
          value={query.table ?? ''}
          onChange={(event) => changeBrowse({ table: event.target.value })}
        >
          {(page?.tables ?? []).map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <input
          type="search"
          aria-label="Filter rows"
          placeholder="Filter: rows containing…"
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
        />
      </div>
      <ErrorText error={error} />
      {page === null ? (
        <p className="muted">
          <progress aria-label="Reading rows" /> Reading rows…
        </p>
      ) : (
        <>
          <div className="browse-grid" ref={setScrollElement}>
            <table aria-label={`Rows of ${page.table}`} aria-rowcount={page.total}>
              <thead>
                <tr>
                  {page.columns.map((column) => {
                    const sorted = query.orderBy === column;
                    return (
                      <th key={column} scope="col" aria-sort={sorted ? sortDirection(query) : 'none'}>
                        <button
                          type="button"
                          className="sort"
                          onClick={() =>
                            changeBrowse({ orderBy: column, descending: sorted && !query.descending })
                          }
                        >
                          {column}
                          {sorted ? sortArrows[sortDirection(query)] : ''}
                        </button>
                      </th>
                    );
                  })}
                </tr>
              </thead>
              <RowsBody
                rows={page.rows}
                columns={page.columns}
                offset={page.offset}
                scrollElement={scrollElement}
              />
            </table>
            {page.rows.length === 0 && (
              <p className="muted pad">
                {pageFilter === '' ? 'This table has no rows.' : `No row contains “${pageFilter}”.`}
              </p>
            )}
          </div>
          <div className="pager">
            <span data-testid="browse-range">
              {page.total === 0
                ? 'No rows'
                : `Rows ${(page.offset + 1).toLocaleString()}–${last.toLocaleString()} of ${page.total.toLocaleString()}`}
              {pageFilter === '' ? '' : ' matching the filter'}
            </span>
            <button
              type="button"
              disabled={page.offset === 0}
              onClick={() => changeBrowse({ offset: Math.max(0, page.offset - pageSize) })}
            >
              Previous
            </button>
            <button
              type="button"
              disabled={last >= page.total}
              onClick={() => changeBrowse({ offset: page.offset + pageSize })}
            >
              Next
            </button>
          </div>
          <ExportForm key={`${page.table}`} suggestion={stem} count={page.total} host={app?.host ?? null} />
        </>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={closeDialog}>
          Close
        </button>
      </div>
    </Modal>
  );
}

/** Restore as a copy: the snapshot to a new file of the user's choice, for inspection; nothing live changes. */
export function CopyDialog(props: { appId: string; file: string }): ReactNode {
  const app = useStore((s) => s.overview?.apps.find((a) => a.id === props.appId));
  const [target, setTarget] = useState(
    app === undefined ? '' : `${folderOf(app.databasePath)}/${props.file.replace(/\.[^.]*$/, '')}-copy.db`,
  );
  const [error, setError] = useState<LifeboatError | null>(null);
  const [busy, setBusy] = useState(false);
  const onHost = app?.host ?? null;
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    const failed = await copySnapshot(props.appId, props.file, target.trim());
    setBusy(false);
    setError(failed);
    if (failed === null) closeDialog();
  };
  return (
    <Modal title="Restore as a copy" onClose={closeDialog}>
      <form onSubmit={(event) => void submit(event)}>
        <p className="help">
          Writes <span className="path">{props.file}</span> to a new file, checked, to open with any SQLite
          tool. The live database is not touched.
          {onHost !== null && ` The file is written on ${onHost}, where the app is.`}
        </p>
        <label htmlFor="copy-target">New file{onHost !== null && ` on ${onHost}`}</label>
        <input
          id="copy-target"
          className="mono"
          value={target}
          onChange={(event) => setTarget(event.target.value)}
        />
        <ErrorText error={error} />
        <div className="dialog-actions">
          <button type="button" onClick={closeDialog}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            Write the copy
          </button>
        </div>
      </form>
    </Modal>
  );
}
