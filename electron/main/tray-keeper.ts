import { Menu, nativeImage, Tray } from 'electron';

/**
 * When the user chose to keep schedules running with the window closed, Lifeboat stays in the tray:
 * the keeper goes on, and the tray's menu opens the window again or quits.
 */
export function stayInTray(iconPath: string, open: () => void, quit: () => void): Tray {
  const tray = new Tray(nativeImage.createFromPath(iconPath).resize({ width: 16, height: 16 }));
  tray.setToolTip('Lifeboat: keeping your apps’ schedules');
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: 'Open Lifeboat', click: open },
      { type: 'separator' },
      { label: 'Quit (scheduled snapshots stop)', click: quit },
    ]),
  );
  tray.on('click', open);
  return tray;
}
