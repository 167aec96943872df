import { toLifeboatError } from '../lifeboat-failure';
import { failed, ok, type Result } from '../../contract/errors';
import { keepApp, type KeeperActions, type KeeperPass, type KeptApp } from './keeper';

/** A keeper that stays: a pass over every app now, then every minute (late timers after sleep catch up once). */
export class KeeperLoop {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

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

  /** One pass over every app, unless one is still under way; each app on its own (one failing stops none). */
  pass(): Promise<void> {
    this.running ??= (async () => {
      for (const app of this.apps()) {
        try {
          this.report(app, ok(await keepApp(app, this.actions)));
        } catch (error) {
          this.report(app, failed(toLifeboatError(error)));
        }
      }
    })().finally(() => {
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
