import type { LifeboatError } from '../../contract/errors';
import { toLifeboatError } from '../lifeboat-failure';
import { failed, ok, type Result } from '../../contract/errors';
import { keepApp, type KeeperActions, type KeeperPass, type KeptApp } from './keeper';

/**
 * A keeper that stays: a pass over every app now, then every minute (late timers after sleep catch up
 * once). Each app is kept on its own: an app whose pass is still under way (a large database, a slow
 * upload, a database built to be slow) is skipped until it ends, and never delays the others.
 */
export class KeeperLoop {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Each app's pass under way, by app id. */
  private readonly underWay = new Map<string, Promise<void>>();
  /** Why the keeper could not look after an app on its last pass, by app id; absent when it could. */
  private readonly problems = new Map<string, LifeboatError>();

  constructor(
    private readonly apps: () => readonly KeptApp[],
    private readonly actions: KeeperActions,
    private readonly report: (app: KeptApp, pass: Result<KeeperPass>) => void,
    private readonly intervalMs = 60_000,
  ) {}

  start(): void {
    this.stopped = false;
    void this.pass();
  }

  /** Why the keeper could not look after the app on its last pass (its folder, lock or schedule); null when it could. */
  problemOf(appId: string): LifeboatError | null {
    return this.problems.get(appId) ?? null;
  }

  /**
   * A pass over every app whose last pass has ended; resolves when those started now have ended. The
   * next pass is timed from now, not from when the slowest app ends.
   */
  pass(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (!this.stopped) {
      this.timer = setTimeout(() => void this.pass(), this.intervalMs);
      this.timer.unref();
    }
    const started = this.apps()
      .filter((app) => !this.underWay.has(app.id))
      .map((app) => {
        const kept = this.keepOne(app).finally(() => this.underWay.delete(app.id));
        this.underWay.set(app.id, kept);
        return kept;
      });
    return Promise.all(started).then(() => undefined);
  }

  /** One app's pass: whatever its folders throw (they are its user's to shape) is its failure alone. */
  private async keepOne(app: KeptApp): Promise<void> {
    let result: Result<KeeperPass>;
    try {
      result = ok(await keepApp(app, this.actions));
      this.problems.delete(app.id);
    } catch (error) {
      const problem = toLifeboatError(error);
      await this.alertOnce(app, problem);
      result = failed(problem);
    }
    this.report(app, result);
  }

  /** Tells people of an app the keeper cannot look after, once per reason (every minute would be noise). */
  private async alertOnce(app: KeptApp, error: LifeboatError): Promise<void> {
    const known = this.problems.get(app.id);
    this.problems.set(app.id, error);
    if (known?.code === error.code && known.message === error.message) {
      return;
    }
    try {
      await this.actions.alert(app, {
        event: 'failed',
        app: app.name,
        database: app.location.databasePath,
        state: 'failing',
        reason: `The keeper cannot look after it: ${error.message} [${error.code}]`,
        at: new Date(this.actions.now()).toISOString(),
      });
    } catch {
      // Alert targets out of reach: the app is still shown failing, with the reason.
    }
  }

  /** Stops the timer and waits for the passes under way (their jobs are cancelled by the host's shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    await Promise.all(this.underWay.values());
  }
}
