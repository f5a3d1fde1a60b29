/**
 * Purpose-built misbehaving servers on 127.0.0.1 for the network-fault tests: a closed port, a
 * host that never resolves (RFC 6761 `.invalid`), a TLS server with a self-signed certificate made
 * at test time with openssl, and an HTTP server that answers chosen requests with a fault — never
 * answering, closing mid-body, 5xx storms, 429 with or without Retry-After, HTML, > 1 MB bodies,
 * or a body that drips forever. Requests are counted and timed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** The faults an HTTP fault server can inject. */
export type Fault =
  | 'hang'
  | 'midbody'
  | '503'
  | '429-retry-after'
  | '429'
  | 'html'
  | 'huge'
  | 'drip'
  | 'redirect-remote'
  | 'ok';

/** One request the fault server saw. */
export interface SeenRequest {
  method: string;
  path: string;
  at: number;
}

/** A running fault server. */
export interface FaultServer {
  url: string;
  port: number;
  requests: SeenRequest[];
  /** Change the fault for later requests. */
  fault: Fault;
  close(): Promise<void>;
}

/** What a request that is not faulted gets (e.g. service info before a faulty poll). */
export type Passthrough = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => boolean;

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Answer one request with `fault`. */
function inject(fault: Fault, req: http.IncomingMessage, res: http.ServerResponse, okBody: string): void {
  switch (fault) {
    case 'hang':
      return; // accepted, read, never answered
    case 'midbody':
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4000' });
      res.write('{"access_token":"eyJhbGciOi');
      setTimeout(() => req.socket.destroy(), 20);
      return;
    case '503':
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('Service Unavailable');
      return;
    case '429-retry-after':
      res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '1' });
      res.end('Too Many Requests');
      return;
    case '429':
      res.writeHead(429, { 'content-type': 'text/plain' });
      res.end('Too Many Requests');
      return;
    case 'html':
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><head><title>Welcome</title></head><body><h1>Welcome to nginx!</h1></body></html>');
      return;
    case 'huge': {
      // 2 MiB of a JSON string, streamed in chunks without a content-length.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"access_token":"');
      const chunk = 'a'.repeat(64 * 1024);
      let sent = 0;
      const more = () => {
        while (sent < 32) {
          sent++;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end('","token_type":"Bearer"}');
      };
      more();
      req.socket.on('error', () => {});
      return;
    }
    case 'drip': {
      // Headers at once, then one byte every 200 ms, for ever: no single gap is long.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{');
      const t = setInterval(() => res.write(' '), 200);
      res.on('close', () => clearInterval(t));
      return;
    }
    case 'redirect-remote':
      res.writeHead(302, { location: 'https://attacker.example/collect', 'content-type': 'text/plain' });
      res.end('Found');
      return;
    case 'ok':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(okBody);
      return;
  }
}

/** An http (or https with `tls`) server answering every request not taken by `passthrough` with the fault. */
export async function startFaultServer(
  fault: Fault,
  opts: { passthrough?: Passthrough; tls?: { key: string; cert: string }; okBody?: string } = {},
): Promise<FaultServer> {
  const requests: SeenRequest[] = [];
  const state = { fault };
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (opts.passthrough?.(req, res, body)) return;
      requests.push({ method: req.method ?? '', path: req.url ?? '/', at: Date.now() });
      inject(state.fault, req, res, opts.okBody ?? '{"access_token":"ok-token-123","token_type":"Bearer"}');
    });
  };
  const server = opts.tls ? https.createServer(opts.tls, listener) : http.createServer(listener);
  server.on('clientError', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    get fault() {
      return state.fault;
    },
    set fault(f: Fault) {
      state.fault = f;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A self-signed key and certificate for 127.0.0.1 made with openssl, or null when openssl is missing. */
export function selfSignedCert(): { key: string; cert: string } | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authctl-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      key: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'),
      cert: fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
    };
  } catch {
    return null;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A minimal Pryv register (docs/protocol-notes/pryv.md) whose poll URL misbehaves: service info and the create
 * call answer normally; GET on the poll URL gets the fault.
 */
export async function startFaultyPryv(fault: Fault): Promise<FaultServer & { serviceInfoUrl: string }> {
  let base = '';
  const passthrough: Passthrough = (req, res, _body) => {
    const url = req.url ?? '/';
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
      return true;
    };
    if (req.method === 'GET' && url === '/service/info') {
      return json(200, {
        name: 'Faulty',
        register: `${base}/`,
        access: `${base}/access/`,
        api: `${base}/{username}/`,
      });
    }
    if (req.method === 'POST' && url === '/access/') {
      return json(201, {
        status: 'NEED_SIGNIN',
        key: 'faultyKEY0123456789',
        poll: `${base}/access/faultyKEY0123456789`,
        authUrl: `${base}/auth.html?key=faultyKEY0123456789`,
        poll_rate_ms: 100,
      });
    }
    return false;
  };
  const s = await startFaultServer(fault, { passthrough });
  base = s.url;
  return Object.assign(s, { serviceInfoUrl: `${base}/service/info` });
}
