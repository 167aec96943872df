import { Menu, shell, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../contract/events';

/** Whether schedules keep running in the tray once the window is closed, and how to change it. */
export interface TrayChoice {
  readonly enabled: boolean;
  set(enabled: boolean): void;
}

/** File: Add app…, Snapshot now, Open demo, keep schedules in the tray, Quit; Help: the README. */
export function installMenu(window: () => BrowserWindow | null, readmePath: string, tray: TrayChoice): void {
  const send = (command: MenuCommand): void => window()?.webContents.send('menu:command', { command });
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: '&File',
      submenu: [
        { label: 'Add App…', accelerator: 'CmdOrCtrl+O', click: () => send('add-app') },
        { label: 'Snapshot Now', accelerator: 'CmdOrCtrl+N', click: () => send('snapshot-now') },
        { label: 'Open Demo', click: () => send('open-demo') },
        { type: 'separator' },
        {
          label: 'Keep Schedules Running When Closed',
          type: 'checkbox',
          checked: tray.enabled,
          click: (item) => tray.set(item.checked),
        },
        { type: 'separator' },
        process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [{ label: 'Lifeboat README', click: () => void shell.openPath(readmePath) }],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
