import { useState, type ReactNode } from 'react';
import { diffValueText, type DiffResult, type RowChange, type TableDiff } from '#contract/diff';
import { formatLocalTime } from '#contract/format';
import { closeCompare } from './compare-actions';
import { useStore } from '../../store/store';
import { ErrorText } from '../../ui/ErrorText';
import { Modal } from '../../ui/Modal';

const plural = (n: number, word: string): string => `${n.toLocaleString()} ${word}${n === 1 ? '' : 's'}`;

/** The rows of one kind, old and new side by side for a change, the changed cells marked. */
function RowSamples(props: {
  table: TableDiff;
  kind: 'deleted' | 'changed' | 'added';
  rows: readonly RowChange[];
  total: number;
  words: Record<'deleted' | 'changed' | 'added', string>;
}): ReactNode {
  const { table, kind, rows, total } = props;
  if (rows.length === 0) {
    return null;
  }
  return (
    <div className="samples">
      <h4>
        {props.words[kind]}: {total.toLocaleString()}
        {total > rows.length ? ` (the first ${rows.length} shown)` : ''}
      </h4>
      <div className="sample-scroll">
        <table className={`sample-table ${kind}`}>
          <thead>
            <tr>
              {kind === 'changed' && <th scope="col" aria-label="Before or after" />}
              {table.columns.map((column) => (
                <th scope="col" key={column}>
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((change, index) =>
              kind === 'changed' ? (
                [change.before, change.after].map((cells, side) => (
                  <tr key={`${index}-${side}`} className={side === 0 ? 'before' : 'after'}>
                    <th scope="row">{side === 0 ? 'before' : 'after'}</th>
                    {table.columns.map((column, i) => (
                      <td
                        key={column}
                        className={change.changedColumns.includes(column) ? 'changed-cell' : undefined}
                      >
                        {diffValueText(cells?.[i] ?? null)}
                      </td>
                    ))}
                  </tr>
                ))
              ) : (
                <tr key={index}>
                  {table.columns.map((column, i) => (
                    <td key={column}>{diffValueText((change.after ?? change.before)?.[i] ?? null)}</td>
                  ))}
                </tr>
              ),
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}

const kinds = ['deleted', 'changed', 'added'] as const;

function TableRow(props: {
  table: TableDiff;
  words: Record<'deleted' | 'changed' | 'added', string>;
}): ReactNode {
  const { table, words } = props;
  const [open, setOpen] = useState(false);
  const any = table.added + table.changed + table.deleted > 0;
  return (
    <li className="compare-table">
      <button
        type="button"
        className="compare-table-head"
        aria-expanded={open}
        disabled={!any && table.note === null}
        onClick={() => setOpen(!open)}
      >
        <span className="table-name">{table.name}</span>
        <span className={table.deleted > 0 ? 'count deleted' : 'count'}>
          −{table.deleted.toLocaleString()}
        </span>
        <span className={table.changed > 0 ? 'count changed' : 'count'}>
          ~{table.changed.toLocaleString()}
        </span>
        <span className={table.added > 0 ? 'count added' : 'count'}>+{table.added.toLocaleString()}</span>
      </button>
      {open && (
        <div className="compare-table-body">
          {table.note !== null && <p className="muted">{table.note}</p>}
          {kinds.map((kind) => (
            <RowSamples
              key={kind}
              table={table}
              kind={kind}
              rows={table.samples[kind]}
              total={table[kind]}
              words={words}
            />
          ))}
        </div>
      )}
    </li>
  );
}

/** The headline: in restore terms when B is the live database, else plainly. */
function headline(result: DiffResult, restoring: boolean): string {
  const { added, changed, deleted } = result.totals;
  if (added + changed + deleted === 0) {
    return 'The rows are the same in both.';
  }
  if (restoring) {
    const effects = [
      added > 0 ? `lose ${plural(added, 'row')} added since` : null,
      changed > 0 ? `undo the changes to ${plural(changed, 'row')}` : null,
      deleted > 0 ? `get back ${plural(deleted, 'row')} deleted since` : null,
    ].filter((e) => e !== null);
    const list =
      effects.length === 1 ? effects[0] : `${effects.slice(0, -1).join(', ')} and ${effects.at(-1) ?? ''}`;
    return `Restoring this snapshot would ${list ?? ''}.`;
  }
  return `${plural(added, 'row')} added, ${plural(changed, 'row')} changed, ${plural(deleted, 'row')} deleted.`;
}

/** What changed between two snapshots, or a snapshot and the live database: per table, then the rows. */
export function CompareDialog(): ReactNode {
  const run = useStore((s) => s.compare);
  const job = useStore((s) =>
    s.compare?.jobId === null || s.compare === null ? undefined : s.jobs[s.compare.jobId],
  );
  const found = useStore((s) =>
    s.compare?.jobId === null || s.compare === null ? undefined : s.diffResults[s.compare.jobId],
  );
  const snapshots = useStore((s) => (s.compare === null ? undefined : s.lists[s.compare.appId]?.snapshots));
  if (run === null) {
    return null;
  }
  const nameOf = (side: string): string => {
    if (side === 'live') return 'the live database';
    const entry = snapshots?.find((s) => s.file === side);
    return entry === undefined ? side : `${entry.label} (${formatLocalTime(entry.time)})`;
  };
  const restoring = run.b === 'live';
  const words = restoring
    ? {
        deleted: 'Rows you would get back (deleted since)',
        changed: 'Changes you would undo',
        added: 'Rows you would lose (added since)',
      }
    : { deleted: 'Deleted', changed: 'Changed', added: 'Added' };
  const result = found ?? null;
  const error = run.error ?? job?.error ?? null;
  return (
    <Modal title={`Compare ${nameOf(run.a)} with ${nameOf(run.b)}`} onClose={closeCompare} wide>
      {result === null && error === null && (
        <div className="progress-block" role="status">
          <p className="phase">{job?.phase ?? 'Starting'}…</p>
          <progress value={job?.fraction ?? 0} max={1} aria-label="Comparing" />
          <p className="help">
            Both databases are read in key order at once; the live database is only read.
          </p>
        </div>
      )}
      <ErrorText error={error} />
      {result !== null && (
        <div className="compare-result">
          <p className="compare-headline" data-testid="compare-headline">
            {headline(result, restoring)}
          </p>
          {result.schema.length > 0 && (
            <ul className="schema-changes" aria-label="Schema differences">
              {result.schema.map((d) => (
                <li key={`${d.type} ${d.name}`}>
                  {d.type} <strong>{d.name}</strong>:{' '}
                  {
                    {
                      'only-a': `only in ${nameOf(run.a)}`,
                      'only-b': `only in ${nameOf(run.b)}`,
                      changed: 'changed',
                    }[d.change]
                  }
                  {d.columnsOnlyA.length + d.columnsOnlyB.length > 0 &&
                    ` (columns ${[...d.columnsOnlyA.map((c) => `−${c}`), ...d.columnsOnlyB.map((c) => `+${c}`)].join(' ')})`}
                </li>
              ))}
            </ul>
          )}
          <div className="compare-legend muted" aria-hidden="true">
            <span>Table</span>
            <span>deleted</span>
            <span>changed</span>
            <span>added</span>
          </div>
          <ul className="compare-tables" aria-label="Tables">
            {result.tables.map((table) => (
              <TableRow key={table.name} table={table} words={words} />
            ))}
          </ul>
        </div>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={closeCompare}>
          {result === null && error === null ? 'Cancel' : 'Close'}
        </button>
      </div>
    </Modal>
  );
}
