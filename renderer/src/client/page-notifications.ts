/**
 * Desktop notifications in a browser or the app window, where Electron's are not at hand: the page's
 * Notification API, asked for once on a click that starts long work (browsers ask only then), used
 * when a job ends while the page is hidden, as the desktop app does while its window is in the back.
 */

/** Asks for leave to notify, the first time only; call it from a click. */
export function askToNotify(): void {
  if (typeof Notification !== 'undefined' && Notification.permission === 'default') {
    void Notification.requestPermission();
  }
}

/** Says `body` as a desktop notification if the page is hidden and may notify. */
export function notifyIfHidden(body: string): void {
  if (typeof Notification !== 'undefined' && Notification.permission === 'granted' && document.hidden) {
    new Notification('Lifeboat', { body, icon: './icon.svg' });
  }
}
