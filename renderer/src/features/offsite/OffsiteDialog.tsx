import { useState, type FormEvent, type ReactNode } from 'react';
import type { LifeboatError } from '#contract/errors';
import { offsiteTargetSchema, type OffsiteTarget, type TargetSummary } from '#contract/offsite';
import { closeDialog } from '../../store/actions';
import { saveOffsite, type TargetKeys } from './offsite-actions';
import { useStore } from '../../store/store';
import { ErrorText } from '../../ui/ErrorText';
import { Modal } from '../../ui/Modal';

/** One target as the form edits it: every field as typed. */
interface TargetForm {
  readonly key: number;
  name: string;
  url: string;
  gzip: boolean;
  recipients: string;
  keepLast: string;
  keepDaily: string;
  keepWeekly: string;
  keepMonthly: string;
  noDelete: boolean;
  accessKeyId: string;
  secretAccessKey: string;
}

const keepFields = [
  ['keepLast', 'Last'],
  ['keepDaily', 'Daily'],
  ['keepWeekly', 'Weekly'],
  ['keepMonthly', 'Monthly'],
] as const;

let nextKey = 1;
function formOf(summary: TargetSummary | null, recipients: readonly string[] = []): TargetForm {
  const rules = summary?.retention ?? {};
  return {
    key: nextKey++,
    name: summary?.name ?? '',
    url: summary?.url ?? '',
    gzip: summary?.gzip ?? true,
    recipients: recipients.join('\n'),
    keepLast: String(rules.keepLast ?? ''),
    keepDaily: String(rules.keepDaily ?? ''),
    keepWeekly: String(rules.keepWeekly ?? ''),
    keepMonthly: String(rules.keepMonthly ?? ''),
    noDelete: summary?.noDelete ?? false,
    accessKeyId: '',
    secretAccessKey: '',
  };
}

/** The target a form describes, or what is wrong with it. */
function targetOf(form: TargetForm): { target: OffsiteTarget } | { problem: string } {
  const retention = Object.fromEntries(
    keepFields.filter(([field]) => form[field].trim() !== '').map(([field]) => [field, Number(form[field])]),
  );
  const encryptTo = form.recipients
    .split(/\s+/)
    .map((r) => r.trim())
    .filter((r) => r !== '');
  const parsed = offsiteTargetSchema.safeParse({
    name: form.name.trim(),
    url: form.url.trim(),
    gzip: form.gzip,
    ...(encryptTo.length === 0 ? {} : { encryptTo }),
    ...(Object.keys(retention).length === 0 ? {} : { retention }),
    ...(form.noDelete ? { noDelete: true } : {}),
  });
  if (parsed.success) {
    return { target: parsed.data };
  }
  const issue = parsed.error.issues[0];
  const field = String(issue?.path[0] ?? 'target');
  const names: Record<string, string> = {
    name: 'Name',
    url: 'Address',
    encryptTo: 'Encrypt to',
    retention: 'Keep (whole numbers from 1)',
  };
  return {
    problem: `${form.name.trim() || 'A target'}: ${names[field] ?? field}: ${issue?.message ?? 'not valid'}.`,
  };
}

function TargetFields(props: {
  form: TargetForm;
  keepsKeys: boolean;
  onChange: (form: TargetForm) => void;
  onRemove: () => void;
}): ReactNode {
  const { form } = props;
  const id = `target-${form.key}`;
  const set = (change: Partial<TargetForm>): void => props.onChange({ ...form, ...change });
  const s3 = form.url.trim().startsWith('s3://');
  return (
    <fieldset className="target" aria-label={`Target ${form.name || 'new'}`}>
      <div className="field-row">
        <label htmlFor={`${id}-name`}>Name</label>
        <input
          id={`${id}-name`}
          className="short"
          value={form.name}
          onChange={(event) => set({ name: event.target.value })}
          placeholder="nas"
        />
        <button type="button" className="link" onClick={props.onRemove}>
          Remove
        </button>
      </div>
      <label htmlFor={`${id}-url`}>Address</label>
      <input
        id={`${id}-url`}
        className="mono"
        value={form.url}
        onChange={(event) => set({ url: event.target.value })}
        placeholder="s3://bucket/prefix?endpoint=https://…&region=auto · sftp://user@host:22/path · file:///mnt/nas/lifeboat"
        aria-describedby={`${id}-url-help`}
      />
      <p id={`${id}-url-help`} className="help">
        S3-compatible storage (AWS, R2, B2, MinIO…), an SSH server (your keys or agent, checked against
        known_hosts), or a mounted folder. Nothing secret goes in the address.
      </p>
      {s3 && props.keepsKeys && (
        <div className="field-row">
          <input
            aria-label="Access key ID"
            value={form.accessKeyId}
            onChange={(event) => set({ accessKeyId: event.target.value })}
            placeholder="Access key ID (kept in the keychain)"
            autoComplete="off"
          />
          <input
            aria-label="Secret access key"
            type="password"
            value={form.secretAccessKey}
            onChange={(event) => set({ secretAccessKey: event.target.value })}
            placeholder="Secret access key"
            autoComplete="off"
          />
        </div>
      )}
      <label className="checkbox">
        <input
          type="checkbox"
          checked={form.gzip}
          onChange={(event) => set({ gzip: event.target.checked })}
        />{' '}
        Compress with gzip
      </label>
      <label htmlFor={`${id}-age`}>Encrypt to (age recipients, optional)</label>
      <textarea
        id={`${id}-age`}
        className="mono"
        rows={2}
        value={form.recipients}
        onChange={(event) => set({ recipients: event.target.value })}
        placeholder="age1… (one per line): only the matching identity can read the copies"
      />
      <p className="help">
        Keep on this target (empty: every copy stays; the newest verified one always does):
      </p>
      <div className="rules" role="group" aria-label={`Keep on ${form.name || 'this target'}`}>
        {keepFields.map(([field, title]) => (
          <label key={field}>
            {title}
            <input
              type="number"
              min={1}
              value={form[field]}
              onChange={(event) => set({ [field]: event.target.value })}
              placeholder="–"
            />
          </label>
        ))}
      </div>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={form.noDelete}
          onChange={(event) => set({ noDelete: event.target.checked })}
        />{' '}
        Never delete here (for keys that may write but not delete)
      </label>
    </fieldset>
  );
}

/** Said before the form where the page cannot save targets: which file to write instead, or --admin. */
function ReadOnlyNotice(props: { home: { path: string; ignoredBecause: string | null } | null }): ReactNode {
  const { home } = props;
  return (
    <div className="notice-text" data-testid="offsite-read-only">
      <p>
        This page cannot save offsite targets: <code>lifeboat serve</code> was started without{' '}
        <code>--admin</code>, and whoever holds its link could send the data anywhere. Fill them in below,
        then add what it shows under <code>"offsite"</code> in{' '}
        {home === null ? (
          "the app's lifeboat.json on its host"
        ) : (
          <code data-testid="settings-path">{home.path}</code>
        )}{' '}
        on the server; or start <code>lifeboat serve --admin</code> to save them here.
      </p>
      {home !== null && home.ignoredBecause !== null && (
        <p className="warn" data-testid="settings-path-ignored">
          A lifeboat.json there would be ignored ({home.ignoredBecause}): make it and its folders root’s, or
          use <code>--admin</code>, which saves them in Lifeboat’s own settings.
        </p>
      )}
    </div>
  );
}

/** What to paste into lifeboat.json for the targets filled in, with a Copy button; or what is wrong with them. */
function TargetsFragment(props: { forms: readonly TargetForm[] }): ReactNode {
  const parsed = props.forms.map(targetOf);
  const problem = parsed.find((p) => 'problem' in p);
  const [copied, setCopied] = useState(false);
  if (problem !== undefined && 'problem' in problem) {
    return (
      <p className="muted" data-testid="offsite-fragment-problem">
        {problem.problem}
      </p>
    );
  }
  const text = JSON.stringify({ offsite: parsed.flatMap((p) => ('target' in p ? [p.target] : [])) }, null, 2);
  const copy = async (): Promise<void> => {
    await navigator.clipboard.writeText(text);
    setCopied(true);
  };
  return (
    <div className="fragment">
      <pre className="mono" data-testid="offsite-fragment">
        {text}
      </pre>
      <button type="button" onClick={() => void copy()}>
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}

/** Where the app's verified snapshots also go: targets from lifeboat.json (read only) and from Lifeboat's settings. */
export function OffsiteDialog(props: { appId: string }): ReactNode {
  const app = useStore((s) => s.overview?.apps.find((a) => a.id === props.appId));
  const host = useStore((s) => s.overview?.host);
  const targets = app?.automation.offsite ?? [];
  const [forms, setForms] = useState<TargetForm[]>(() => {
    const kept = targets
      .filter((t) => t.from === 'settings')
      .map((t) => formOf(t, app?.offsite?.find((o) => o.name === t.name)?.encryptTo));
    // Where the page cannot save, the form is still there to build what to write in the file.
    return kept.length === 0 && host?.editOffsite !== true ? [formOf(null)] : kept;
  });
  const [error, setError] = useState<LifeboatError | null>(null);
  const [busy, setBusy] = useState(false);
  if (app === undefined) {
    return null;
  }
  const editable = host?.editOffsite === true;
  const fromFile = targets.filter((t) => t.from === 'file');
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const parsed = forms.map(targetOf);
    const problem = parsed.find((p) => 'problem' in p);
    if (problem !== undefined && 'problem' in problem) {
      setError({ code: 'INVALID_ARGUMENT', message: problem.problem });
      return;
    }
    const keys: TargetKeys = Object.fromEntries(
      forms
        .filter((f) => f.accessKeyId.trim() !== '' && f.secretAccessKey !== '')
        .map((f) => [
          f.name.trim(),
          { accessKeyId: f.accessKeyId.trim(), secretAccessKey: f.secretAccessKey },
        ]),
    );
    setBusy(true);
    setError(
      await saveOffsite(
        app.id,
        parsed.flatMap((p) => ('target' in p ? [p.target] : [])),
        keys,
      ),
    );
    setBusy(false);
  };
  return (
    <Modal title={`Offsite copies of ${app.name}`} onClose={closeDialog} wide>
      <form onSubmit={(event) => void submit(event)}>
        <p className="help">
          Each verified snapshot is also sent to every target here, after each scheduled snapshot and when you
          choose <em>Send offsite now</em>. An upload counts only once its size and checksum are checked
          there.
        </p>
        {fromFile.length > 0 && (
          <div className="file-targets">
            <p className="notice-text">From the app’s lifeboat.json (edit that file to change them):</p>
            <ul>
              {fromFile.map((t) => (
                <li key={t.name}>
                  <strong>{t.name}</strong> <span className="mono">{t.display}</span>
                </li>
              ))}
            </ul>
          </div>
        )}
        {app.settingsIgnored !== null && !app.settingsIgnored.adopted && (
          <p className="notice-text warn" data-testid="offsite-ignored">
            {app.settingsIgnored.text} No target it names is used.
          </p>
        )}
        {!editable && <ReadOnlyNotice home={app.settingsHome} />}
        {forms.length === 0 && fromFile.length === 0 && (
          <p className="muted">No target yet: every copy is on this machine’s disk only.</p>
        )}
        {forms.map((form, index) => (
          <TargetFields
            key={form.key}
            form={form}
            keepsKeys={host?.keepsKeys === true}
            onChange={(changed) => setForms(forms.map((f, i) => (i === index ? changed : f)))}
            onRemove={() => setForms(forms.filter((_, i) => i !== index))}
          />
        ))}
        <button type="button" onClick={() => setForms([...forms, formOf(null)])}>
          Add a target
        </button>
        {!editable && <TargetsFragment forms={forms} />}
        <ErrorText error={error} />
        <div className="dialog-actions">
          <button type="button" onClick={closeDialog}>
            {editable ? 'Cancel' : 'Close'}
          </button>
          {editable && (
            <button type="submit" className="primary" disabled={busy}>
              Save
            </button>
          )}
        </div>
      </form>
    </Modal>
  );
}
