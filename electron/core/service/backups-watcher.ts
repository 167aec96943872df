import * as fs from 'node:fs';

/**
 * Follows the backups folders of the apps on screen, so that a snapshot added by a script, deleted
 * or changed on disk shows within a second, without a reload. Changes are gathered for a moment and
 * reported once per app (copying a file fires many events). A folder that does not exist yet is
 * followed once it does (the next listing asks again).
 */
export class BackupsWatcher {
  private readonly watched = new Map<string, { readonly dir: string; readonly watcher: fs.FSWatcher }>();
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly onChange: (appId: string) => void,
    private readonly settleMs = 300,
  ) {}

  follow(appId: string, dir: string): void {
    const current = this.watched.get(appId);
    if (current?.dir === dir) {
      return;
    }
    this.unfollow(appId);
    let watcher: fs.FSWatcher;
    try {
      watcher = fs.watch(dir, { persistent: false }, () => this.changed(appId));
    } catch {
      return; // Not there (yet), or not a folder: nothing to follow.
    }
    // The folder was removed or became unreadable: stop, and try again at the next listing.
    watcher.on('error', () => this.unfollow(appId));
    this.watched.set(appId, { dir, watcher });
  }

  unfollow(appId: string): void {
    this.watched.get(appId)?.watcher.close();
    this.watched.delete(appId);
    clearTimeout(this.pending.get(appId));
    this.pending.delete(appId);
  }

  close(): void {
    [...this.watched.keys()].forEach((appId) => this.unfollow(appId));
  }

  private changed(appId: string): void {
    clearTimeout(this.pending.get(appId));
    this.pending.set(
      appId,
      setTimeout(() => {
        this.pending.delete(appId);
        this.onChange(appId);
      }, this.settleMs).unref(),
    );
  }
}
