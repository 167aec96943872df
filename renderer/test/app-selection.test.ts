import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Result } from '#contract/errors';
import type { OperationName } from '#contract/operations';
import type { LifeboatClient } from '../src/client/lifeboat-client';
import { loadApps, removeApp, selectApp, selectSnapshot, startActions } from '../src/store/actions';
import { useStore } from '../src/store/store';

/**
 * Which app is on show, and what stays open when it is shown again: the store's actions against a client
 * that answers as the host would, with no window.
 */

let apps: string[] = [];

/** What the host answers: `apps:list` lists `apps`, `apps:remove` removes; anything else fails, and the actions ignore it. */
function answer(name: OperationName): Result<unknown> {
  switch (name) {
    case 'apps:list':
      return { ok: true, value: { apps: apps.map((id) => ({ id, name: id, interruptedRestore: null })) } };
    case 'apps:remove':
      return { ok: true, value: {} };
    default:
      return { ok: false, error: { code: 'APP_NOT_FOUND', message: 'not in this test' } };
  }
}

const client: LifeboatClient = {
  call: (name: OperationName) => Promise.resolve(answer(name) as Result<never>),
  on: () => () => undefined,
  onConnection: () => () => undefined,
  desktop: null,
};
startActions(client);

beforeEach(() => {
  apps = ['shop', 'blog'];
  useStore.setState({ selectedAppId: null, selectedFile: null, details: null, filter: '', banner: null });
});

describe('the app on show', () => {
  it('keeps the snapshot open in its details when it is selected again (as adding an app does after listing it)', async () => {
    await loadApps();
    assert.equal(useStore.getState().selectedAppId, 'shop');
    void selectSnapshot('shop', 'shop-20260101-020000-nightly.db');
    useStore.setState({ filter: 'nightly' });
    await selectApp('shop');
    assert.equal(useStore.getState().details?.file, 'shop-20260101-020000-nightly.db');
    assert.equal(useStore.getState().filter, 'nightly');
  });

  it('shows nothing of the last app when another is selected', async () => {
    await loadApps();
    void selectSnapshot('shop', 'shop-20260101-020000-nightly.db');
    useStore.setState({ filter: 'nightly' });
    await selectApp('blog');
    const state = useStore.getState();
    assert.deepEqual(
      [state.selectedAppId, state.details, state.selectedFile, state.filter],
      ['blog', null, null, ''],
    );
  });

  it('closes the details of an app that is removed and shows the next one', async () => {
    await loadApps();
    void selectSnapshot('shop', 'shop-20260101-020000-nightly.db');
    apps = ['blog'];
    await removeApp('shop');
    const state = useStore.getState();
    assert.deepEqual([state.selectedAppId, state.details], ['blog', null]);
  });

  it('closes the details of an app that went away elsewhere (another window, its host) when the list is read again', async () => {
    await loadApps();
    void selectSnapshot('shop', 'shop-20260101-020000-nightly.db');
    apps = ['blog'];
    await loadApps();
    const state = useStore.getState();
    assert.deepEqual([state.selectedAppId, state.details], ['blog', null]);
  });
});
