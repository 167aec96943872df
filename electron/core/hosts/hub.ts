import { failed, type LifeboatError } from '../../contract/errors';
import { appSummarySchema, type AppSummary } from '../../contract/apps';
import type { JobEventName, JobEvents, JobFinished } from '../../contract/events';
import { jobEventNames } from '../../contract/events';
import { hostAppId, splitHostAppId, type Host, type HostStatus } from '../../contract/hosts';
import type { JobState, OperationName, UiJobKind } from '../../contract/operations';
import { LifeboatFailure, valueOrThrow } from '../lifeboat-failure';
import { HostLink, isRecord } from './host-link';

/** The kind of job each operation that starts one starts (to end it here if its host's connection drops). */
const jobKindOf: Partial<Record<OperationName, UiJobKind>> = {
  'snapshots:create': 'snapshot',
  'snapshots:verify': 'verify',
  'snapshots:diff': 'diff',
  'snapshots:export': 'export',
  'snapshots:copy': 'copy',
  'restore:start': 'restore',
  'restore:undo': 'restore',
  'restore:rehearse': 'rehearse',
  'restore:recover': 'restore-recover',
  'offsite:push': 'push',
  'offsite:pull': 'pull',
};

/** How often a host out of reach is tried again (and at most how often a look at the apps tries it). */
const retryMs = 60_000;

type Emit = <E extends JobEventName>(event: E, payload: JobEvents[E]) => void;

/** A short id for a new host, from its address ("root@nas.lan:2222" → "nas-lan"), unique among `hosts`. */
export function newHostId(address: string, hosts: readonly Host[]): string {
  const name = address.replace(/^[^@]*@/, '').replace(/:[0-9]+$/, '');
  const base =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 30) || 'host';
  let id = base;
  for (let n = 2; hosts.some((host) => host.id === id); n += 1) {
    id = `${base}-${n}`;
  }
  return id;
}

/** A host's app as this hub shows it: its id prefixed with the host's, and the host named. */
function hostApp(hostId: string, app: AppSummary): AppSummary {
  return { ...app, id: hostAppId(hostId, app.id), host: hostId };
}

/** A host's answer with its ids made this hub's (a job id, an app). */
function ownIds(hostId: string, value: unknown): unknown {
  if (!isRecord(value)) {
    return value;
  }
  if (typeof value['healthText'] === 'string') {
    return hostApp(hostId, value as unknown as AppSummary);
  }
  const renamed = { ...value };
  for (const key of ['jobId', 'appId', 'removed']) {
    if (typeof renamed[key] === 'string') {
      renamed[key] = hostAppId(hostId, renamed[key]);
    }
  }
  return renamed;
}

/**
 * A pull for an app on `hostId`, as sent there: its age identities only when the person confirmed
 * sending them to that very host (the page names the host beside the key); the confirmation itself
 * stays here.
 */
function withConfirmedIdentities(hostId: string, input: Record<string, unknown>): Record<string, unknown> {
  const { sendIdentitiesTo, ...forwarded } = input;
  const identities = Array.isArray(input['identities']) ? input['identities'] : [];
  if (identities.length > 0 && sendIdentitiesTo !== hostId) {
    throw new LifeboatFailure(
      'INVALID_ARGUMENT',
      `The age identity was not sent: this snapshot is brought back on the host "${hostId}", whose Lifeboat decrypts it there, and sending the key to it was not confirmed${typeof sendIdentitiesTo === 'string' ? ` (the confirmation named "${sendIdentitiesTo}")` : ''}. Confirm sending it to ${hostId}, or bring the copy back without decrypting.`,
    );
  }
  return forwarded;
}

/**
 * The hub: the hosts of the settings, each reached over SSH (`HostLink`), their apps listed beside
 * this computer's, and every operation on one of their apps (or jobs) carried out by the host's own
 * Lifeboat. Nothing of a host's restore runs here: a dropped connection leaves it to finish there.
 */
export class Hub {
  private readonly links = new Map<string, HostLink>();
  /** Jobs started on hosts through this hub and not seen to end, by this hub's job id. */
  private readonly jobs = new Map<string, JobState>();
  /** Jobs whose end arrived before their start was answered (a fast one). */
  private readonly endedEarly = new Set<string>();
  /** Each host's apps as it last listed them: shown while it is out of reach, as they were then. */
  private readonly lastApps = new Map<string, AppSummary[]>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly options: {
      readonly hosts: () => readonly Host[];
      /** For a web token holder: each host applies the web host's rules too. */
      readonly web: boolean;
      readonly emit: Emit;
      readonly now: () => Date;
    },
  ) {
    this.timer = setInterval(() => {
      for (const link of this.current()) {
        void link.connect(retryMs);
      }
    }, retryMs);
    this.timer.unref();
  }

  /** The links of the hosts in the settings now (removed ones closed, new ones made). */
  private current(): HostLink[] {
    const hosts = this.options.hosts();
    for (const [id, link] of this.links) {
      const kept = hosts.find((host) => host.id === id);
      if (kept?.address !== link.host.address || kept.command !== link.host.command) {
        link.close();
        this.links.delete(id);
        this.lastApps.delete(id);
      }
    }
    return hosts.map((host) => {
      let link = this.links.get(host.id);
      if (link === undefined) {
        link = this.linkFor(host);
        this.links.set(host.id, link);
      }
      return link;
    });
  }

  private linkFor(host: Host): HostLink {
    return new HostLink(
      host,
      this.options.web,
      {
        onEvent: (name, payload) => this.relay(host.id, name, payload),
        onState: () => this.options.emit('hosts:changed', {}),
        onLost: (error) => this.endJobsOf(host.id, error),
      },
      this.options.now,
    );
  }

  /** A host's event, its ids made this hub's. */
  private relay(hostId: string, name: string, payload: unknown): void {
    const event = jobEventNames.find((known) => known === name);
    if (event === undefined || event === 'hosts:changed' || !isRecord(payload)) {
      return;
    }
    const renamed = ownIds(hostId, payload) as Record<string, unknown>;
    const jobId = typeof renamed['jobId'] === 'string' ? renamed['jobId'] : null;
    if (jobId !== null && event === 'job:finished') {
      if (!this.jobs.delete(jobId)) {
        this.endedEarly.add(jobId);
      }
    } else if (jobId !== null && event === 'job:progress') {
      const job = this.jobs.get(jobId);
      if (job !== undefined) {
        const { phase, fraction } = renamed as unknown as JobEvents['job:progress'];
        this.jobs.set(jobId, { ...job, phase, fraction });
      }
    }
    // The host's Lifeboat sent it as this event's payload; only its ids were changed.
    this.options.emit(event, renamed as unknown as JobEvents[typeof event]);
  }

  /** The connection dropped: the jobs it was following end here with why (they go on there). */
  private endJobsOf(hostId: string, error: LifeboatError): void {
    for (const job of [...this.jobs.values()].filter((j) => splitHostAppId(j.appId)?.hostId === hostId)) {
      this.jobs.delete(job.jobId);
      this.options.emit('job:finished', {
        jobId: job.jobId,
        appId: job.appId,
        kind: job.kind,
        result: failed(error),
      } as JobFinished);
    }
  }

  statuses(): HostStatus[] {
    return this.current().map((link) => link.status());
  }

  /**
   * The apps of every host, as this hub names them: as each host lists them now, or, for a host out of
   * reach (or slower than `answerMs`), as it last listed them (its status says when it was last seen).
   * A host not online is tried in the background (at most once a minute): one that hangs never holds
   * up the list, and the `hosts:changed` its connection brings lists its apps afresh.
   */
  async apps(answerMs = 20_000): Promise<AppSummary[]> {
    const perHost = await Promise.all(
      this.current().map(async (link) => {
        const lastKnown = this.lastApps.get(link.host.id) ?? [];
        if (!link.online) {
          void link.connect(retryMs);
          return lastKnown;
        }
        let timer: NodeJS.Timeout | undefined;
        const listed = await Promise.race([
          link.call('apps:list', {}),
          new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), answerMs))),
        ]);
        clearTimeout(timer);
        const apps = listed?.ok === true && isRecord(listed.value) ? listed.value['apps'] : null;
        if (!Array.isArray(apps)) {
          return lastKnown;
        }
        // Another machine's answer: only apps of the right shape are shown (a host of another version adds fields).
        const shown = apps.flatMap((app) => {
          const parsed = appSummarySchema.safeParse(app);
          return parsed.success ? [hostApp(link.host.id, parsed.data)] : [];
        });
        this.lastApps.set(link.host.id, shown);
        return shown;
      }),
    );
    return perHost.flat();
  }

  /** Waits for an attempt to reach each host that is not online (for `lifeboat hosts list`). */
  async reachAll(): Promise<void> {
    await Promise.all(this.current().map((link) => link.connect()));
  }

  runningJobs(): JobState[] {
    return [...this.jobs.values()];
  }

  /** Tries the host again now; its status after that attempt. */
  async reconnect(hostId: string): Promise<HostStatus> {
    const link = this.link(hostId);
    await link.connect();
    return link.status();
  }

  private link(hostId: string): HostLink {
    const link = this.current().find((l) => l.host.id === hostId);
    if (link === undefined) {
      throw new LifeboatFailure(
        'INVALID_ARGUMENT',
        `There is no host "${hostId}" here: it may have been removed. Reload the list.`,
      );
    }
    return link;
  }

  /**
   * Carries out an operation on a host when it names one of the host's apps or jobs (or `apps:add`
   * names a host); null when it is this computer's. Fails as the host's answer did.
   */
  route(name: OperationName, input: Record<string, unknown>): Promise<unknown> | null {
    let hostId: string;
    let forwarded: Record<string, unknown>;
    if (name === 'apps:add' && typeof input['host'] === 'string') {
      hostId = input['host'];
      forwarded = Object.fromEntries(Object.entries(input).filter(([key]) => key !== 'host'));
    } else {
      const key = name === 'jobs:cancel' ? 'jobId' : 'appId';
      const split = typeof input[key] === 'string' ? splitHostAppId(input[key]) : null;
      if (split === null) {
        return null;
      }
      hostId = split.hostId;
      forwarded = { ...input, [key]: split.appId };
    }
    if (name === 'offsite:pull') {
      forwarded = withConfirmedIdentities(hostId, forwarded);
    }
    const link = this.link(hostId);
    return link.call(name, forwarded).then((answer) => {
      const value = ownIds(hostId, valueOrThrow(answer));
      const kind = jobKindOf[name];
      if (kind !== undefined && isRecord(value) && typeof value['jobId'] === 'string') {
        const jobId = value['jobId'];
        if (!this.endedEarly.delete(jobId)) {
          const appId = hostAppId(hostId, String(forwarded['appId']));
          this.jobs.set(jobId, { jobId, kind, appId, phase: 'Starting', fraction: 0 });
        }
      }
      return value;
    });
  }

  close(): void {
    clearInterval(this.timer);
    for (const link of this.links.values()) {
      link.close();
    }
    this.links.clear();
  }
}
