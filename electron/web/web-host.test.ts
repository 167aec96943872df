import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import type { Result } from '../contract/errors';
import type { JobFinished } from '../contract/events';
import type { AppsOverview } from '../contract/apps';
import { LifeboatService } from '../core/service/lifeboat-service';
import { createLiveDatabase, makeTempDir } from '../testing/fixtures';
import { hostileUserSkip, startAsAppUser } from '../testing/hostile-user';
import { socketOwnerIn, startWebHost, type WebHost } from './web-host';

interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** A raw request, so that Host and Origin can be anything (fetch would not allow it). */
function request(
  port: number,
  options: { method?: string; path?: string; headers?: http.OutgoingHttpHeaders; body?: string },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: options.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('the headless host', () => {
  let temp: { dir: string; cleanup: () => void };
  let host: WebHost;
  let token: string;
  let cookie: string;
  let service: LifeboatService;

  before(async () => {
    temp = makeTempDir();
    service = new LifeboatService({ dataDir: path.join(temp.dir, 'data'), origin: 'web', allow: [temp.dir] });
    host = await startWebHost(service, {
      port: 0,
      rendererDir: path.resolve(__dirname, '..', '..', 'renderer'),
    });
    token = new URL(host.url).searchParams.get('token') ?? '';
  });
  after(async () => {
    await host.close();
    temp.cleanup();
  });

  const api = (name: string, body: unknown, headers: http.OutgoingHttpHeaders = {}): Promise<Answer> =>
    request(host.port, {
      method: 'POST',
      path: `/api/${name}`,
      headers: { 'Content-Type': 'application/json', Cookie: cookie, ...headers },
      body: JSON.stringify(body),
    });

  it('listens on 127.0.0.1 with a long random token in its URL', () => {
    assert.match(host.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
  });

  it('refuses every request without the token', async () => {
    assert.equal((await request(host.port, {})).status, 401);
    assert.equal((await request(host.port, { path: '/assets/anything.js' })).status, 401);
    assert.equal(
      (await request(host.port, { method: 'POST', path: '/api/apps:list', body: '{}' })).status,
      401,
    );
    assert.equal((await request(host.port, { path: '/?token=wrong' })).status, 401);
  });

  it('trades the token in the URL for an HttpOnly, SameSite=Strict cookie', async () => {
    const answer = await request(host.port, { path: `/?token=${token}` });
    assert.equal(answer.status, 303);
    assert.equal(answer.headers.location, '/');
    const setCookie = answer.headers['set-cookie']?.[0] ?? '';
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    cookie = setCookie.split(';')[0] ?? '';
    // Named for this host's port, and not the token itself (cookies for 127.0.0.1 reach every port).
    const [name = '', value = ''] = cookie.split('=');
    assert.equal(name, `lifeboat_${host.port}`);
    assert.notEqual(value, token);
    assert.equal((await request(host.port, { headers: { Cookie: `${name}=${token}` } })).status, 401);
    assert.equal(
      (
        await request(host.port, {
          method: 'POST',
          path: '/api/apps:list',
          headers: { Authorization: `Bearer ${value}` },
          body: '{}',
        })
      ).status,
      401,
    );
    const other = await startWebHost(
      new LifeboatService({ dataDir: path.join(temp.dir, 'other-data'), origin: 'web' }),
      { port: 0, rendererDir: path.resolve(__dirname, '..', '..', 'renderer') },
    );
    try {
      const otherCookie =
        (
          await request(other.port, { path: `/?token=${new URL(other.url).searchParams.get('token') ?? ''}` })
        ).headers['set-cookie']?.[0]?.split(';')[0] ?? '';
      assert.notEqual(otherCookie.split('=')[0], name, 'two hosts share a cookie name');
      assert.equal(
        (await request(host.port, { headers: { Cookie: `${name}=${otherCookie.split('=')[1] ?? ''}` } }))
          .status,
        401,
      );
    } finally {
      await other.close();
    }
    const page = await request(host.port, { headers: { Cookie: cookie } });
    assert.equal(page.status, 200);
    assert.match(page.body, /<div id="root">/);
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
  });

  it('signs a browser in once with a one-time address, then refuses that address', async () => {
    const launch = new URL(host.oneTimeUrl());
    assert.match(launch.search, /^\?launch=[A-Za-z0-9_-]{32}$/);
    assert.equal(launch.searchParams.get('token'), null, 'the token is not in it');
    const first = await request(host.port, { path: `/${launch.search}` });
    assert.equal(first.status, 303);
    assert.equal(first.headers.location, '/');
    const session = first.headers['set-cookie']?.[0]?.split(';')[0] ?? '';
    assert.equal((await request(host.port, { headers: { Cookie: session } })).status, 200);
    const again = await request(host.port, { path: `/${launch.search}` });
    assert.equal(again.status, 401, 'read from a process list later, it opens nothing');
  });

  it('refuses a foreign Host or Origin even with the token (DNS rebinding, cross-site)', async () => {
    assert.equal((await api('apps:list', {}, { Host: `attacker.example:${host.port}` })).status, 403);
    assert.equal((await api('apps:list', {}, { Origin: 'http://attacker.example' })).status, 403);
    assert.equal((await api('apps:list', {}, { Origin: `http://localhost:${host.port}` })).status, 403);
    assert.equal((await api('apps:list', {}, { Origin: `http://127.0.0.1:${host.port}` })).status, 200);
  });

  it('binds the session cookie to the address and port that issued it: another origin, port or user cannot replay it', async () => {
    // Issued to localhost: the same cookie sent to 127.0.0.1 (another origin for the browser) opens nothing.
    const issued = await request(host.port, {
      path: `/?token=${token}`,
      headers: { Host: `localhost:${host.port}` },
    });
    const localhostCookie = issued.headers['set-cookie']?.[0]?.split(';')[0] ?? '';
    assert.equal(
      (await request(host.port, { headers: { Cookie: localhostCookie, Host: `localhost:${host.port}` } }))
        .status,
      200,
    );
    assert.equal((await request(host.port, { headers: { Cookie: localhostCookie } })).status, 401);
    // A second host with the same token: the first one's cookie, renamed for its port, opens nothing there.
    const other = await startWebHost(
      new LifeboatService({ dataDir: path.join(temp.dir, 'same-token-data'), origin: 'web' }),
      { port: 0, rendererDir: path.resolve(__dirname, '..', '..', 'renderer'), token },
    );
    try {
      const value = cookie.split('=')[1] ?? '';
      assert.equal(
        (await request(other.port, { headers: { Cookie: `lifeboat_${other.port}=${value}` } })).status,
        401,
      );
    } finally {
      await other.close();
    }
  });

  it('finds the owner of a connection in the TCP table: only an established socket counts', () => {
    const table = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1',
      // A closed connection of the same ports, lingering (TIME_WAIT), owned by no one.
      '   1: 0100007F:D431 0100007F:1F90 06 00000000:00000000 03:00001000 00000000     0        0 0 3',
      '   2: 0100007F:D431 0100007F:1F90 01 00000000:00000000 00:00000000 00000000 65534        0 2 1',
    ].join('\n');
    const from = { address: '127.0.0.1', port: 0xd431 };
    assert.equal(socketOwnerIn(table, from, { address: '127.0.0.1', port: 8080 }), '65534');
    assert.equal(socketOwnerIn(table, from, { address: '127.0.0.1', port: 8081 }), 'unknown');
  });

  it(
    'refuses the session cookie from a process of another user (a local service that received it)',
    { skip: hostileUserSkip },
    async () => {
      // Asynchronously: the host answers from this process's event loop.
      const asAppUser = async (requestPath: string, sessionCookie: string): Promise<string> => {
        const child = startAsAppUser(
          `const http = require('node:http');
          const [port, path, cookie] = process.argv.slice(1);
          http.get({ host: '127.0.0.1', port: Number(port), path, headers: { Cookie: cookie }, agent: false }, (res) => {
            process.stdout.write(String(res.statusCode));
            res.resume();
          });`,
          String(host.port),
          requestPath,
          sessionCookie,
        );
        let out = '';
        child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
        await new Promise((resolve) => child.on('close', resolve));
        return out;
      };
      assert.equal(await asAppUser('/', cookie), '401');
      assert.equal(
        await asAppUser(`/?token=${token}`, ''),
        '303',
        'the token itself works for any user: it is the secret',
      );
    },
  );

  it('answers operations as data, and refuses invalid payloads with INVALID_ARGUMENT', async () => {
    const list = JSON.parse((await api('apps:list', {})).body) as Result<AppsOverview>;
    assert.ok(list.ok);
    assert.deepEqual(list.value.apps, []);
    const invalid = JSON.parse((await api('apps:add', { database: 42 })).body) as Result<unknown>;
    assert.ok(!invalid.ok);
    assert.equal(invalid.error.code, 'INVALID_ARGUMENT');
    const unknown = JSON.parse((await api('files:write', {})).body) as Result<unknown>;
    assert.ok(!unknown.ok);
    assert.equal(unknown.error.code, 'INVALID_ARGUMENT');
  });

  it('serves nothing outside the built renderer', async () => {
    assert.equal(
      (await request(host.port, { path: '/../../package.json', headers: { Cookie: cookie } })).status,
      404,
    );
    assert.equal(
      (await request(host.port, { path: '/%2e%2e/%2e%2e/package.json', headers: { Cookie: cookie } })).status,
      404,
    );
  });

  it('streams job events over the WebSocket, and refuses a socket without the token', async () => {
    const refused = new WebSocket(`ws://127.0.0.1:${host.port}/events`);
    await new Promise<void>((resolve) => refused.on('error', () => resolve()));

    const databasePath = path.join(temp.dir, 'app.db');
    createLiveDatabase(databasePath, 'wal', 256 * 1024);
    const added = JSON.parse((await api('apps:add', { database: databasePath })).body) as Result<{
      id: string;
    }>;
    assert.ok(added.ok);
    const socket = new WebSocket(`ws://127.0.0.1:${host.port}/events`, {
      headers: { Cookie: cookie, Origin: `http://127.0.0.1:${host.port}` },
    });
    await new Promise((resolve) => socket.on('open', resolve));
    const finished = new Promise<JobFinished>((resolve) => {
      socket.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString('utf8')) as { event: string; payload: JobFinished };
        if (message.event === 'job:finished') {
          resolve(message.payload);
        }
      });
    });
    const started = JSON.parse(
      (await api('snapshots:create', { appId: added.value.id, label: 'over-http' })).body,
    ) as Result<{ jobId: string }>;
    assert.ok(started.ok);
    const event = await finished;
    socket.close();
    assert.equal(event.jobId, started.value.jobId);
    assert.ok(event.result.ok);
    assert.equal(event.kind, 'snapshot');
    const activity = JSON.parse((await api('activity:list', { appId: added.value.id })).body) as Result<
      { action: string; origin: string; outcome: string }[]
    >;
    assert.ok(activity.ok);
    assert.deepEqual(
      activity.value.map((e) => [e.action, e.outcome, e.origin]),
      [['snapshot', 'ok', 'web']],
    );
  });

  it("never sends the values of an app's environment to the page, from Lifeboat's settings or its lifeboat.json", async () => {
    const dir = path.join(temp.dir, 'with-env');
    fs.mkdirSync(dir);
    const databasePath = path.join(dir, 'app.db');
    createLiveDatabase(databasePath, 'delete', 16 * 1024);
    const added = JSON.parse((await api('apps:add', { database: databasePath })).body) as Result<{
      id: string;
    }>;
    assert.ok(added.ok);
    const appId = added.value.id;
    // Set in the desktop app, and by whoever owns the server in the app's lifeboat.json.
    service.settings.update((s) => ({
      ...s,
      apps: s.apps.map((a) =>
        a.id === appId
          ? {
              ...a,
              run: {
                preset: 'commands',
                stop: { shell: 'true' },
                env: { API_KEY: 'settings-secret-5f1e' },
                smokeQueries: [],
                timeouts: {},
                upgradeUsesLifeboatDatabase: false,
              },
            }
          : a,
      ),
    }));
    fs.writeFileSync(
      path.join(dir, 'lifeboat.json'),
      JSON.stringify({ run: { preset: 'manual', env: { DB_PASSWORD: 'file-secret-9c2d' } } }),
    );
    fs.mkdirSync(path.join(dir, 'backups'), { recursive: true });
    fs.copyFileSync(databasePath, path.join(dir, 'backups', 'app-20260101-000000-manual.db'));
    const answers = [
      await api('apps:list', {}),
      await api('apps:add', { database: databasePath }),
      await api('apps:setMigrations', { appId }),
      await api('apps:setAutomation', { appId }),
      await api('database:info', { appId }),
      await api('snapshots:list', { appId }),
      await api('restore:preview', { appId, file: 'app-20260101-000000-manual.db' }),
    ];
    for (const answer of answers) {
      assert.equal(answer.status, 200);
      assert.doesNotMatch(answer.body, /settings-secret-5f1e|file-secret-9c2d/);
    }
    // The names stay, so the page can say which variables are set.
    const listed = JSON.parse(answers[0]?.body ?? '') as Result<AppsOverview>;
    assert.ok(listed.ok);
    const app = listed.value.apps.find((a) => a.id === appId);
    assert.deepEqual(Object.keys(app?.runFromFile?.env ?? {}), ['DB_PASSWORD']);
    assert.deepEqual(Object.keys(app?.run?.env ?? {}), ['API_KEY']);
  });

  it('one app with unreadable folders (a file as backups folder, a NUL in a path, a FIFO as its log) never freezes or fails the rest', async () => {
    const dir = path.join(temp.dir, 'robust');
    fs.mkdirSync(dir);
    const databasePath = path.join(dir, 'app.db');
    createLiveDatabase(databasePath, 'delete', 16 * 1024);
    fs.writeFileSync(path.join(dir, 'not-a-folder'), 'x');
    const refused = JSON.parse(
      (await api('apps:add', { database: databasePath, backupsDir: path.join(dir, 'not-a-folder') })).body,
    ) as Result<unknown>;
    assert.equal(refused.ok ? 'ok' : refused.error.code, 'IO_ERROR');
    const nul = JSON.parse(
      (await api('apps:add', { database: `${databasePath}\u0000x` })).body,
    ) as Result<unknown>;
    assert.equal(nul.ok ? 'ok' : nul.error.code, 'INVALID_ARGUMENT');
    const good = JSON.parse((await api('apps:add', { database: databasePath })).body) as Result<{
      id: string;
      backupsDir: string;
    }>;
    assert.ok(good.ok);
    fs.mkdirSync(path.join(good.value.backupsDir, '.lifeboat'), { recursive: true });
    execFileSync('mkfifo', [path.join(good.value.backupsDir, '.lifeboat', 'activity.jsonl')]);
    // Settings edited by hand (or by an older version) can hold what the checks now refuse.
    service.settings.update((s) => ({
      ...s,
      apps: [
        ...s.apps,
        {
          id: 'file-as-folder',
          name: 'file as folder',
          databasePath,
          backupsDir: path.join(dir, 'not-a-folder'),
        },
        { id: 'nul', name: 'nul', databasePath: `${databasePath}\u0000x`, backupsDir: `${dir}\u0000y` },
        { id: 'proc', name: 'proc', databasePath, backupsDir: '/proc' },
      ],
    }));
    const listed = JSON.parse((await api('apps:list', {})).body) as Result<AppsOverview>;
    assert.ok(listed.ok);
    const health = new Map(listed.value.apps.map((a) => [a.id, a.health]));
    assert.equal(health.get('file-as-folder'), 'problem');
    assert.equal(health.get('nul'), 'problem');
    assert.notEqual(health.get(good.value.id), 'problem');
    assert.ok(health.has('proc'), '/proc as a backups folder is listed, not spun on');
    const activity = JSON.parse((await api('activity:list', { appId: good.value.id })).body) as Result<
      unknown[]
    >;
    assert.deepEqual(activity, { ok: true, value: [] });
  });
});
