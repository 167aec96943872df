import { useEffect, type ReactNode } from 'react';
import { openDialog, pathOfDroppedFile } from '../store/actions';
import { useStore } from '../store/store';
import { AppView } from './AppView';
import { Banner } from '../ui/Banner';
import { Dialogs } from './Dialogs';
import { EmptyState } from '../ui/EmptyState';
import { FleetView } from '../features/hosts/FleetView';
import { Sidebar } from './Sidebar';

/** Keyboard shortcuts that work everywhere: Ctrl/⌘+N new snapshot, Ctrl/⌘+F or / search. */
function useShortcuts(): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      const mod = event.ctrlKey || event.metaKey;
      const { selectedAppId, dialog } = useStore.getState();
      if (dialog.kind !== 'none') {
        return;
      }
      const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement;
      if (mod && event.key.toLowerCase() === 'n' && selectedAppId !== null) {
        event.preventDefault();
        openDialog({ kind: 'snapshot', appId: selectedAppId, jobId: null });
      } else if ((mod && event.key.toLowerCase() === 'f') || (event.key === '/' && !typing)) {
        const search = document.getElementById('snapshot-filter');
        if (search !== null) {
          event.preventDefault();
          search.focus();
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

/** A .db file dropped anywhere on the window opens "Add an app" with its path (desktop only). */
function useDrop(): void {
  useEffect(() => {
    const onDragOver = (event: DragEvent): void => event.preventDefault();
    const onDrop = (event: DragEvent): void => {
      event.preventDefault();
      const file = event.dataTransfer?.files[0];
      if (file === undefined) {
        return;
      }
      const filePath = pathOfDroppedFile(file);
      if (filePath === null) {
        useStore.setState({
          banner: {
            code: 'INVALID_ARGUMENT',
            message: `A browser cannot tell Lifeboat where ${file.name} is on the server: paste its full path in "Add an app" instead.`,
          },
        });
        openDialog({ kind: 'add-app', initialPath: '' });
        return;
      }
      openDialog({ kind: 'add-app', initialPath: filePath });
    };
    window.addEventListener('dragover', onDragOver);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragover', onDragOver);
      window.removeEventListener('drop', onDrop);
    };
  }, []);
}

export function App(): ReactNode {
  useShortcuts();
  useDrop();
  const loading = useStore((s) => s.loading);
  const hasApps = useStore((s) => (s.overview?.apps.length ?? 0) + (s.overview?.hosts.length ?? 0) > 0);
  const onFleet = useStore((s) => s.page === 'fleet');
  return (
    <div className="shell">
      <Banner />
      {loading && (
        <main className="loading" aria-busy="true">
          Loading…
        </main>
      )}
      {!loading && hasApps && (
        <div className="workspace">
          <Sidebar />
          {onFleet ? <FleetView /> : <AppView />}
        </div>
      )}
      {!loading && !hasApps && <EmptyState />}
      <Dialogs />
    </div>
  );
}
