import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { jobEventNames } from '../contract/events';
import { dispatch } from '../core/service/dispatch';
import type { LifeboatService } from '../core/service/lifeboat-service';

/**
 * The headless host: the built renderer and the contract's operations over HTTP, job events over a
 * WebSocket, for servers without a desktop (reached through an SSH tunnel) and for end-to-end tests.
 *
 * It binds 127.0.0.1 only and answers nothing without its random token: the printed URL carries it
 * once, it is then kept in an HttpOnly, SameSite=Strict cookie. Requests whose Host or Origin is not
 * the loopback address it serves are refused, so a web page cannot reach it through DNS rebinding.
 */

export interface WebHost {
  readonly url: string;
  readonly port: number;
  /**
   * An address that signs a browser in once, then no more: for a browser started with it on its
   * command line, where every user of the machine can read it (`ps`), unlike the token.
   */
  oneTimeUrl(): string;
  close(): Promise<void>;
}

const maxBodyBytes = 1024 * 1024;
const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined) {
    return false;
  }
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  return header
    ?.split(';')
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${name}=`))
    ?.slice(name.length + 1);
}

/** `127.0.0.1`, 8080 as the kernel's TCP table writes it: `0100007F:1F90`. */
function tcpTableAddress(address: string, port: number): string {
  const host = address
    .split('.')
    .reverse()
    .map((octet) => Number(octet).toString(16).padStart(2, '0'))
    .join('');
  return `${host}:${port.toString(16).padStart(4, '0')}`.toUpperCase();
}

/**
 * In a TCP table (/proc/net/tcp), the user that owns the established socket `from` → `to`; 'unknown'
 * when none is. Only an established one: a closed connection of the same ports may linger (TIME_WAIT),
 * owned by no one (uid 0).
 */
export function socketOwnerIn(
  table: string,
  from: { address: string; port: number },
  to: { address: string; port: number },
): string {
  const local = tcpTableAddress(from.address, from.port);
  const remote = tcpTableAddress(to.address, to.port);
  const established = '01';
  const fields = table
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .find((f) => f[1] === local && f[2] === remote && f[3] === established);
  return fields?.[7] ?? 'unknown';
}

/**
 * Linux: the user of the process at the other end of a loopback connection (its socket is in this
 * machine's TCP table); 'unknown' where the table cannot tell (another system).
 */
function peerUser(socket: Socket): string {
  let table: string;
  try {
    table = fs.readFileSync('/proc/net/tcp', 'utf8');
  } catch {
    return 'unknown';
  }
  return socketOwnerIn(
    table,
    { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 },
    { address: socket.localAddress ?? '', port: socket.localPort ?? 0 },
  );
}

function writeHead(
  res: http.ServerResponse,
  status: number,
  type: string,
  headers: http.OutgoingHttpHeaders,
): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    ...headers,
  });
}

/** What a browser shows without the token (a bookmark of the bare address, a host started again): how to get in. */
const unauthorizedPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lifeboat: this link needs its token</title>
<style>
  :root { color-scheme: light dark; font: 15px/1.5 system-ui, sans-serif; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #f4f6f8; color: #1c2733; }
  main { max-width: 34rem; margin: 2rem; padding: 2rem 2.25rem; background: #fff; border-radius: 12px; box-shadow: 0 1px 3px #0002; }
  h1 { font-size: 1.3rem; margin: 0 0 .75rem; }
  code { font: 13px ui-monospace, monospace; background: #eef1f4; padding: .1rem .35rem; border-radius: 4px; }
  @media (prefers-color-scheme: dark) {
    body { background: #11161c; color: #dde4ea; }
    main { background: #1a2129; box-shadow: none; }
    code { background: #26303a; }
  }
</style></head>
<body><main>
<h1>This link needs its token</h1>
<p>Lifeboat's web host answers only the address it printed when it started, the one that ends in <code>?token=…</code>. Open that address once; this browser then stays signed in until the host stops.</p>
<p>If the host was started again, its token changed: copy the new address from the output of <code>lifeboat serve</code> on the server (through your SSH tunnel).</p>
</main></body></html>
`;

function send(
  res: http.ServerResponse,
  status: number,
  body: string,
  type = 'text/plain; charset=utf-8',
  headers: http.OutgoingHttpHeaders = {},
): void {
  writeHead(res, status, type, headers);
  res.end(body);
}

async function readBody(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) {
      throw new Error('request body too large');
    }
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : (JSON.parse(text) as unknown);
}

/** Starts the host on 127.0.0.1:`port` (0 picks a free port). */
export async function startWebHost(
  service: LifeboatService,
  options: { port: number; rendererDir: string; token?: string },
): Promise<WebHost> {
  const token = options.token ?? crypto.randomBytes(24).toString('base64url');
  const rendererDir = path.resolve(options.rendererDir);
  if (!fs.existsSync(path.join(rendererDir, 'index.html'))) {
    throw new Error(
      `The user interface is not built (${rendererDir} has no index.html). Run "npm run build" first.`,
    );
  }
  let port = options.port;
  // Browsers send a cookie for 127.0.0.1 to every port of it: one named per port keeps two hosts from
  // replacing each other's, and its value, derived from the token, is not the token, so whatever else
  // listens on this machine and receives it cannot use it as the token (in a URL or as a bearer).
  const cookieName = (): string => `lifeboat_${port}`;
  // The value is bound to the address and port it was issued for and to the user whose process (the
  // browser, or the sshd of its tunnel) traded the token for it: another local service that receives
  // it, running as another user, or another host on this machine, cannot replay it.
  const peers = new WeakMap<Socket, string>();
  const userOf = (socket: Socket): string => {
    const known = peers.get(socket);
    if (known !== undefined) {
      return known;
    }
    const user = peerUser(socket);
    peers.set(socket, user);
    return user;
  };
  const sessionFor = (req: http.IncomingMessage): string =>
    crypto
      .createHmac('sha256', token)
      .update(`lifeboat serve session cookie\n${req.headers.host ?? ''}\n${userOf(req.socket)}`)
      .digest('base64url');
  const allowedHosts = (): string[] => [`127.0.0.1:${port}`, `localhost:${port}`];
  const csp = (): string =>
    [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "font-src 'self'",
      `connect-src 'self' ${allowedHosts()
        .map((h) => `ws://${h}`)
        .join(' ')}`,
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; ');

  /**
   * Host must name this loopback server and Origin, when sent, the same address: anything else is a
   * rebinding or cross-site attempt, or a page of another origin of this machine (localhost for 127.0.0.1).
   */
  const trustedOrigin = (req: http.IncomingMessage): boolean => {
    const host = req.headers.host;
    const origin = req.headers.origin;
    return (
      host !== undefined &&
      allowedHosts().includes(host) &&
      (origin === undefined || origin === `http://${host}`)
    );
  };
  const authorized = (req: http.IncomingMessage): boolean => {
    const bearer =
      req.headers.authorization?.startsWith('Bearer ') === true
        ? req.headers.authorization.slice(7)
        : undefined;
    return (
      sameToken(cookieValue(req.headers.cookie, cookieName()), sessionFor(req)) || sameToken(bearer, token)
    );
  };

  const serveStatic = (urlPath: string, res: http.ServerResponse): void => {
    const relative = decodeURIComponent(urlPath === '/' ? '/index.html' : urlPath);
    const filePath = path.resolve(rendererDir, `.${relative}`);
    if (
      !filePath.startsWith(`${rendererDir}${path.sep}`) ||
      !fs.existsSync(filePath) ||
      !fs.statSync(filePath).isFile()
    ) {
      send(res, 404, 'Not found');
      return;
    }
    const type = contentTypes[path.extname(filePath)] ?? 'application/octet-stream';
    writeHead(res, 200, type, { 'Content-Security-Policy': csp() });
    fs.createReadStream(filePath).pipe(res);
  };

  const oneTimeCodes = new Set<string>();
  const server = http.createServer((req, res) => {
    void (async () => {
      if (!trustedOrigin(req)) {
        send(res, 403, 'Forbidden: this server only answers requests addressed to its own loopback address.');
        return;
      }
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
      const queryToken = url.searchParams.get('token') ?? undefined;
      const launch = url.searchParams.get('launch');
      const launched = launch !== null && oneTimeCodes.delete(launch);
      if (req.method === 'GET' && (launched || sameToken(queryToken, token))) {
        // Trade the token in the URL for a cookie, and drop it from the address bar and history.
        url.searchParams.delete('token');
        url.searchParams.delete('launch');
        send(res, 303, '', 'text/plain', {
          'Set-Cookie': `${cookieName()}=${sessionFor(req)}; HttpOnly; SameSite=Strict; Path=/`,
          Location: `${url.pathname}${url.search}`,
        });
        return;
      }
      if (!authorized(req)) {
        if (req.method === 'GET' && req.headers.accept?.includes('text/html') === true) {
          send(res, 401, unauthorizedPage, 'text/html; charset=utf-8', {
            'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
          });
        } else {
          send(res, 401, 'Unauthorized: open the URL that "lifeboat serve" printed, including its token.');
        }
        return;
      }
      if (url.pathname.startsWith('/api/')) {
        if (req.method !== 'POST') {
          send(res, 405, 'Use POST.', 'text/plain', { Allow: 'POST' });
          return;
        }
        let payload: unknown;
        try {
          payload = await readBody(req);
        } catch (error) {
          send(
            res,
            400,
            JSON.stringify({
              ok: false,
              error: { code: 'INVALID_ARGUMENT', message: `Unreadable request: ${(error as Error).message}` },
            }),
            'application/json',
          );
          return;
        }
        const result = await dispatch(
          service,
          decodeURIComponent(url.pathname.slice('/api/'.length)),
          payload,
        );
        send(res, 200, JSON.stringify(result), 'application/json');
        return;
      }
      if (req.method !== 'GET') {
        send(res, 405, 'Method not allowed.');
        return;
      }
      serveStatic(url.pathname, res);
    })().catch((error: unknown) => {
      if (!res.headersSent) {
        send(res, 500, `Internal error: ${String(error)}`);
      }
    });
  });

  const sockets = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/events' || !trustedOrigin(req) || !authorized(req)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const unsubscribes = jobEventNames.map((event) =>
        service.on(event, (payload) => ws.send(JSON.stringify({ event, payload }))),
      );
      ws.on('close', () => unsubscribes.forEach((unsubscribe) => unsubscribe()));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    oneTimeUrl: () => {
      const code = crypto.randomBytes(24).toString('base64url');
      oneTimeCodes.add(code);
      return `http://127.0.0.1:${port}/?launch=${code}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of sockets.clients) {
          client.terminate();
        }
        sockets.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
