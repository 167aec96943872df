import { Menu, shell, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../contract/events';

/** File: Add app…, Snapshot now, Open demo, Quit; Help: the README. */
export function installMenu(window: () => BrowserWindow | null, readmePath: string): void {
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
