import type { LifeboatError } from '../../contract/errors';
import { toLifeboatError } from '../lifeboat-failure';
import { failed, ok, type Result } from '../../contract/errors';
import { keepApp, type KeeperActions, type KeeperPass, type KeptApp } from './keeper';

/** A keeper that stays: a pass over every app now, then every minute (late timers after sleep catch up once). */
export class KeeperLoop {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
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
   * One pass over every app, unless one is still under way; each app on its own: whatever one app's
   * folders throw (they are its user's to shape) is that app's failure, and the pass goes on.
   */
  pass(): Promise<void> {
    this.running ??= this.passOverApps().finally(() => {
      this.running = null;
      if (this.timer !== null) {
        clearTimeout(this.timer);
      }
      if (!this.stopped) {
        this.timer = setTimeout(() => void this.pass(), this.intervalMs);
        this.timer.unref();
      }
    });
    return this.running;
  }

  private async passOverApps(): Promise<void> {
    for (const app of this.apps()) {
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

  /** Stops the timer and waits for a pass under way (its jobs are cancelled by the host's shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    await this.running;
  }
}
