import { useState, type FormEvent, type ReactNode } from 'react';
import type { LifeboatError } from '#contract/errors';
import { formatBytes } from '#contract/format';
import { migrationTools, type MigrationTool } from '#contract/migrations';
import {
  addApp,
  canRevealFiles,
  cancelJob,
  chooseDatabaseFile,
  closeDialog,
  deleteSnapshot,
  removeApp,
  setAppMigrations,
  startSnapshot,
} from '../store/actions';
import { useStore } from '../store/store';
import type { JobStatus, JobView } from '../store/jobs-state';
import { ErrorText } from '../ui/ErrorText';
import { Modal } from '../ui/Modal';
import { RestoreDialog } from '../features/restore/RestoreDialog';
import { RunSettingsDialog } from '../features/automation/RunSettingsDialog';
import { AdoptSettingsDialog } from '../features/automation/AdoptSettingsDialog';
import { AutomationDialog } from '../features/automation/AutomationDialog';
import { CompareDialog } from '../features/compare/CompareDialog';
import { BrowseDialog, CopyDialog } from '../features/browse/BrowseDialog';
import { useElapsedClock } from '../ui/use-now';
import { OffsiteDialog } from '../features/offsite/OffsiteDialog';
import { RemoteDialog } from '../features/offsite/RemoteDialog';
import { AddHostDialog, ConfirmRemoveHostDialog } from '../features/hosts/HostDialogs';

/** How a job that is no longer running ended, as its dialog says it. */
const endedJobText: Record<Exclude<JobStatus, 'running'>, string> = {
  cancelled: 'Cancelled',
  failed: 'Failed',
  done: 'Done',
};

/** Whichever dialog is open. */
export function Dialogs(): ReactNode {
  const dialog = useStore((s) => s.dialog);
  switch (dialog.kind) {
    case 'none':
      return null;
    case 'add-app':
      return <AddAppDialog initialPath={dialog.initialPath} />;
    case 'snapshot':
      return <SnapshotDialog appId={dialog.appId} jobId={dialog.jobId} />;
    case 'confirm-delete':
      return <ConfirmDeleteDialog appId={dialog.appId} file={dialog.file} />;
    case 'confirm-remove-app':
      return <ConfirmRemoveAppDialog appId={dialog.appId} />;
    case 'migrations':
      return <MigrationsDialog appId={dialog.appId} />;
    case 'restore':
      return <RestoreDialog />;
    case 'run-settings':
      return <RunSettingsDialog appId={dialog.appId} />;
    case 'adopt-settings':
      return <AdoptSettingsDialog appId={dialog.appId} />;
    case 'automation':
      return <AutomationDialog appId={dialog.appId} />;
    case 'compare':
      return <CompareDialog />;
    case 'browse':
      return <BrowseDialog />;
    case 'copy':
      return <CopyDialog appId={dialog.appId} file={dialog.file} />;
    case 'offsite':
      return <OffsiteDialog appId={dialog.appId} />;
    case 'remote':
      return <RemoteDialog appId={dialog.appId} />;
    case 'add-host':
      return <AddHostDialog />;
    case 'confirm-remove-host':
      return <ConfirmRemoveHostDialog hostId={dialog.hostId} />;
  }
}

function defaultBackupsDir(database: string): string {
  const pathPart = database.replace(/^sqlite(\+\w+)?:\/\/\//i, '').replace(/\?.*$/, '');
  const slash = Math.max(pathPart.lastIndexOf('/'), pathPart.lastIndexOf('\\'));
  return slash > 0 ? `${pathPart.slice(0, slash)}/backups` : '<folder of the database>/backups';
}

function AddAppDialog(props: { initialPath: string }): ReactNode {
  const [database, setDatabase] = useState(props.initialPath);
  const [name, setName] = useState('');
  const [backupsDir, setBackupsDir] = useState('');
  const [error, setError] = useState<LifeboatError | null>(null);
  const [busy, setBusy] = useState(false);
  const hosts = useStore((s) => s.overview?.hosts);
  const online = hosts?.filter((h) => h.state === 'online') ?? [];
  const [host, setHost] = useState('');
  // A folder that does not exist is asked about once: the second Add goes ahead.
  const missingFolder = error?.code === 'DB_NOT_FOUND';
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(await addApp(database, name, backupsDir, missingFolder, host === '' ? null : host));
    setBusy(false);
  };
  return (
    <Modal title="Add an app" onClose={closeDialog}>
      <form onSubmit={(event) => void submit(event)}>
        {online.length > 0 && (
          <>
            <label htmlFor="add-host">On</label>
            <select id="add-host" value={host} onChange={(event) => setHost(event.target.value)}>
              <option value="">This computer</option>
              {online.map((h) => (
                <option key={h.id} value={h.id}>
                  {h.id} ({h.address})
                </option>
              ))}
            </select>
          </>
        )}
        <label htmlFor="add-database">Database file</label>
        <div className="field-row">
          <input
            id="add-database"
            value={database}
            onChange={(event) => {
              setDatabase(event.target.value);
              setError(null);
            }}
            placeholder="/srv/myapp/app.db  or  sqlite:////srv/myapp/app.db"
            autoFocus
            required
            aria-describedby="add-database-help"
            aria-invalid={error !== null}
          />
          {canRevealFiles() && host === '' && (
            <button
              type="button"
              onClick={() =>
                void chooseDatabaseFile().then((chosen) => {
                  if (chosen !== null) {
                    setDatabase(chosen);
                  }
                })
              }
            >
              Browse…
            </button>
          )}
        </div>
        <p id="add-database-help" className="help">
          The SQLite file your app writes to. A full path, or an SQLAlchemy URL with four slashes.
        </p>
        <label htmlFor="add-name">Name (optional)</label>
        <input
          id="add-name"
          value={name}
          onChange={(event) => setName(event.target.value)}
          placeholder="Taken from the file or its folder"
        />
        <label htmlFor="add-backups">Backups folder (optional)</label>
        <input
          id="add-backups"
          value={backupsDir}
          onChange={(event) => setBackupsDir(event.target.value)}
          placeholder={defaultBackupsDir(database)}
        />
        <ErrorText error={error} />
        <div className="dialog-actions">
          <button type="button" onClick={closeDialog}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy || database.trim() === ''}>
            {busy && 'Adding…'}
            {!busy && (missingFolder ? 'Add anyway' : 'Add app')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** "120 MiB of 512 MiB · about 20 s left" (the time once there is enough to go by). Pure. */
function progressAmount(
  job: Pick<JobView, 'fraction' | 'startedAt' | 'status'>,
  totalBytes: number,
  now: number,
): string {
  const done = `${formatBytes(Math.round(totalBytes * job.fraction))} of ${formatBytes(totalBytes)}`;
  const elapsed = (now - job.startedAt) / 1000;
  if (job.status !== 'running' || job.fraction < 0.05 || elapsed < 1) {
    return done;
  }
  const left = Math.max(1, Math.round((elapsed * (1 - job.fraction)) / job.fraction));
  return `${done} · about ${left < 90 ? `${left} s` : `${Math.round(left / 60)} min`} left`;
}

function SnapshotDialog(props: { appId: string; jobId: string | null }): ReactNode {
  const [label, setLabel] = useState('');
  const [note, setNote] = useState('');
  const job = useStore((s) => (props.jobId === null ? undefined : s.jobs[props.jobId]));
  const appName = useStore((s) => s.overview?.apps.find((a) => a.id === props.appId)?.name ?? 'this app');
  const info = useStore((s) => s.infos[props.appId]);
  const now = useElapsedClock(1000);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void startSnapshot(props.appId, label, note);
  };
  if (props.jobId === null || job === undefined) {
    return (
      <Modal title={`Snapshot ${appName}`} onClose={closeDialog}>
        <form onSubmit={submit}>
          <label htmlFor="snapshot-label">Label</label>
          <input
            id="snapshot-label"
            value={label}
            onChange={(event) => setLabel(event.target.value)}
            placeholder="manual"
            autoFocus
            maxLength={200}
            aria-describedby="snapshot-label-help"
          />
          <p id="snapshot-label-help" className="help">
            Becomes part of the file name: letters, digits and dashes (e.g. before-upgrade).
          </p>
          <label htmlFor="snapshot-note">Note (optional)</label>
          <textarea
            id="snapshot-note"
            value={note}
            onChange={(event) => setNote(event.target.value)}
            rows={3}
            maxLength={2000}
          />
          <div className="dialog-actions">
            <button type="button" onClick={closeDialog}>
              Cancel
            </button>
            <button type="submit" className="primary">
              Take snapshot
            </button>
          </div>
        </form>
      </Modal>
    );
  }
  const percent = Math.round(job.fraction * 100);
  return (
    <Modal
      title={`Snapshot ${appName}`}
      onClose={job.status === 'running' ? () => void cancelJob(job.jobId) : closeDialog}
    >
      <div className="progress-block" aria-live="polite">
        <p className="phase">{job.status === 'running' ? job.phase : endedJobText[job.status]}</p>
        <progress max={100} value={percent} aria-label="Snapshot progress" />
        <p className="muted" data-testid="snapshot-amount">
          {percent} %{info === undefined ? '' : ` · ${progressAmount(job, info.size + info.walSize, now)}`}
        </p>
        {job.status === 'cancelled' && (
          <p>
            Cancelled. Nothing was kept: the partial file was removed and the live database was not touched.
          </p>
        )}
        {job.status === 'failed' && job.error !== null && (
          <p className="error-text" role="alert">
            {job.error.message} <code>{job.error.code}</code>
          </p>
        )}
      </div>
      <div className="dialog-actions">
        {job.status === 'running' ? (
          <button type="button" onClick={() => void cancelJob(job.jobId)}>
            Cancel
          </button>
        ) : (
          <button type="button" className="primary" onClick={closeDialog} autoFocus>
            Close
          </button>
        )}
      </div>
    </Modal>
  );
}

function ConfirmDeleteDialog(props: { appId: string; file: string }): ReactNode {
  return (
    <Modal title="Delete this snapshot?" onClose={closeDialog}>
      <p>
        <strong>{props.file}</strong> will be deleted from the backups folder, with its record. This cannot be
        undone.
      </p>
      <div className="dialog-actions">
        <button type="button" onClick={closeDialog} autoFocus>
          Keep it
        </button>
        <button type="button" className="danger" onClick={() => void deleteSnapshot(props.appId, props.file)}>
          Delete
        </button>
      </div>
    </Modal>
  );
}

function ConfirmRemoveAppDialog(props: { appId: string }): ReactNode {
  const app = useStore((s) => s.overview?.apps.find((a) => a.id === props.appId));
  return (
    <Modal title={`Remove ${app?.name ?? 'this app'} from Lifeboat?`} onClose={closeDialog}>
      <p>
        Lifeboat forgets the app and stops showing it. <strong>Every file is kept:</strong> the database{' '}
        <span className="path">{app?.databasePath}</span>, its backups folder and every snapshot in it stay on
        disk, and adding the app again shows them all.
      </p>
      <div className="dialog-actions">
        <button type="button" onClick={closeDialog} autoFocus>
          Keep it
        </button>
        <button type="button" className="danger" onClick={() => void removeApp(props.appId)}>
          Remove from Lifeboat
        </button>
      </div>
    </Modal>
  );
}

function MigrationsDialog(props: { appId: string }): ReactNode {
  const app = useStore((s) => s.overview?.apps.find((a) => a.id === props.appId));
  const [dir, setDir] = useState(app?.migrations?.dir ?? '');
  const [tool, setTool] = useState<MigrationTool | ''>(app?.migrations?.tool ?? '');
  const [error, setError] = useState<LifeboatError | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async (nextDir: string, nextTool: MigrationTool | ''): Promise<void> => {
    setBusy(true);
    setError(await setAppMigrations(props.appId, nextDir, nextTool));
    setBusy(false);
  };
  const found = app?.migrationsFound ?? null;
  return (
    <Modal title="Migrations" onClose={closeDialog}>
      <p className="help">
        {found === null
          ? 'No migrations were found in the database’s folder.'
          : `${found.detected ? 'Detected' : 'Chosen'}: ${found.tool} in ${found.locations.join(', ')}.`}{' '}
        Lifeboat reads the migration files to tell which schema revision each snapshot holds; it never runs
        them.
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void save(dir, tool);
        }}
      >
        <label htmlFor="migrations-dir">Migrations folder</label>
        <input
          id="migrations-dir"
          value={dir}
          onChange={(event) => setDir(event.target.value)}
          placeholder={found?.locations[0] ?? '/srv/myapp/migrations'}
          aria-invalid={error !== null}
        />
        <label htmlFor="migrations-tool">Tool</label>
        <select
          id="migrations-tool"
          value={tool}
          onChange={(event) => setTool(event.target.value as MigrationTool | '')}
        >
          <option value="">Detect from the files</option>
          {migrationTools.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <ErrorText error={error} />
        <div className="dialog-actions">
          <button type="button" onClick={() => void save('', '')} disabled={busy}>
            Use detection
          </button>
          <button type="button" onClick={closeDialog}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy || dir.trim() === ''}>
            Save
          </button>
        </div>
      </form>
    </Modal>
  );
}
