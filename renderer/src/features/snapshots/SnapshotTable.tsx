import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { formatBytes, formatLocalTime, formatWhen } from '#contract/format';
import type { SnapshotEntry } from '#contract/snapshots';
import {
  openDialog,
  selectSnapshot,
  setFilter,
  showSnapshotsAt,
  sortBy,
  verifySnapshots,
  visibleSnapshots,
} from '../../store/actions';
import { useStore, type SortColumn } from '../../store/store';
import { RevisionBadge, StatusBadge } from '../../ui/StatusBadge';
import { useNow } from '../../ui/use-now';
import { OffsiteMark } from '../offsite/OffsiteMark';
import { JobProgressLine } from '../../ui/JobProgressLine';
import { sortArrows, sortDirection } from '../../ui/sort-direction';

const rowHeight = 44;
// `cell`: the class its cells share; a narrow table hides the note, then Last verified, then the schema
// (styles.css). Each cell says its column (aria-colindex, 1-based in this order), hidden ones or not.
const columns: ReadonlyArray<{ column: SortColumn | null; title: string; cell: string }> = [
  { column: 'time', title: 'When', cell: 'cell' },
  { column: 'label', title: 'Label', cell: 'cell label' },
  { column: null, title: 'Note', cell: 'cell note' },
  { column: 'size', title: 'Size', cell: 'cell size' },
  { column: 'status', title: 'Status', cell: 'cell' },
  { column: null, title: 'Last verified', cell: 'cell verified' },
  { column: null, title: 'Schema', cell: 'cell revision-cell' },
];

const emptyList: readonly SnapshotEntry[] = [];

/** "120", or "12 of 120" while a filter hides some. */
function countText(shown: number, all: number): string {
  return shown === all ? all.toLocaleString() : `${shown.toLocaleString()} of ${all.toLocaleString()}`;
}

/**
 * The snapshots of one app: sortable, filterable, virtualised (only the visible rows are in the
 * page, so 10,000 rows scroll smoothly), and driven by the keyboard: arrows move, Enter opens.
 */
export function SnapshotTable(props: { appId: string }): ReactNode {
  const snapshots = useStore((s) => s.lists[props.appId]?.snapshots ?? emptyList);
  const loaded = useStore((s) => s.lists[props.appId] !== undefined);
  const offsite = useStore((s) => s.lists[props.appId]?.offsite);
  const filter = useStore((s) => s.filter);
  const sort = useStore((s) => s.sort);
  const selectedFile = useStore((s) => s.selectedFile);
  const highlightFile = useStore((s) => s.highlightFile);
  const revisionFilter = useStore((s) => s.revisionFilter);
  const verifying = useStore((s) =>
    Object.values(s.jobs).find(
      (j) => j.kind === 'verify' && j.status === 'running' && j.appId === props.appId,
    ),
  );
  const rows = useMemo(
    () => visibleSnapshots(snapshots, filter, sort, revisionFilter),
    [snapshots, filter, sort, revisionFilter],
  );
  const [active, setActive] = useState(0);
  const scrollRef = useRef<HTMLDivElement>(null);
  const now = useNow();
  // The virtualiser's functions change every render by design; this component is not memoised.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 12,
  });

  // A new filter shows its matches from the top, not from wherever the old list was scrolled.
  useEffect(() => {
    setActive(0);
    scrollRef.current?.scrollTo({ top: 0 });
  }, [filter, revisionFilter]);

  useEffect(() => {
    if (highlightFile === null) {
      return;
    }
    const index = rows.findIndex((r) => r.file === highlightFile);
    if (index >= 0) {
      setActive(index);
      virtualizer.scrollToIndex(index);
    }
    // Scroll once to a newly created snapshot; later list changes keep the user's position.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [highlightFile, rows.length]);

  const move = (index: number): void => {
    const clamped = Math.max(0, Math.min(rows.length - 1, index));
    setActive(clamped);
    virtualizer.scrollToIndex(clamped);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    // Keys on a sort header's button are the button's (Enter and Space sort), not the rows'.
    if (event.target !== event.currentTarget) {
      return;
    }
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? rowHeight * 10) / rowHeight) - 1);
    const row = rows[active];
    switch (event.key) {
      case 'ArrowDown':
        move(active + 1);
        break;
      case 'ArrowUp':
        move(active - 1);
        break;
      case 'PageDown':
        move(active + page);
        break;
      case 'PageUp':
        move(active - page);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(rows.length - 1);
        break;
      case 'Enter':
      case ' ':
        if (row !== undefined) {
          void selectSnapshot(props.appId, row.file);
        }
        break;
      case 'Escape':
        void selectSnapshot(props.appId, null);
        break;
      default:
        return;
    }
    event.preventDefault();
  };

  const activeRow = rows[active];
  return (
    <section
      className="snapshots"
      role="tabpanel"
      id="view-snapshots"
      aria-labelledby="tab-snapshots"
      aria-label="Snapshots"
    >
      <div className="toolbar">
        <h2>
          Snapshots{' '}
          <span className="count" data-testid="snapshot-count">
            {loaded ? countText(rows.length, snapshots.length) : '…'}
          </span>
        </h2>
        {revisionFilter !== null && (
          <button
            type="button"
            className="chip"
            onClick={() => showSnapshotsAt(null)}
            aria-label={`Showing snapshots at revision ${revisionFilter}; show all`}
          >
            at {revisionFilter} ✕
          </button>
        )}
        {verifying !== undefined ? (
          <JobProgressLine job={verifying} label="Verifying snapshots" />
        ) : (
          snapshots.length > 0 && (
            <button
              type="button"
              onClick={() =>
                void verifySnapshots(
                  props.appId,
                  snapshots.map((s) => s.file),
                )
              }
              title="Check the integrity and the checksum of every snapshot in the folder"
            >
              Verify all
            </button>
          )
        )}
        <input
          id="snapshot-filter"
          type="search"
          placeholder="Filter by label or note  ( / )"
          aria-label="Filter snapshots by label or note"
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
          aria-keyshortcuts="/ Control+F Meta+F"
        />
      </div>
      {!loaded && (
        <div className="pad listing-progress">
          {/* Indeterminate: how many files the folder holds is what the listing finds out. */}
          <progress aria-label="Listing the backups folder" />
          <p className="muted">Listing the backups folder and reading each snapshot’s schema revision…</p>
        </div>
      )}
      {loaded && snapshots.length === 0 && (
        <div className="table-empty">
          <p>No snapshots yet.</p>
          <p className="muted">
            Take the first one now — it takes about as long as copying the file, and your app keeps running.
          </p>
          <button
            type="button"
            className="primary"
            onClick={() => openDialog({ kind: 'snapshot', appId: props.appId, jobId: null })}
          >
            Snapshot now
          </button>
        </div>
      )}
      {loaded && snapshots.length > 0 && (
        <div
          className="grid"
          role="grid"
          aria-label="Snapshots, newest first"
          aria-rowcount={rows.length + 1}
          tabIndex={0}
          onKeyDown={onKeyDown}
          aria-activedescendant={activeRow === undefined ? undefined : `row-${active}`}
        >
          <div className="grid-row header" role="row" aria-rowindex={1}>
            {columns.map(({ column, title, cell }, index) => (
              <div
                key={title}
                role="columnheader"
                aria-colindex={index + 1}
                className={cell}
                aria-sort={column !== null && sort.column === column ? sortDirection(sort) : undefined}
              >
                {column === null ? (
                  title
                ) : (
                  <button type="button" className="sort" onClick={() => sortBy(column)}>
                    {title}
                    {sort.column === column ? sortArrows[sortDirection(sort)] : ''}
                  </button>
                )}
              </div>
            ))}
          </div>
          <div className="grid-body" ref={scrollRef}>
            {rows.length === 0 ? (
              <p className="muted pad">No snapshot matches “{filter}”.</p>
            ) : (
              <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
                {virtualizer.getVirtualItems().map((item) => {
                  const row = rows[item.index];
                  if (row === undefined) {
                    return null;
                  }
                  const classes = [
                    'grid-row',
                    item.index === active ? 'active' : '',
                    row.file === selectedFile ? 'selected' : '',
                    row.file === highlightFile ? 'fresh' : '',
                  ]
                    .filter(Boolean)
                    .join(' ');
                  return (
                    <div
                      key={row.file}
                      id={`row-${item.index}`}
                      role="row"
                      aria-rowindex={item.index + 2}
                      aria-selected={row.file === selectedFile}
                      className={classes}
                      style={{
                        position: 'absolute',
                        top: 0,
                        left: 0,
                        right: 0,
                        height: item.size,
                        transform: `translateY(${item.start}px)`,
                      }}
                      onClick={() => {
                        setActive(item.index);
                        void selectSnapshot(props.appId, row.file);
                      }}
                    >
                      <div
                        role="gridcell"
                        aria-colindex={1}
                        className="cell"
                        title={formatLocalTime(row.time)}
                      >
                        {formatWhen(row.time, now)}
                      </div>
                      <div
                        role="gridcell"
                        aria-colindex={2}
                        className="cell label"
                        title={row.pinned ? `${row.file} (pinned: kept until unpinned)` : row.file}
                      >
                        {row.pinned && (
                          // Drawn, not an emoji: not every system has an emoji font.
                          <svg
                            className="pin-mark"
                            role="img"
                            aria-label="Pinned"
                            viewBox="0 0 16 16"
                            width="12"
                            height="12"
                          >
                            <path
                              d="M10 1l5 5-1.5.7-2.6 2.6-.4 3.2L9 14l-3-3-4 4H1v-1l4-4-3-3 1.5-1.5 3.2-.4L9.3 2.5z"
                              fill="currentColor"
                            />
                          </svg>
                        )}
                        <OffsiteMark marks={offsite?.[row.file]} />
                        {row.label}
                      </div>
                      <div role="gridcell" aria-colindex={3} className="cell note" title={row.note ?? ''}>
                        {row.note ?? ''}
                      </div>
                      <div role="gridcell" aria-colindex={4} className="cell size">
                        {formatBytes(row.size)}
                      </div>
                      <div role="gridcell" aria-colindex={5} className="cell">
                        <StatusBadge status={row.status} reason={row.statusReason} />
                      </div>
                      <div
                        role="gridcell"
                        aria-colindex={6}
                        className="cell verified"
                        title={
                          row.lastVerified === null ? 'Never verified' : formatLocalTime(row.lastVerified)
                        }
                      >
                        {row.lastVerified === null ? (
                          <span className="muted">never</span>
                        ) : (
                          formatWhen(row.lastVerified, now)
                        )}
                      </div>
                      <div role="gridcell" aria-colindex={7} className="cell revision-cell">
                        <RevisionBadge migration={row.migration} short />
                      </div>
                    </div>
                  );
                })}
              </div>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
