import { useEffect, useRef, useState, type ReactNode } from 'react';
import { describeCommandSource } from '#contract/app-run';
import { formatBytes, formatDuration } from '#contract/format';
import {
  describeJournalMode,
  describeSchemaDifference,
  isRollbackStep,
  notTriedText,
  type RestorePreview,
} from '#contract/restore';
import {
  backToPreview,
  cancelRestore,
  closeRestore,
  isRunning,
  restoreAnyway,
  startRestore,
} from './restore-actions';
import { startCompare } from '../compare/compare-actions';
import { useStore } from '../../store/store';
import { putsBack, type RestoreMode, type RestoreRun } from '../../store/restore-state';
import { Modal } from '../../ui/Modal';
import { dialogStateOf, type RestoreDialogState } from './restore-run';
import { restoreStepViews, rollbackStepViews, type StepView } from './restore-stepper';
import { revisionText } from '../../ui/StatusBadge';
import { useElapsedClock } from '../../ui/use-now';

/** The guarded restore, as a dialog: what it will do (preview), then each step as it runs, then the outcome. */
export function RestoreDialog(): ReactNode {
  const run = useStore((s) => s.restore);
  if (run === null) {
    return null;
  }
  return (
    <Modal title={titleOf(run)} onClose={isRunning(run) ? () => undefined : closeRestore} wide>
      <DialogBody run={run} state={dialogStateOf(run)} />
    </Modal>
  );
}

function DialogBody(props: { run: RestoreRun; state: RestoreDialogState }): ReactNode {
  const { run, state } = props;
  switch (state.kind) {
    case 'previewing':
      return (
        <div className="progress-block" aria-live="polite">
          <p className="phase">
            Preflight: verifying the snapshot, reading its schema, looking for processes that hold the
            database…
          </p>
          <progress aria-label="Preflight progress" />
        </div>
      );
    case 'refused':
      return (
        <>
          <p className="error-text" role="alert">
            {state.error.message} <code>{state.error.code}</code>
          </p>
          <div className="dialog-actions">
            <button type="button" className="primary" onClick={closeRestore} autoFocus>
              Close
            </button>
          </div>
        </>
      );
    case 'ready':
      return <PreviewBody run={run} preview={state.preview} />;
    case 'running':
    case 'finished':
      return <ProgressBody run={run} />;
  }
}

/** The preview's go-ahead button, where it is not "Restore". */
const startLabels: Partial<Record<RestoreMode, string>> = { undo: 'Undo restore', redo: 'Redo restore' };

function titleOf(run: RestoreRun): string {
  switch (run.mode) {
    case 'restore':
      return `Restore ${run.file}`;
    case 'undo':
      return 'Undo last restore';
    case 'redo':
      return 'Redo the restore';
    case 'rehearse':
      return `Rehearse restoring ${run.file}`;
    case 'resume':
      return 'Finish the interrupted restore';
    case 'rollback':
      return 'Roll back the interrupted restore';
  }
}

function PreviewBody(props: { run: RestoreRun; preview: RestorePreview }): ReactNode {
  const { run, preview } = props;
  const [allowOpen, setAllowOpen] = useState(false);
  const inUse = preview.blockers.some((b) => b.code === 'DB_IN_USE');
  const otherBlockers = preview.blockers.filter((b) => b.code !== 'DB_IN_USE');
  const blocked = otherBlockers.length > 0 || (inUse && !allowOpen);
  return (
    <>
      <p>
        {run.mode === 'undo' && (
          <>
            Puts back <strong>{preview.snapshot}</strong>, the snapshot Lifeboat took of the live database
            just before the last restore, exactly as it was (no upgrade). What is live now is kept as a pinned
            pre-undo snapshot of its own, so the undo can be redone.
          </>
        )}
        {run.mode === 'redo' && (
          <>
            Puts back <strong>{preview.snapshot}</strong>, the snapshot Lifeboat took just before the last
            undo: the database as the restore had left it, exactly as it was (no upgrade). What is live now is
            kept as a pinned pre-redo snapshot of its own.
          </>
        )}
        {!putsBack(run.mode) && (
          <>
            Replaces the live database <span className="path">{preview.database}</span> with{' '}
            <strong>{preview.snapshot}</strong>. A verified, pinned pre-restore snapshot is taken first; if
            anything fails after the swap, the database is rolled back to it.
          </>
        )}
      </p>
      {preview.blockers.length > 0 && (
        <div className="blockers" role="alert">
          <h3>{otherBlockers.length > 0 ? 'This restore cannot go ahead' : 'The database is in use'}</h3>
          <ul>
            {preview.blockers.map((b) => (
              <li key={b.code + b.message}>
                {b.message} <code>{b.code}</code>
              </li>
            ))}
          </ul>
          {inUse && otherBlockers.length === 0 && (
            <label className="checkbox">
              <input
                type="checkbox"
                checked={allowOpen}
                onChange={(event) => setAllowOpen(event.target.checked)}
              />
              <span>
                Restore anyway. The process keeps its old file open and may go on writing to it: only if you
                know it does not.
              </span>
            </label>
          )}
        </div>
      )}
      <TableChanges preview={preview} appId={run.appId} file={run.file} rowsJobId={run.rowsJobId} />
      <p className="help" data-testid="journal-mode">
        {describeJournalMode(preview.journalMode)}
        {preview.journalMode.from === 'live' ? '; so are the file’s owner and permissions.' : '.'}
      </p>
      <h3>Schema</h3>
      {preview.schema === null ? (
        <p className="muted">
          {putsBack(run.mode)
            ? 'Put back as it was: no upgrade runs.'
            : 'No migrations known for this app: the snapshot is restored as it is.'}
        </p>
      ) : (
        <>
          <p data-testid="preview-schema">
            <span className={`badge revision revision-${preview.schema.status}`}>
              {revisionText(preview.schema)}
            </span>{' '}
            {preview.schema.summary}
          </p>
          {preview.schema.pending.length > 0 &&
            (preview.schema.reference === 'code' ? (
              <p className="help">
                Migrations the upgrade applies, in order:{' '}
                <strong>{preview.schema.pending.join(' → ')}</strong>
              </p>
            ) : (
              <p className="help">
                No migration files are at hand, so Lifeboat runs no upgrade: an app that migrates when it
                starts brings the snapshot to where the live database is.
              </p>
            ))}
        </>
      )}
      <h3>The app</h3>
      {preview.manualStop ? (
        <p>
          No stop command is set: <strong>stop the app yourself</strong> before you go on. Lifeboat refuses to
          swap while any process holds the database open.
        </p>
      ) : null}
      {!preview.holdersKnown && (
        <p className="warn">
          Lifeboat cannot see which processes hold files open on this system: make sure the app is stopped
          before you go on.
        </p>
      )}
      {preview.commands.length > 0 && (
        <>
          <p className="help">These commands of the app run, exactly as written in its settings:</p>
          <pre className="commands">{preview.commands.map((c) => `${c.which}: ${c.text}`).join('\n')}</pre>
          <ul className="help" aria-label="Where each command comes from and who runs it">
            {preview.commands.map((c) => (
              <li key={c.which}>
                {c.which}: {describeCommandSource(c.origin, c.user)}
              </li>
            ))}
          </ul>
        </>
      )}
      {preview.healthUrl !== null && (
        <p className="help">
          After the start, Lifeboat waits for <span className="path">{preview.healthUrl}</span> to answer
          healthy.
        </p>
      )}
      <p className="help">
        Needs {formatBytes(preview.neededBytes)} beside the database; {formatBytes(preview.freeBytes)} free.
      </p>
      <div className="dialog-actions">
        <button type="button" onClick={closeRestore} autoFocus>
          Cancel
        </button>
        {run.mode === 'restore' && (
          <button
            type="button"
            onClick={() => void startRestore({ allowOpen, rehearse: true })}
            disabled={otherBlockers.length > 0}
            title="Swap, upgrade and verify on a scratch copy; nothing live is touched"
          >
            Rehearse
          </button>
        )}
        <button
          type="button"
          className="danger"
          onClick={() => void startRestore({ allowOpen, rehearse: false })}
          disabled={blocked}
        >
          {startLabels[run.mode] ?? 'Restore'}
        </button>
      </div>
    </>
  );
}

/** The rows a restore would lose and get back, from a comparison of the snapshot with the live database; the rows one click away. */
function RowChanges(props: { appId: string; file: string; jobId: string | null }): ReactNode {
  const job = useStore((s) => (props.jobId === null ? undefined : s.jobs[props.jobId]));
  const found = useStore((s) => (props.jobId === null ? undefined : s.diffResults[props.jobId]));
  if (props.jobId === null || (job === undefined && found === undefined)) {
    return <p className="muted row-changes">Comparing the rows with the live database…</p>;
  }
  if (found === undefined) {
    return job?.error !== null && job?.error !== undefined ? (
      <p className="muted row-changes">The rows could not be compared: {job.error.message}</p>
    ) : (
      <p className="muted row-changes">
        Comparing the rows with the live database…{' '}
        <progress value={job?.fraction ?? 0} max={1} aria-label="Comparing the rows" />
      </p>
    );
  }
  const { added, changed, deleted } = found.totals;
  return (
    <p className="row-changes" data-testid="row-changes">
      <span className={added > 0 ? 'loss' : undefined}>Rows you would lose: {added.toLocaleString()}</span> ·{' '}
      <span>changes undone: {changed.toLocaleString()}</span> ·{' '}
      <span>rows you would get back: {deleted.toLocaleString()}</span>{' '}
      <button
        type="button"
        className="link"
        onClick={() => void startCompare(props.appId, props.file, 'live', props.jobId)}
      >
        See the rows…
      </button>
    </p>
  );
}

/** A table's rows the restore loses ("1,204 rows lost"), gains ("3 more"), or "–" for neither. */
function rowsLostText(lost: number): string {
  if (lost > 0) {
    return `${lost.toLocaleString()} rows lost`;
  }
  return lost < 0 ? `${(-lost).toLocaleString()} more` : '–';
}

function TableChanges(props: {
  preview: RestorePreview;
  appId: string;
  file: string;
  rowsJobId: string | null;
}): ReactNode {
  const { preview } = props;
  if (!preview.liveExists) {
    return <p className="muted">There is no live database yet: nothing is replaced.</p>;
  }
  if (!preview.snapshotReadable) {
    return (
      <>
        <h3>What changes</h3>
        <p className="muted" data-testid="unreadable-snapshot">
          The snapshot could not be read, so Lifeboat cannot tell what a restore would change: it failed
          verification (see above).
        </p>
      </>
    );
  }
  const changed = preview.tables.filter((t) => t.liveRows !== t.snapshotRows);
  return (
    <>
      <h3>What changes</h3>
      {preview.schemaDifferences.length > 0 && (
        <ul className="schema-differences" aria-label="Schema differences">
          {preview.schemaDifferences.map((d) => (
            <li key={`${d.type} ${d.name}`}>{describeSchemaDifference(d)}</li>
          ))}
        </ul>
      )}
      {changed.length === 0 ? (
        <p className="muted">
          Every table has the same number of rows in the snapshot as in the live database.
        </p>
      ) : (
        <table className="tables changes">
          <thead>
            <tr>
              <th scope="col">Table</th>
              <th scope="col">Rows now</th>
              <th scope="col">Rows after</th>
              <th scope="col">Difference</th>
            </tr>
          </thead>
          <tbody>
            {preview.tables.map((t) => {
              const lost = (t.liveRows ?? 0) - (t.snapshotRows ?? 0);
              return (
                <tr key={t.name}>
                  <td>{t.name}</td>
                  <td>
                    {t.liveRows === null ? (
                      <span className="muted">no table</span>
                    ) : (
                      t.liveRows.toLocaleString()
                    )}
                  </td>
                  <td>
                    {t.snapshotRows === null ? (
                      <span className="muted">no table</span>
                    ) : (
                      t.snapshotRows.toLocaleString()
                    )}
                  </td>
                  <td className={lost > 0 ? 'loss' : undefined}>{rowsLostText(lost)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <RowChanges appId={props.appId} file={props.file} jobId={props.rowsJobId} />
    </>
  );
}

function headline(run: RestoreRun): { text: string; tone: 'running' | 'ok' | 'warn' | 'bad' } {
  if (run.error !== null) {
    // The failed step says why.
    return {
      text:
        run.error.code === 'CANCELLED'
          ? 'Cancelled before anything was changed.'
          : 'Stopped before anything was changed.',
      tone: 'bad',
    };
  }
  const result = run.result;
  if (result === null) {
    return {
      text:
        run.current !== null && isRollbackStep(run.current)
          ? 'Rolling back…'
          : 'Working… keep this window open.',
      tone: 'running',
    };
  }
  switch (result.outcome) {
    case 'restored': {
      const done = { restore: 'Restored', undo: 'Undone', redo: 'Redone' }[result.putBack ?? 'restore'];
      return {
        text: result.steps.some((s) => s.step === 'start' && s.skipped)
          ? `${done}. Start the app again now: no start command is set.`
          : `${done}. The app runs on the snapshot’s data.`,
        tone: 'ok',
      };
    }
    case 'resumed':
      return { text: 'The interrupted restore was finished.', tone: 'ok' };
    case 'nothing-to-recover':
      return { text: 'There was no interrupted restore.', tone: 'ok' };
    case 'rolled-back':
      // The failed step says why; the headline says where things stand.
      return {
        text:
          result.error === null
            ? 'Rolled back: the database is as it was before the restore.'
            : 'The restore failed and was rolled back: the live database is as it was before.',
        tone: result.error === null ? 'ok' : 'bad',
      };
    case 'rehearsed': {
      const untried = notTriedText(result);
      if (result.error === null && untried !== null) {
        // Never green alone: what was not tried can still fail in the real restore.
        return { text: `Rehearsal passed, but ${untried}. Nothing was changed.`, tone: 'warn' };
      }
      return result.error === null
        ? { text: 'Rehearsal passed: the restore would go through. Nothing was changed.', tone: 'ok' }
        : {
            text: `The rehearsal found a problem: ${result.error.message} Nothing was changed.`,
            tone: 'bad',
          };
    }
  }
}

function ProgressBody(props: { run: RestoreRun }): ReactNode {
  const { run } = props;
  const running = isRunning(run);
  const now = useElapsedClock(running ? 250 : 60_000);
  const steps = restoreStepViews(run);
  const rollback = rollbackStepViews(run);
  const { text, tone } = headline(run);
  const swapped = (run.current !== null && isRollbackStep(run.current)) || run.startedAt.stage !== undefined;
  return (
    <>
      <p className={`restore-headline ${tone}`} role="status" aria-live="polite">
        {text}
      </p>
      {steps.length > 0 && <Stepper label="Restore steps" steps={steps} now={now} work={run.work} />}
      {rollback.length > 0 && (
        <>
          <h3>Rollback</h3>
          <Stepper label="Rollback steps" steps={rollback} now={now} work={null} />
        </>
      )}
      {run.output.length > 0 && <OutputLog lines={run.output} />}
      {run.result?.preRestoreSnapshot !== null &&
        run.result?.preRestoreSnapshot !== undefined &&
        run.result.outcome === 'restored' && (
          <p className="help">
            Pre-restore snapshot (pinned):{' '}
            <strong>{run.result.preRestoreSnapshot.split(/[/\\]/).pop()}</strong>. <em>Undo last restore</em>{' '}
            puts it back while it exists.
          </p>
        )}
      <div className="dialog-actions">
        {running ? (
          <button type="button" onClick={() => void cancelRestore()}>
            {swapped ? 'Cancel and roll back' : 'Cancel'}
          </button>
        ) : (
          <>
            {run.mode === 'rehearse' && run.result?.error === null && (
              <button type="button" onClick={backToPreview}>
                Back to the restore
              </button>
            )}
            {run.error?.code === 'DB_IN_USE' && (run.mode === 'restore' || putsBack(run.mode)) && (
              <button
                type="button"
                className="danger"
                onClick={() => void restoreAnyway()}
                title="The process keeps its old file open and may go on writing to it: only if you know it does not"
              >
                Restore anyway
              </button>
            )}
            <button type="button" className="primary" onClick={closeRestore} autoFocus>
              Close
            </button>
          </>
        )}
      </div>
    </>
  );
}

const stateSymbols: Record<StepView['state'], string> = {
  pending: '○',
  running: '●',
  done: '✓',
  skipped: '↷',
  failed: '✕',
  'not-run': '–',
};
const stateWords: Record<StepView['state'], string> = {
  pending: 'waiting',
  running: 'running',
  done: 'done',
  skipped: 'skipped',
  failed: 'failed',
  'not-run': 'not run',
};

function Stepper(props: {
  label: string;
  steps: StepView[];
  now: number;
  work: RestoreRun['work'];
}): ReactNode {
  return (
    <ol className="stepper" aria-label={props.label}>
      {props.steps.map((step) => {
        const elapsed =
          step.state === 'running' && step.startedAt !== null ? props.now - step.startedAt : step.durationMs;
        return (
          <li
            key={step.key}
            className={`step ${step.state}`}
            aria-current={step.state === 'running' ? 'step' : undefined}
          >
            <span className="step-icon" aria-hidden="true">
              {stateSymbols[step.state]}
            </span>
            <span className="step-title">{step.title}</span>
            <span className="step-state">{stateWords[step.state]}</span>
            <span className="step-time">{elapsed === null ? '' : formatDuration(elapsed)}</span>
            {step.state === 'running' && (
              <div className="step-progress">
                {props.work === null ? (
                  <progress aria-label={`${step.title} progress`} />
                ) : (
                  <progress
                    max={100}
                    value={Math.round(props.work.fraction * 100)}
                    aria-label={`${step.title} progress`}
                  />
                )}
                {props.work !== null && <span className="muted">{props.work.phase}</span>}
              </div>
            )}
            {step.note !== null && (
              <p className={step.state === 'failed' ? 'step-note error-text' : 'step-note muted'}>
                {step.note}
              </p>
            )}
          </li>
        );
      })}
    </ol>
  );
}

function OutputLog(props: { lines: readonly string[] }): ReactNode {
  const ref = useRef<HTMLPreElement>(null);
  useEffect(() => {
    const pre = ref.current;
    if (pre !== null) {
      pre.scrollTop = pre.scrollHeight;
    }
  }, [props.lines]);
  return (
    <details className="output" open>
      <summary>Output of the app’s commands</summary>
      <pre ref={ref} role="log" aria-label="Output of the app’s commands" tabIndex={0}>
        {props.lines.join('\n')}
      </pre>
    </details>
  );
}
