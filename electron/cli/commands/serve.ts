import * as path from 'node:path';
import { LifeboatFailure, valueOrThrow } from '../../core/lifeboat-failure';
import { dispatch } from '../../core/service/dispatch';
import { LifeboatService } from '../../core/service/lifeboat-service';
import { startDesktop } from '../../launcher/start-desktop';
import { startWebHost } from '../../web/web-host';
import { dataDirOf } from '../shared/app-target';
import { exitCodes } from '../shared/exit-codes';
import type { Command } from '../shared/command';
import { say } from '../shared/terminal-text';

/** What the person who started serve is told the page may reach. */
function reachText(admin: boolean, allow: readonly string[]): string {
  if (admin) {
    return 'Admin: the page can set commands, offsite targets and alerts, and add apps in any folder.\n';
  }
  return allow.length === 0
    ? 'Apps can be added through it only with --allow DIR (none given).\n'
    : `Apps can be added through it in: ${allow.join(', ')}\n`;
}

export const serve: Command = {
  name: 'serve',
  synopsis: 'serve',
  summary: "The app's interface in a browser",
  usage: ['serve [--port N] [--data-dir DIR] [--allow DIR]... [--admin] [--demo]'],
  options: ['port', 'data-dir', 'allow', 'admin', 'demo'],
  help: `The desktop app's interface in a browser, for servers without a desktop:
listens on 127.0.0.1 only and prints a URL with a secret token (reach it
through an SSH tunnel). --demo opens the demo app; --data-dir keeps its
settings elsewhere (default: the desktop app's). Through it, apps can be added
only in the folders given with --allow (and no commands set): the token grants
the apps, not the server's files; the page shows what to write in which
lifeboat.json instead. --admin lets the page do what the desktop app does
(commands, offsite targets, alerts, apps in any folder): only for you, while
you use it. It also keeps every app's schedule, as run-due does. Runs until
Ctrl-C or SIGTERM.`,
  async run(invocation) {
    const port = invocation.port === undefined ? 0 : Number(invocation.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new LifeboatFailure(
        'INVALID_ARGUMENT',
        `--port must be a number from 0 to 65535 (0 picks a free port), not "${invocation.port ?? ''}".`,
      );
    }
    const dataDir = dataDirOf(invocation);
    const service = new LifeboatService({
      dataDir,
      origin: 'web',
      allow: invocation.allow,
      hub: true,
      admin: invocation.admin,
    });
    if (invocation.admin) {
      process.stderr.write(
        'WARNING: --admin: whoever holds this URL can make this server run commands as the apps, send their\n' +
          'data to any offsite target, set alerts and add apps in any folder, as the desktop app can.\n' +
          'Open it only in your own browser, and stop this lifeboat serve (Ctrl-C) when you are done.\n',
      );
    }
    service.followBackupsFolders();
    // The keeper of every app's schedule, for as long as it serves.
    service.startKeeper((line) => say(process.stdout, `${new Date().toISOString()} ${line}\n`));
    if (invocation.demo) {
      process.stdout.write('Preparing the demo app...\n');
      valueOrThrow(await dispatch(service, 'demo:open', {}));
    }
    const host = await startWebHost(service, {
      port,
      rendererDir: path.join(__dirname, '..', '..', '..', 'renderer'),
    });
    process.stdout.write(
      `Lifeboat is serving on ${host.url}\n` +
        `Settings and demo: ${dataDir}\n` +
        reachText(invocation.admin, invocation.allow) +
        `It answers on this machine only. From another computer: ssh -L ${host.port}:127.0.0.1:${host.port} <this server>, then open the URL there.\n` +
        'Press Ctrl-C to stop.\n',
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    process.stdout.write('Stopping: cancelling running jobs...\n');
    await service.shutdown();
    await host.close();
    return exitCodes.ok;
  },
};

export const desktop: Command = {
  name: 'desktop',
  synopsis: 'desktop',
  summary: 'The desktop app',
  usage: ['desktop [--data-dir DIR] [--allow DIR]... [--demo]'],
  options: ['data-dir', 'allow', 'demo'],
  help: `The desktop app: Electron's window where Electron is installed, else an app
window of an installed Chromium, Chrome, Edge or Brave (CHROMIUM_PATH chooses;
LIFEBOAT_BROWSER_ARGS adds arguments) on the same core as serve, with the
desktop app's settings. Apps can be added in your home folder, or in the
folders given with --allow. Closing the window stops it; a second start shows
the running one.`,
  async run(invocation) {
    const code = await startDesktop({
      dataDir: dataDirOf(invocation),
      allow: invocation.allow,
      demo: invocation.demo,
    });
    return code === 0 ? exitCodes.ok : exitCodes.failed;
  },
};
