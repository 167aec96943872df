import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createBridgeClient } from '../client/bridge-client';
import { createHttpClient } from '../client/http-client';
import { followPulls } from '../features/offsite/offsite-actions';
import { followRestoreJobs } from '../features/restore/restore-actions';
import { loadApps, startActions, startClock } from '../store/actions';
import '../styles.css';

// The preload's bridge in Electron; HTTP and a WebSocket against `lifeboat serve` in a browser.
const client = window.lifeboat === undefined ? createHttpClient() : createBridgeClient(window.lifeboat);
startActions(client);
startClock();
followRestoreJobs();
followPulls();
void loadApps();

const root = document.getElementById('root');
if (root !== null) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
