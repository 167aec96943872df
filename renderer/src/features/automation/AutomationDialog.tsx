import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { LifeboatError } from '#contract/errors';
import { formatLocalTime } from '#contract/format';
import {
  hasNoRules,
  keepReasonText,
  ruleFlag,
  retentionRuleNames,
  retentionRulesSchema,
  type PruneDecision,
  type PruneResult,
  type RetentionRuleName,
  type RetentionRules,
} from '#contract/retention';
import { durationSchema, scheduleSchema, type Schedule } from '#contract/schedule';
import { closeDialog, lifeboat, setAppAutomation } from '../../store/actions';
import { useStore } from '../../store/store';
import { ErrorText } from '../../ui/ErrorText';
import { Modal } from '../../ui/Modal';

type ScheduleKind = 'none' | 'every' | 'daily' | 'cron';

const ruleLabels: Record<RetentionRuleName, string> = {
  keepLast: 'Last',
  keepHourly: 'Hourly',
  keepDaily: 'Daily',
  keepWeekly: 'Weekly',
  keepMonthly: 'Monthly',
  keepYearly: 'Yearly',
};

function kindOf(schedule: Schedule | null): ScheduleKind {
  if (schedule === null) return 'none';
  if ('every' in schedule) return 'every';
  return 'daily' in schedule ? 'daily' : 'cron';
}

/** The schedule the form describes, or a sentence saying what is wrong with it. */
function scheduleOf(
  kind: ScheduleKind,
  value: string,
  label: string,
): { schedule: Schedule | undefined } | { problem: string } {
  if (kind === 'none') {
    return { schedule: undefined };
  }
  const parsed = scheduleSchema.safeParse({
    [kind]: value,
    ...(label.trim() === '' ? {} : { label: label.trim() }),
  });
  return parsed.success
    ? { schedule: parsed.data }
    : { problem: `Schedule: ${parsed.error.issues[0]?.message ?? 'not valid'}.` };
}

/** What the retention preview says while it has nothing to show. */
function previewPlaceholder(
  rules: ReturnType<typeof rulesOf>,
  previewError: { readonly message: string } | null,
): string {
  if ('problem' in rules) {
    return rules.problem;
  }
  if (previewError !== null) {
    return previewError.message;
  }
  return hasNoRules(rules.rules)
    ? 'No rules: every snapshot is kept. Set a rule to see what it would delete.'
    : 'Working out what the rules keep…';
}

/** The rules the form describes (empty fields left out), or what is wrong with them. */
function rulesOf(values: Record<RetentionRuleName, string>): { rules: RetentionRules } | { problem: string } {
  const entries = retentionRuleNames
    .filter((name) => values[name].trim() !== '')
    .map((name) => [name, Number(values[name])]);
  const parsed = retentionRulesSchema.safeParse(Object.fromEntries(entries));
  return parsed.success
    ? { rules: parsed.data }
    : { problem: 'Each rule is a whole number from 1 to 100000, or empty.' };
}

const rowHeight = 30;

/** Labels every snapshot of a kind has (a click's, the schedule's): the others name a moment someone chose to keep. */
const routineLabels = new Set(['manual', 'scheduled']);

/** "before-upgrade — Before upgrading to v1.5": a snapshot as a person named it. */
function namedAs(s: PruneDecision): string {
  return s.note === null ? s.label : `${s.label} — ${s.note}`;
}

/**
 * The snapshots someone labelled or wrote a note for that the rules would delete, called out before
 * saving (at most five by name, those with a note first), or nothing.
 */
function LabelledDeletions(props: {
  snapshots: readonly PruneDecision[];
  scheduleLabel: string | null;
}): ReactNode {
  const doomed = props.snapshots.filter((s) => s.decision === 'delete');
  // Those with a note first (someone wrote why), then those only labelled; newest first in each.
  const named = [
    ...doomed.filter((s) => s.note !== null),
    ...doomed.filter(
      (s) => s.note === null && !routineLabels.has(s.label) && s.label !== props.scheduleLabel,
    ),
  ];
  if (named.length === 0) {
    return null;
  }
  return (
    <div className="labelled-deletions">
      <p>Snapshots someone labelled or wrote a note for:</p>
      <ul aria-label="Labelled snapshots the rules delete">
        {named.slice(0, 5).map((s) => (
          <li key={s.file}>
            <strong>{namedAs(s)}</strong> ({formatLocalTime(s.time)}) will be deleted
          </li>
        ))}
        {named.length > 5 && <li>and {named.length - 5} more, in the list below</li>}
      </ul>
    </div>
  );
}

/** What the rules would do to the app's snapshots now: a timeline of keeps and deletions, then every snapshot with why. */
function RetentionPreview(props: { preview: PruneResult; scheduleLabel: string | null }): ReactNode {
  const { snapshots } = props.preview;
  const scrollRef = useRef<HTMLDivElement>(null);
  // The virtualizer's functions change with every scroll: this component is not memoized, by design.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: snapshots.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 10,
  });
  const times = snapshots.map((s) => Date.parse(s.time));
  const oldest = Math.min(...times);
  const span = Math.max(1, Math.max(...times) - oldest);
  const deleted = snapshots.filter((s) => s.decision === 'delete').length;
  const planned = snapshots.some((s) => s.planned === true);
  return (
    <div className="retention-preview" data-testid="retention-preview">
      <p className="preview-summary" aria-live="polite">
        <strong>{snapshots.length - deleted} kept</strong>,{' '}
        <strong className={deleted > 0 ? 'warn' : undefined}>{deleted} deleted</strong> of {snapshots.length}{' '}
        snapshots
        {planned && ', the next scheduled one included'}
        {snapshots.length > 0 &&
          ` (${formatLocalTime(new Date(oldest).toISOString()).slice(0, 10)} to ${formatLocalTime(new Date(oldest + span).toISOString()).slice(0, 10)})`}
        .
      </p>
      <LabelledDeletions snapshots={snapshots} scheduleLabel={props.scheduleLabel} />
      <div className="timeline" aria-hidden="true">
        {snapshots.map((s, i) => (
          <span
            key={s.file}
            className={`tick ${s.decision}`}
            style={{ left: `${(((times[i] ?? oldest) - oldest) / span) * 100}%` }}
            title={`${formatLocalTime(s.time)}: ${s.decision}`}
          />
        ))}
      </div>
      <div
        className="preview-list"
        ref={scrollRef}
        role="list"
        aria-label="Every snapshot, and what the rules do with it"
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const s = snapshots[item.index];
            if (s === undefined) return null;
            const rule =
              s.reasons.length === 0 ? 'no rule keeps it' : s.reasons.map(keepReasonText).join('; ');
            const why = s.planned === true ? `the next scheduled snapshot, taken first: ${rule}` : rule;
            return (
              <div
                key={s.file}
                role="listitem"
                className={`preview-row ${s.decision}`}
                style={{
                  position: 'absolute',
                  top: 0,
                  left: 0,
                  right: 0,
                  height: item.size,
                  transform: `translateY(${item.start}px)`,
                }}
              >
                <span className={`decision ${s.decision}`}>{s.decision === 'keep' ? 'Keep' : 'Delete'}</span>
                <span className="time">{formatLocalTime(s.time)}</span>
                <span className="what" title={namedAs(s)}>
                  <strong>{s.label}</strong>
                  {s.note !== null && <span className="muted"> — {s.note}</span>}
                </span>
                <span className="why" title={`${s.file}: ${why}`}>
                  {why}
                </span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

/** When the app is snapshotted on its own, how long snapshots are kept (with a preview on its real snapshots), and when it counts as stale. */
export function AutomationDialog(props: { appId: string }): ReactNode {
  const app = useStore((s) => s.overview?.apps.find((a) => a.id === props.appId));
  const automation = app?.automation;
  const schedule = automation?.schedule ?? null;
  const [kind, setKind] = useState<ScheduleKind>(kindOf(schedule));
  const [every, setEvery] = useState(schedule !== null && 'every' in schedule ? schedule.every : '6h');
  const [daily, setDaily] = useState(schedule !== null && 'daily' in schedule ? schedule.daily : '03:30');
  const [cron, setCron] = useState(schedule !== null && 'cron' in schedule ? schedule.cron : '0 */4 * * *');
  const [label, setLabel] = useState(schedule?.label ?? '');
  const [staleAfter, setStaleAfter] = useState(automation?.staleAfter ?? '');
  const [values, setValues] = useState<Record<RetentionRuleName, string>>(
    Object.fromEntries(
      retentionRuleNames.map((name) => [name, String(automation?.retention?.[name] ?? '')]),
    ) as Record<RetentionRuleName, string>,
  );
  // The preview of the rules it was made for: shown only while the form still says the same.
  const [previewed, setPreviewed] = useState<{
    key: string;
    preview: PruneResult | null;
    error: LifeboatError | null;
  } | null>(null);
  const [error, setError] = useState<LifeboatError | null>(null);
  const [busy, setBusy] = useState(false);
  const rules = rulesOf(values);
  const scheduled = scheduleOf(kind, { none: '', every, daily, cron }[kind], label);
  // The next scheduled run takes its snapshot before it applies the rules: the preview counts it in.
  const previewSchedule = 'schedule' in scheduled ? scheduled.schedule : undefined;
  const rulesKey = JSON.stringify({ rules, previewSchedule });
  const preview = previewed?.key === rulesKey ? previewed.preview : null;
  const previewError = previewed?.key === rulesKey ? previewed.error : null;
  useEffect(() => {
    if (!('rules' in rules) || hasNoRules(rules.rules)) {
      return;
    }
    let current = true;
    // The preview follows the typing, a moment after it stops.
    const timer = window.setTimeout(() => {
      void lifeboat()
        .call('retention:preview', {
          appId: props.appId,
          rules: rules.rules,
          ...(previewSchedule === undefined ? {} : { schedule: previewSchedule }),
        })
        .then((result) => {
          if (current) {
            setPreviewed({
              key: rulesKey,
              preview: result.ok ? result.value : null,
              error: result.ok ? null : result.error,
            });
          }
        });
    }, 250);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
    // rulesKey stands for the rules and the schedule: new objects each render, the same values.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [rulesKey, props.appId]);
  if (app === undefined || automation === undefined) {
    return null;
  }
  const fromFile = new Set(automation.fromFile);
  const doomed = preview?.snapshots.filter((s) => s.decision === 'delete').length ?? 0;
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const stale =
      staleAfter.trim() === ''
        ? { success: true as const, data: undefined }
        : durationSchema.safeParse(staleAfter);
    const staleProblem = stale.success ? null : 'Stale after: a whole number and a unit, such as 8h or 2d.';
    // The first problem, in the order of the form: the schedule, the rules, then staleness.
    let problem = staleProblem;
    if ('problem' in rules) {
      problem = rules.problem;
    }
    if ('problem' in scheduled) {
      problem = scheduled.problem;
    }
    if (problem !== null || !('schedule' in scheduled) || !('rules' in rules) || !stale.success) {
      setError({ code: 'INVALID_ARGUMENT', message: problem ?? 'Check the fields.' });
      return;
    }
    setBusy(true);
    setError(
      await setAppAutomation(app.id, {
        schedule: scheduled.schedule,
        retention: rules.rules,
        staleAfter: stale.data,
      }),
    );
    setBusy(false);
  };
  const fileNote = (part: string): ReactNode => (
    <p className="notice-text">
      {part} comes from the app’s lifeboat.json, which wins over what is saved here: edit that file to change
      it.
    </p>
  );
  return (
    <Modal title={`Schedule and retention of ${app.name}`} onClose={closeDialog} wide>
      <form onSubmit={(event) => void submit(event)}>
        <fieldset className="plain" disabled={fromFile.has('schedule')}>
          <label htmlFor="schedule-kind">Scheduled snapshots</label>
          {fromFile.has('schedule') && fileNote('The schedule')}
          <div className="field-row">
            <select
              id="schedule-kind"
              value={kind}
              onChange={(event) => setKind(event.target.value as ScheduleKind)}
              aria-describedby="schedule-help"
            >
              <option value="none">None: only when I click or a script runs one</option>
              <option value="every">Every…</option>
              <option value="daily">Daily at…</option>
              <option value="cron">Cron expression…</option>
            </select>
            {kind === 'every' && (
              <input
                aria-label="Every"
                value={every}
                onChange={(event) => setEvery(event.target.value)}
                placeholder="6h"
                className="short"
              />
            )}
            {kind === 'daily' && (
              <input
                aria-label="Daily at"
                type="time"
                value={daily}
                onChange={(event) => setDaily(event.target.value)}
                className="short"
              />
            )}
            {kind === 'cron' && (
              <input
                aria-label="Cron expression"
                className="mono"
                value={cron}
                onChange={(event) => setCron(event.target.value)}
                placeholder="0 */4 * * *"
              />
            )}
          </div>
          <p id="schedule-help" className="help">
            Run by the desktop app while it is open, by <code>lifeboat serve</code>, or by{' '}
            <code>lifeboat run-due</code> from cron. A run missed while the computer slept runs once when it
            wakes.
          </p>
          {kind !== 'none' && (
            <>
              <label htmlFor="schedule-label">Label of scheduled snapshots (optional)</label>
              <input
                id="schedule-label"
                value={label}
                onChange={(event) => setLabel(event.target.value)}
                placeholder="scheduled"
              />
            </>
          )}
        </fieldset>
        <fieldset className="plain" disabled={fromFile.has('staleAfter')}>
          <label htmlFor="stale-after">Warn when the newest snapshot is older than (optional)</label>
          {fromFile.has('staleAfter') && fileNote('This limit')}
          <input
            id="stale-after"
            className="short"
            value={staleAfter}
            onChange={(event) => setStaleAfter(event.target.value)}
            placeholder={kind === 'none' ? '7d' : '1.25 × the schedule'}
            aria-describedby="stale-help"
          />
          <p id="stale-help" className="help">
            Such as 8h or 2d. Empty: 1.25 times the schedule’s period, or a week without a schedule.
            {automation.notify.length > 0
              ? ` Alerts go to: ${automation.notify.join(', ')}.`
              : ' Alerts: a desktop notification; servers can add ntfy, Gotify, webhooks, Healthchecks or e-mail in lifeboat.json.'}
          </p>
        </fieldset>
        <p className="help" data-testid="drill-setting">
          {app.drill === null || app.drill.every === null
            ? 'Drills (bringing an offsite copy back to prove it restores) are set with "drill" in the app’s lifeboat.json.'
            : `Drills every ${app.drill.every}, from the app’s lifeboat.json.`}{' '}
          Each drill reads the newest copy in full from its target: a drill of a 1 GiB copy reads 1 GiB, which
          the target may bill as egress.
        </p>
        <fieldset className="plain" disabled={fromFile.has('retention')}>
          <label id="retention-label">Keep (retention)</label>
          {fromFile.has('retention') && fileNote('Retention')}
          <div className="rules" role="group" aria-labelledby="retention-label">
            {retentionRuleNames.map((name) => (
              <label
                key={name}
                title={`The newest snapshot of each of the last N ${name === 'keepLast' ? 'snapshots' : ruleLabels[name].toLowerCase().replace('ly', 's').replace('dais', 'days')} (${ruleFlag(name)})`}
              >
                {ruleLabels[name]}
                <input
                  type="number"
                  min={1}
                  value={values[name]}
                  onChange={(event) => setValues({ ...values, [name]: event.target.value })}
                  placeholder="–"
                />
              </label>
            ))}
          </div>
          <p className="help">
            Each rule keeps the newest snapshot of each of the N newest hours, days, weeks, months or years
            that have one; a snapshot is kept if any rule keeps it. Never deleted: pinned snapshots, the
            newest, the newest verified, and files that are damaged or not Lifeboat’s. Empty rules: nothing is
            ever deleted. Retention runs after each scheduled snapshot, and with <code>lifeboat prune</code>.
          </p>
        </fieldset>
        {preview !== null ? (
          <RetentionPreview preview={preview} scheduleLabel={previewSchedule?.label ?? null} />
        ) : (
          <p className="muted preview-empty">{previewPlaceholder(rules, previewError)}</p>
        )}
        <ErrorText error={error} />
        <div className="dialog-actions">
          <button type="button" onClick={closeDialog}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {doomed > 0 && kind !== 'none' ? `Save: delete ${doomed} at the next run` : 'Save'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
