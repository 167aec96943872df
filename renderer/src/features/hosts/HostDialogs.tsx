import { useState, type FormEvent, type ReactNode } from 'react';
import type { LifeboatError } from '#contract/errors';
import type { HostStatus } from '#contract/hosts';
import { closeDialog } from '../../store/actions';
import { addHost, removeHost } from './host-actions';
import { useStore } from '../../store/store';
import { ErrorText } from '../../ui/ErrorText';
import { Modal } from '../../ui/Modal';

/** Adds another machine: an SSH alias or user@host[:port], and where Lifeboat is on it. */
export function AddHostDialog(): ReactNode {
  const [address, setAddress] = useState('');
  const [command, setCommand] = useState('');
  const [error, setError] = useState<LifeboatError | null>(null);
  const [added, setAdded] = useState<HostStatus | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const outcome = await addHost(address.trim(), command.trim());
    setBusy(false);
    if ('error' in outcome) {
      setError(outcome.error);
    } else {
      // Reachable: the dialog has closed. Not: it was kept, and why it cannot be reached is shown.
      setAdded(outcome.status);
    }
  };
  if (added !== null) {
    return (
      <Modal title={`${added.address} was added, but cannot be reached now`} onClose={closeDialog}>
        <p>
          It stays in the list, and Lifeboat tries it again every minute. Its apps appear as soon as it
          answers.
        </p>
        <ErrorText error={added.error} />
        <div className="dialog-actions">
          <button type="button" className="primary" onClick={closeDialog} autoFocus>
            Close
          </button>
        </div>
      </Modal>
    );
  }
  return (
    <Modal title="Add a host" onClose={closeDialog}>
      <form onSubmit={(event) => void submit(event)}>
        <p className="help">
          Lifeboat runs next to each database: install it on the host, then add the host here. It is reached
          with your own <code>ssh</code>: your <code>~/.ssh/config</code>, keys and agent. Its host key must
          already be in <code>known_hosts</code> (connect once with <code>ssh</code> in a terminal); Lifeboat
          never accepts one on its own.
        </p>
        <label htmlFor="host-address">SSH alias or user@host</label>
        <input
          id="host-address"
          value={address}
          onChange={(event) => {
            setAddress(event.target.value);
            setError(null);
          }}
          placeholder="nas   or   admin@192.168.1.20:2222"
          autoFocus
          required
          aria-invalid={error !== null}
        />
        <label htmlFor="host-command">Lifeboat command on the host (optional)</label>
        <input
          id="host-command"
          value={command}
          onChange={(event) => setCommand(event.target.value)}
          placeholder="lifeboat"
          aria-describedby="host-command-help"
        />
        <p id="host-command-help" className="help">
          For a host where it is not on the PATH, e.g. <code>/opt/lifeboat/bin/lifeboat</code> or{' '}
          <code>sudo -n lifeboat</code>.
        </p>
        <ErrorText error={error} />
        <div className="dialog-actions">
          <button type="button" onClick={closeDialog}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy || address.trim() === ''}>
            {busy ? 'Connecting…' : 'Add host'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

export function ConfirmRemoveHostDialog(props: { hostId: string }): ReactNode {
  const host = useStore((s) => s.overview?.hosts.find((h) => h.id === props.hostId));
  return (
    <Modal title={`Stop showing ${props.hostId} here?`} onClose={closeDialog}>
      <p>
        Its apps leave this list. <strong>Nothing on {host?.address ?? props.hostId} changes:</strong> its
        Lifeboat, its apps, their snapshots and schedules stay as they are, and adding the host again shows
        them all.
      </p>
      <div className="dialog-actions">
        <button type="button" onClick={closeDialog} autoFocus>
          Keep it
        </button>
        <button type="button" className="danger" onClick={() => void removeHost(props.hostId)}>
          Remove host
        </button>
      </div>
    </Modal>
  );
}
