import { useState, type FormEvent, type ReactNode } from 'react';
import { describeCommand, runSetsCommands, type AppCommand, type AppRun } from '#contract/app-run';
import type { LifeboatError } from '#contract/errors';
import { closeDialog, setAppRun } from '../../store/actions';
import { useStore } from '../../store/store';
import { ErrorText } from '../../ui/ErrorText';
import { Modal } from '../../ui/Modal';

type Preset = AppRun['preset'];

const presetHelp: Record<Preset, string> = {
  manual:
    'You stop the app before a restore and start it after; Lifeboat checks that no process holds the database.',
  'docker-compose':
    'Lifeboat runs docker compose stop SERVICE and docker compose start SERVICE in the app’s folder.',
  systemd: 'Lifeboat runs systemctl stop UNIT and systemctl start UNIT.',
  commands: 'Lifeboat runs your stop and start commands, exactly as written, in the app’s folder.',
};

function lineOf(command: AppCommand | undefined): string {
  return command === undefined ? '' : describeCommand(command);
}

type Timeouts = AppRun['timeouts'];
const timeoutFields = [
  ['stopSeconds', 'Stop'],
  ['upgradeSeconds', 'Upgrade'],
  ['startSeconds', 'Start'],
  ['healthSeconds', 'Health'],
] as const satisfies readonly (readonly [keyof Timeouts, string])[];

/** `NAME=value` lines into variables; the lines that are not, for the error. */
function envOf(text: string): { env: Record<string, string>; bad: string[] } {
  const env: Record<string, string> = {};
  const bad: string[] = [];
  for (const line of text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match?.[1] === undefined) {
      bad.push(line);
    } else {
      env[match[1]] = match[2] ?? '';
    }
  }
  return { env, bad };
}

function commandOf(line: string): AppCommand | undefined {
  return line.trim() === '' ? undefined : { shell: line.trim() };
}

/** How to run the app around a restore: stop, start and upgrade commands, health URL, smoke queries. */
export function RunSettingsDialog(props: { appId: string }): ReactNode {
  const app = useStore((s) => s.overview?.apps.find((a) => a.id === props.appId));
  const host = useStore((s) => s.overview?.host);
  // What a restore will use: the app's lifeboat.json wins over what is saved in Lifeboat.
  const run = app?.runFromFile ?? app?.run;
  const [appDir, setAppDir] = useState(app?.appDir ?? '');
  const [preset, setPreset] = useState<Preset>(run?.preset ?? 'manual');
  const [service, setService] = useState(run?.service ?? '');
  const [stop, setStop] = useState(lineOf(run?.stop));
  const [start, setStart] = useState(lineOf(run?.start));
  const [upgrade, setUpgrade] = useState(lineOf(run?.upgrade));
  const [usesLifeboatDatabase, setUsesLifeboatDatabase] = useState(run?.upgradeUsesLifeboatDatabase ?? false);
  const [healthUrl, setHealthUrl] = useState(run?.healthUrl ?? '');
  const [smoke, setSmoke] = useState((run?.smokeQueries ?? []).join('\n'));
  const [envText, setEnvText] = useState(
    Object.entries(run?.env ?? {})
      .map(([name, value]) => `${name}=${value}`)
      .join('\n'),
  );
  const [timeouts, setTimeouts] = useState<Record<keyof Timeouts, string>>({
    stopSeconds: String(run?.timeouts.stopSeconds ?? ''),
    upgradeSeconds: String(run?.timeouts.upgradeSeconds ?? ''),
    startSeconds: String(run?.timeouts.startSeconds ?? ''),
    healthSeconds: String(run?.timeouts.healthSeconds ?? ''),
  });
  const [error, setError] = useState<LifeboatError | null>(null);
  const [busy, setBusy] = useState(false);
  if (app === undefined) {
    return null;
  }
  const fromFile = app.runSource.kind === 'file' ? app.runSource.path : null;
  const commandsAllowed = host?.editCommands === true;
  // Set in the desktop app: shown, but the browser cannot change what runs on the server.
  const locked = !commandsAllowed && app.run !== undefined && runSetsCommands(app.run);
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const { env, bad } = envOf(envText);
    if (bad.length > 0) {
      setError({
        code: 'INVALID_ARGUMENT',
        message: `Write each environment variable as NAME=value, not “${bad[0] ?? ''}”.`,
      });
      return;
    }
    const chosenTimeouts = Object.fromEntries(
      timeoutFields.flatMap(([key]) => (timeouts[key].trim() === '' ? [] : [[key, Number(timeouts[key])]])),
    ) as Timeouts;
    const settings: AppRun = {
      preset,
      ...(preset === 'docker-compose' || preset === 'systemd' ? { service: service.trim() } : {}),
      ...(preset === 'commands' ? { stop: commandOf(stop), start: commandOf(start) } : {}),
      upgrade: commandOf(upgrade),
      upgradeUsesLifeboatDatabase: usesLifeboatDatabase,
      // Kept as it is: this form does not offer to run the app's code as root (a lifeboat.json does).
      runAs: app.run?.runAs ?? 'app',
      ...(healthUrl.trim() === '' ? {} : { healthUrl: healthUrl.trim() }),
      env,
      smokeQueries: smoke
        .split('\n')
        .map((q) => q.trim())
        .filter((q) => q !== ''),
      timeouts: chosenTimeouts,
    };
    setBusy(true);
    // With a lifeboat.json only the folder changes here: the file's settings are not copied into Lifeboat's.
    setError(await setAppRun(app.id, appDir.trim(), fromFile === null ? settings : app.run));
    setBusy(false);
  };
  return (
    <Modal title={`How to run ${app.name}`} onClose={closeDialog} wide>
      <form onSubmit={(event) => void submit(event)}>
        <p className="help">
          A restore stops the app, swaps the database, upgrades it, checks it and starts the app again.
          Lifeboat never adds a path or a name to these commands.
        </p>
        {app.runProblem !== null && (
          <p className="error-text" role="alert">
            {app.runProblem}
          </p>
        )}
        {!commandsAllowed && fromFile === null && (
          <p className="notice-text">
            {locked ? 'This app’s commands were set in the desktop app; they' : 'Commands'} cannot be changed
            through <code>lifeboat serve</code>, so that the web page never runs a shell on the server. Write
            them in a lifeboat.json in the app’s folder, or use the desktop app.
          </p>
        )}
        {fromFile !== null && (
          <p className="notice-text">
            These settings come from <span className="path">{fromFile}</span>, which wins over what is saved
            here. Edit that file to change them.
          </p>
        )}
        <label htmlFor="run-dir">App folder</label>
        <input
          id="run-dir"
          value={appDir}
          onChange={(event) => setAppDir(event.target.value)}
          placeholder={app.databasePath.replace(/[/\\][^/\\]*$/, '')}
          aria-describedby="run-dir-help"
        />
        <p id="run-dir-help" className="help">
          Where the commands run, and where a lifeboat.json committed with the app is read. Default: the
          database’s folder.
        </p>
        <fieldset className="plain" disabled={fromFile !== null || locked}>
          <label htmlFor="run-preset">Stopping and starting</label>
          <select
            id="run-preset"
            value={preset}
            onChange={(event) => setPreset(event.target.value as Preset)}
            aria-describedby="run-preset-help"
          >
            <option value="manual">I stop and start the app myself</option>
            <option value="docker-compose">A Docker Compose service</option>
            <option value="systemd">A systemd unit</option>
            <option value="commands" disabled={!commandsAllowed}>
              My own commands
            </option>
          </select>
          <p id="run-preset-help" className="help">
            {presetHelp[preset]}
          </p>
          {(preset === 'docker-compose' || preset === 'systemd') && (
            <>
              <label htmlFor="run-service">{preset === 'systemd' ? 'Unit' : 'Service'}</label>
              <input
                id="run-service"
                value={service}
                onChange={(event) => setService(event.target.value)}
                required
                placeholder={preset === 'systemd' ? 'myapp.service' : 'web'}
              />
            </>
          )}
          {preset === 'commands' && (
            <>
              <label htmlFor="run-stop">Stop command</label>
              <input
                id="run-stop"
                className="mono"
                value={stop}
                onChange={(event) => setStop(event.target.value)}
                placeholder="supervisorctl stop myapp"
              />
              <label htmlFor="run-start">Start command</label>
              <input
                id="run-start"
                className="mono"
                value={start}
                onChange={(event) => setStart(event.target.value)}
                placeholder="supervisorctl start myapp"
              />
            </>
          )}
          <label htmlFor="run-upgrade">Upgrade command (optional)</label>
          <input
            id="run-upgrade"
            className="mono"
            value={upgrade}
            onChange={(event) => setUpgrade(event.target.value)}
            disabled={!commandsAllowed}
            placeholder="Default: the migration tool’s own (alembic upgrade head, python3 manage.py migrate, …)"
          />
          <label className="checkbox">
            <input
              type="checkbox"
              checked={usesLifeboatDatabase}
              onChange={(event) => setUsesLifeboatDatabase(event.target.checked)}
            />
            <span>
              The upgrade works on the database in <code>$LIFEBOAT_DATABASE_URL</code>, so a rehearsal can run
              it on a scratch copy
            </span>
          </label>
          <label htmlFor="run-health">Health URL (optional)</label>
          <input
            id="run-health"
            value={healthUrl}
            onChange={(event) => setHealthUrl(event.target.value)}
            placeholder="http://127.0.0.1:8000/health"
            inputMode="url"
          />
          <label htmlFor="run-smoke">Smoke queries (optional, one per line)</label>
          <textarea
            id="run-smoke"
            className="mono"
            value={smoke}
            onChange={(event) => setSmoke(event.target.value)}
            rows={2}
            placeholder="SELECT count(*) FROM users"
          />
          <label htmlFor="run-env">Environment variables (optional, NAME=value per line)</label>
          <textarea
            id="run-env"
            className="mono"
            value={envText}
            onChange={(event) => setEnvText(event.target.value)}
            rows={2}
            disabled={!commandsAllowed}
            placeholder="APP_ENV=production"
          />
          <div className="timeouts" role="group" aria-label="Time limits in seconds">
            {timeoutFields.map(([key, label]) => (
              <label key={key}>
                {label} (s)
                <input
                  type="number"
                  min={1}
                  value={timeouts[key]}
                  onChange={(event) => setTimeouts({ ...timeouts, [key]: event.target.value })}
                  placeholder={key === 'upgradeSeconds' ? '600' : '60'}
                />
              </label>
            ))}
          </div>
        </fieldset>
        <ErrorText error={error} />
        <div className="dialog-actions">
          <button type="button" onClick={closeDialog}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy || locked}>
            Save
          </button>
        </div>
      </form>
    </Modal>
  );
}
