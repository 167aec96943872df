import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import type { NotifyTarget } from '../../contract/schedule';
import { notifyTargetSchema } from '../../contract/schedule';
import { describeTarget, ping, sendAlert, type Alert } from './send-alerts';

/** Alerts against real receivers on 127.0.0.1: an HTTP server standing in for ntfy, Gotify, a webhook and Healthchecks, and an SMTP server. */

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

const alert: Alert = {
  event: 'failed',
  app: 'Vaultwarden',
  database: '/srv/vw/db.sqlite3',
  state: 'failing',
  reason: 'The disk is full.',
  at: '2026-11-26T03:30:00.000Z',
};

describe('alerts', () => {
  const received: Received[] = [];
  const mails: { from: string; to: string[]; data: string; user: string | undefined }[] = [];
  let base = '';
  let smtpPort = 0;
  let server: http.Server;
  let smtp: SMTPServer;

  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        if (req.url?.startsWith('/moved') === true) {
          // To another host (localhost where the target said 127.0.0.1), as a hijacked or moved receiver would.
          res.writeHead(307, {
            Location: `http://localhost:${(server.address() as AddressInfo).port}/caught`,
          });
        } else {
          res.statusCode = req.url?.startsWith('/broken') === true ? 500 : 200;
        }
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    smtp = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      onAuth: (auth, _session, callback) =>
        callback(
          auth.username === 'lifeboat' && auth.password === 'hunter2-secret' ? null : new Error('bad login'),
          { user: auth.username },
        ),
      onData: (stream, session, callback) => {
        let data = '';
        stream.on('data', (chunk: Buffer) => (data += chunk.toString()));
        stream.on('end', () => {
          mails.push({
            from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((r) => r.address),
            data,
            user: session.user as string | undefined,
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    smtpPort = (smtp.server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('reaches ntfy, Gotify and a webhook in their own formats', async () => {
    const targets: NotifyTarget[] = [
      { kind: 'ntfy', url: `${base}/lifeboat-alerts`, token: 'tk_ntfy_secret_123' },
      { kind: 'gotify', url: `${base}/gotify/`, token: 'AppTokenSecret99' },
      { kind: 'webhook', url: `${base}/hook` },
    ];
    const deliveries = await sendAlert(targets, alert);
    assert.ok(
      deliveries.every((d) => d.ok),
      JSON.stringify(deliveries),
    );
    const ntfy = received.find((r) => r.url === '/lifeboat-alerts');
    assert.equal(ntfy?.headers['title'], 'Lifeboat: the scheduled snapshot of Vaultwarden failed');
    assert.equal(ntfy?.headers['authorization'], 'Bearer tk_ntfy_secret_123');
    assert.equal(ntfy?.headers['priority'], 'high');
    assert.match(ntfy?.body ?? '', /The disk is full\./);
    const gotify = received.find((r) => r.url === '/gotify/message');
    assert.equal(gotify?.headers['x-gotify-key'], 'AppTokenSecret99');
    assert.deepEqual(JSON.parse(gotify?.body ?? '{}'), {
      title: 'Lifeboat: the scheduled snapshot of Vaultwarden failed',
      message: 'The disk is full.\n/srv/vw/db.sqlite3',
      priority: 8,
    });
    const hook = JSON.parse(received.find((r) => r.url === '/hook')?.body ?? '{}') as Record<string, unknown>;
    assert.equal(hook['event'], 'failed');
    assert.equal(hook['app'], 'Vaultwarden');
    assert.equal(hook['state'], 'failing');
  });

  it('pings Healthchecks at the start, on success and on failure, and sends it no alerts', async () => {
    const check: NotifyTarget = { kind: 'healthchecks', url: `${base}/ping/5f1e-uuid` };
    await ping([check], 'start', 'starting');
    await ping([check], 'success', 'Snapshot taken.');
    await ping([check], 'fail', 'The disk is full.');
    assert.deepEqual(await sendAlert([check], alert), []);
    assert.deepEqual(
      received.filter((r) => r.url.startsWith('/ping/')).map((r) => [r.url, r.body]),
      [
        ['/ping/5f1e-uuid/start', 'starting'],
        ['/ping/5f1e-uuid', 'Snapshot taken.'],
        ['/ping/5f1e-uuid/fail', 'The disk is full.'],
      ],
    );
  });

  it('sends e-mail over SMTP with a login', async () => {
    const target = notifyTargetSchema.parse({
      kind: 'email',
      host: '127.0.0.1',
      port: smtpPort,
      user: 'lifeboat',
      password: 'hunter2-secret',
      from: 'lifeboat@home.lan',
      to: ['me@home.lan', 'you@home.lan'],
    });
    const [delivery] = await sendAlert([target], alert);
    assert.equal(delivery?.ok, true, delivery?.error ?? '');
    assert.equal(mails.length, 1);
    assert.deepEqual(mails[0]?.to, ['me@home.lan', 'you@home.lan']);
    assert.equal(mails[0]?.user, 'lifeboat');
    assert.match(mails[0]?.data ?? '', /Subject: Lifeboat: the scheduled snapshot of Vaultwarden failed/);
    assert.match(mails[0]?.data ?? '', /The disk is full\./);
  });

  it('never follows a redirect: the delivery fails and says where it pointed; only http and https are taken', async () => {
    received.length = 0;
    const pointed = `307, pointing to http://localhost:${(server.address() as AddressInfo).port}/caught`;
    const [hook] = await sendAlert([{ kind: 'webhook', url: `${base}/moved-hook` }], alert);
    assert.equal(hook?.ok, false);
    assert.match(hook?.error ?? '', new RegExp(pointed));
    const [pinged] = await ping([{ kind: 'healthchecks', url: `${base}/moved-ping` }], 'success', 'ok');
    assert.equal(pinged?.ok, false);
    assert.match(pinged?.error ?? '', new RegExp(pointed));
    assert.deepEqual(
      received.map((r) => r.url),
      ['/moved-hook', '/moved-ping'],
      'nothing reached the address it pointed to',
    );
    for (const url of ['file:///etc/passwd', 'ftp://127.0.0.1/x', 'gopher://127.0.0.1/x', 'data:,x']) {
      assert.equal(notifyTargetSchema.safeParse({ kind: 'webhook', url }).success, false, url);
    }
  });

  it('a target that fails is reported without its secrets; the others still get it', async () => {
    const targets: NotifyTarget[] = [
      { kind: 'ntfy', url: `${base}/broken-secret-topic`, token: 'tk_never_shown' },
      { kind: 'gotify', url: 'http://127.0.0.1:1/', token: 'GotifySecretToken' },
      notifyTargetSchema.parse({
        kind: 'email',
        host: '127.0.0.1',
        port: smtpPort,
        user: 'lifeboat',
        password: 'wrong-password-secret',
        from: 'a@b.c',
        to: 'me@home.lan',
      }),
      { kind: 'webhook', url: `${base}/hook2` },
    ];
    const deliveries = await sendAlert(targets, alert);
    assert.deepEqual(
      deliveries.map((d) => d.ok),
      [false, false, false, true],
    );
    assert.match(deliveries[0]?.error ?? '', /500/);
    const shown = JSON.stringify(deliveries);
    for (const secret of [
      'tk_never_shown',
      'broken-secret-topic',
      'GotifySecretToken',
      'wrong-password-secret',
    ]) {
      assert.ok(!shown.includes(secret), `${secret} leaked: ${shown}`);
    }
    assert.equal(describeTarget(targets[0] as NotifyTarget), `ntfy ${base}/…opic`);
  });
});
