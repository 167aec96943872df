import type { BrowserWindowConstructorOptions } from 'electron';

/**
 * The options of every Lifeboat window. Tests import this very function (it needs no Electron at
 * run time) to assert the security settings the app really uses.
 */

/** The renderer is served from this custom scheme, never from file:// or the network. */
export const appScheme = 'app';
export const appHost = 'lifeboat';
export const appOrigin = `${appScheme}://${appHost}`;

export interface WindowBounds {
  readonly x?: number | undefined;
  readonly y?: number | undefined;
  readonly width: number;
  readonly height: number;
}

export function windowOptions(
  preloadPath: string,
  bounds: WindowBounds,
  iconPath: string,
): BrowserWindowConstructorOptions {
  return {
    width: bounds.width,
    height: bounds.height,
    ...(bounds.x === undefined || bounds.y === undefined ? {} : { x: bounds.x, y: bounds.y }),
    minWidth: 820,
    minHeight: 520,
    title: 'Lifeboat',
    icon: iconPath,
    show: false,
    backgroundColor: '#0f1419',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      devTools: true,
    },
  };
}

/** Navigation is allowed only within the app's own origin; everything else is denied. */
export function isAppUrl(url: string): boolean {
  try {
    return new URL(url).origin === appOrigin || url.startsWith(`${appOrigin}/`);
  } catch {
    return false;
  }
}
