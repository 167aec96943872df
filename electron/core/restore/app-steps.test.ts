import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { appRunSchema } from '../../contract/app-run';
import { toLifeboatError } from '../lifeboat-failure';
import { unwatchedControl } from '../job-control';
import { waitUntilHealthy } from './app-steps';

/** The restore's health check against a real HTTP server on 127.0.0.1: only the address given is ever asked. */
describe('the health check of a restore', () => {
  const asked: string[] = [];
  let server: http.Server;
  let port = 0;
  before(async () => {
    server = http.createServer((req, res) => {
      asked.push(`${req.headers.host ?? ''}${req.url ?? ''}`);
      if (req.url === '/moved') {
        // Another host for the browser and for fetch: localhost, where the given address said 127.0.0.1.
        res.writeHead(302, { Location: `http://localhost:${port}/healthy` }).end();
      } else {
        res.writeHead(200).end('ok');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('passes on a 2xx from the address given', async () => {
    await waitUntilHealthy(`http://127.0.0.1:${port}/healthy`, 5000, unwatchedControl);
    assert.deepEqual(asked.splice(0), [`127.0.0.1:${port}/healthy`]);
  });

  it('fails at once on a redirect, saying where it pointed, and never follows it', async () => {
    const started = Date.now();
    const error = await waitUntilHealthy(`http://127.0.0.1:${port}/moved`, 20_000, unwatchedControl).then(
      () => null,
      toLifeboatError,
    );
    assert.equal(error?.code, 'HEALTH_CHECK_FAILED');
    assert.match(error?.message ?? '', new RegExp(`302, pointing to http://localhost:${port}/healthy`));
    assert.deepEqual(asked.splice(0), [`127.0.0.1:${port}/moved`], 'asked once, and only the given address');
    assert.ok(Date.now() - started < 10_000, 'not polled until the time limit');
  });

  it('takes only an http or https address', () => {
    for (const healthUrl of ['file:///etc/passwd', 'data:,ok', 'ftp://127.0.0.1/health', 'javascript:1']) {
      assert.equal(appRunSchema.safeParse({ healthUrl }).success, false, healthUrl);
    }
    for (const healthUrl of ['http://127.0.0.1:8080/health', 'https://vault.home.lan/alive']) {
      assert.equal(appRunSchema.safeParse({ healthUrl }).success, true, healthUrl);
    }
  });
});
