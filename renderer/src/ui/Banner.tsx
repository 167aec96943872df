import { useEffect, type ReactNode } from 'react';
import { dismissBanner } from '../store/actions';
import { useStore } from '../store/store';

/** The last error, in the core's own words and with its code; and brief notices. */
export function Banner(): ReactNode {
  const banner = useStore((s) => s.banner);
  const notice = useStore((s) => s.notice);
  const settingsProblem = useStore((s) => s.overview?.settingsProblem ?? null);
  const disconnected = useStore((s) => s.disconnected);
  const admin = useStore((s) => s.overview?.host.admin ?? false);
  useEffect(() => {
    if (notice === null) {
      return;
    }
    const timer = window.setTimeout(() => useStore.setState({ notice: null }), 6000);
    return () => window.clearTimeout(timer);
  }, [notice]);
  return (
    <>
      {disconnected && (
        <div className="banner warning" role="alert" data-testid="disconnected">
          <span>
            <strong>Lost the connection to Lifeboat.</strong> Retrying every few seconds, and catching up by
            itself once it is back. Is <code>lifeboat serve</code> still running? If it was started again,
            open the new address it printed: the old one no longer works.
          </span>
        </div>
      )}
      {admin && (
        <div className="banner warning" role="status" data-testid="admin-banner">
          <span>
            <strong>Admin mode (lifeboat serve --admin).</strong> This page can make the server run commands,
            send the data to new places, set alerts and add apps anywhere. Stop <code>lifeboat serve</code>{' '}
            when you are done.
          </span>
        </div>
      )}
      {settingsProblem !== null && (
        <div className="banner warning" role="alert">
          <strong>Settings were reset.</strong> {settingsProblem}
        </div>
      )}
      {banner !== null && (
        <div className="banner error" role="alert">
          <span>
            {banner.message} <code>{banner.code}</code>
          </span>
          <button type="button" className="ghost" onClick={dismissBanner} aria-label="Dismiss the error">
            ✕
          </button>
        </div>
      )}
      <div className="notice" role="status" aria-live="polite">
        {notice}
      </div>
    </>
  );
}
