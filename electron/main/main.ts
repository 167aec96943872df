// First import: enables SQLite URI filenames before any worker opens a database.
import '../core/sqlite/open-database';
import {
  app,
  BrowserWindow,
  dialog,
  net,
  Notification,
  protocol,
  safeStorage,
  session,
  shell,
  type Tray,
} from 'electron';
import { sealedSecrets } from '../core/offsite/offsite-secrets';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { changesLiveDatabase, type UiJobKind } from '../contract/operations';
import { LifeboatService } from '../core/service/lifeboat-service';
import type { WindowState } from '../core/settings/settings-store';
import { installMenu } from './app-menu';
import { bindIpc } from './ipc-binding';
import { stayInTray } from './tray-keeper';
import { useElectronBinding } from './native-binding';
import { appHost, appOrigin, appScheme, isAppUrl, windowOptions } from './window-options';

/** The Electron shell: lifecycle, one window, menus, dialogs, progress and notifications. */

const distDir = path.join(__dirname, '..', '..');
const rendererDir = path.join(distDir, 'renderer');
const preloadPath = path.join(distDir, 'preload', 'preload.js');
const longJobMs = 5000;

protocol.registerSchemesAsPrivileged([
  { scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

// Tests and power users may keep Lifeboat's settings elsewhere.
const userDataOverride = process.env['LIFEBOAT_USER_DATA'];
if (userDataOverride !== undefined && userDataOverride !== '') {
  app.setPath('userData', userDataOverride);
}

let mainWindow: BrowserWindow | null = null;
/** Present while Lifeboat stays in the tray with its window closed (see stayInTray). */
let tray: Tray | null = null;

function serveRenderer(): void {
  protocol.handle(appScheme, (request) => {
    const url = new URL(request.url);
    const relative = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    const filePath = path.resolve(rendererDir, `.${relative}`);
    if (url.host !== appHost || !filePath.startsWith(`${rendererDir}${path.sep}`)) {
      return new Response('Not found', { status: 404 });
    }
    return net.fetch(pathToFileURL(filePath).toString());
  });
}

function lockDownSession(): void {
  // No remote content, no permissions: the app shows local data only.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.webRequest.onBeforeRequest(
    { urls: ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*'] },
    (_details, callback) => callback({ cancel: true }),
  );
}

function createWindow(service: LifeboatService): BrowserWindow {
  const saved: WindowState | undefined = service.settings.settings.window;
  const window = new BrowserWindow(
    windowOptions(
      preloadPath,
      saved ?? { width: 1280, height: 820 },
      path.join(app.getAppPath(), 'assets', 'icon.png'),
    ),
  );
  if (saved?.maximized === true) {
    window.maximize();
  }
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  window.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) {
      event.preventDefault();
    }
  });
  window.webContents.on('will-attach-webview', (event) => event.preventDefault());
  window.once('ready-to-show', () => window.show());
  window.on('close', () => {
    const bounds = window.getNormalBounds();
    service.settings.update((s) => ({ ...s, window: { ...bounds, maximized: window.isMaximized() } }));
  });
  void window.loadURL(`${appOrigin}/index.html`);
  return window;
}

const jobTitles: Record<UiJobKind, string> = {
  snapshot: 'Snapshot',
  verify: 'Verification',
  restore: 'Restore',
  rehearse: 'Rehearsal',
  'restore-recover': 'Recovery of the interrupted restore',
  diff: 'Comparison',
  export: 'Export',
  copy: 'Restore as a copy',
  push: 'Offsite copy',
  pull: 'Bringing back from offsite',
};

function followJobs(service: LifeboatService): void {
  const started = new Map<string, number>();
  service.on('job:progress', (progress) => {
    if (!started.has(progress.jobId)) {
      started.set(progress.jobId, Date.now());
    }
    mainWindow?.setProgressBar(progress.fraction);
  });
  service.on('job:finished', (event) => {
    const duration = Date.now() - (started.get(event.jobId) ?? Date.now());
    started.delete(event.jobId);
    if (service.runningJobs().length === 0) {
      mainWindow?.setProgressBar(-1);
    }
    if (
      duration > longJobMs &&
      mainWindow !== null &&
      !mainWindow.isFocused() &&
      Notification.isSupported()
    ) {
      const what = jobTitles[event.kind];
      const body = event.result.ok ? `${what} finished.` : `${what} failed: ${event.result.error.message}`;
      new Notification({ title: 'Lifeboat', body }).show();
    }
  });
}

async function start(): Promise<void> {
  useElectronBinding(app.getAppPath(), app.isPackaged);
  await app.whenReady();
  serveRenderer();
  lockDownSession();
  const dataDir = app.getPath('userData');
  const service = new LifeboatService({
    dataDir,
    origin: 'desktop',
    // Other machines' apps, reached with the user's own ssh (Add a host…).
    hub: true,
    // S3 keys are sealed by the OS keychain (Keychain, DPAPI, libsecret), never written in the clear.
    secrets: sealedSecrets(dataDir, {
      isAvailable: () => safeStorage.isEncryptionAvailable(),
      seal: (text) => safeStorage.encryptString(text),
      unseal: (sealed) => safeStorage.decryptString(sealed),
    }),
  });
  service.followBackupsFolders();
  bindIpc(
    service,
    {
      'dialog:chooseDatabase': async () => {
        const options = {
          title: 'Choose the app’s SQLite database',
          properties: ['openFile' as const],
          filters: [
            { name: 'SQLite databases', extensions: ['db', 'sqlite', 'sqlite3', 'db3'] },
            { name: 'All files', extensions: ['*'] },
          ],
        };
        const result =
          mainWindow === null
            ? await dialog.showOpenDialog(options)
            : await dialog.showOpenDialog(mainWindow, options);
        return { path: result.canceled ? null : (result.filePaths[0] ?? null) };
      },
      'shell:revealSnapshot': (input) => {
        shell.showItemInFolder(service.snapshotPath(input.appId, input.file));
        return Promise.resolve({ revealed: true });
      },
    },
    () => mainWindow,
  );
  followJobs(service);
  service.startKeeper((line) => process.stdout.write(`${line}\n`));
  service.on('keeper:alert', (alert) => {
    if (Notification.isSupported()) {
      new Notification({ title: alert.title, body: alert.reason }).show();
    }
  });
  const trayChoice = {
    get enabled(): boolean {
      return service.settings.settings.keepInTray === true;
    },
    set: (enabled: boolean): void => service.settings.update((s) => ({ ...s, keepInTray: enabled })),
  };
  installMenu(() => mainWindow, path.join(app.getAppPath(), 'README.md'), trayChoice);
  mainWindow = createWindow(service);
  app.on('window-all-closed', () => {
    if (trayChoice.enabled) {
      tray ??= stayInTray(
        path.join(app.getAppPath(), 'assets', 'icon.png'),
        () => {
          mainWindow = BrowserWindow.getAllWindows().length === 0 ? createWindow(service) : mainWindow;
          mainWindow?.show();
        },
        () => app.quit(),
      );
    } else if (process.platform !== 'darwin') {
      app.quit();
    }
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) {
      mainWindow = createWindow(service);
    }
  });
  let quitting = false;
  app.on('before-quit', (event) => {
    const running = service.runningJobs();
    if (running.length === 0) {
      return;
    }
    // Let running jobs remove their partial files (a restore: roll back) before the process ends.
    event.preventDefault();
    if (quitting) {
      return;
    }
    const restoring = running.some((job) => changesLiveDatabase(job.kind));
    const confirmed = !restoring
      ? Promise.resolve(true)
      : dialog
          .showMessageBox({
            type: 'warning',
            message: 'A restore is under way.',
            detail:
              'Quitting now stops it and rolls the database back to what it was before. Let it finish to keep the restore.',
            buttons: ['Keep running', 'Roll back and quit'],
            defaultId: 0,
            cancelId: 0,
          })
          .then(({ response }) => response === 1);
    void confirmed.then((quit) => {
      if (quit) {
        quitting = true;
        void service.shutdown().then(() => app.quit());
      }
    });
  });
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow !== null) {
      if (mainWindow.isMinimized()) {
        mainWindow.restore();
      }
      mainWindow.focus();
    }
  });
  start().catch((error: unknown) => {
    dialog.showErrorBox('Lifeboat could not start', String(error));
    app.exit(1);
  });
}
