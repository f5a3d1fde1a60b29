/**
 * A tiny forwarding HTTP proxy on 127.0.0.1 for tests of HTTP_PROXY/HTTPS_PROXY support: it
 * tunnels CONNECT requests and forwards absolute-form requests, and records every target it was
 * asked for (and any Proxy-Authorization it got), so a test can show the traffic went through it.
 * `hosts` maps names to loopback addresses inside the proxy only: a test origin can then have a
 * non-loopback name (`origin.test`) that authctl itself never resolves, as with a real proxy.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';

/** A running proxy. */
export interface ProxyFake {
  /** e.g. http://127.0.0.1:PORT */
  url: string;
  /** Targets asked for: `CONNECT host:port` or `GET http://host:port/path`. */
  seen: string[];
  /** Proxy-Authorization header values received, in order. */
  auth: string[];
  /** TCP connections accepted so far (0: nothing, not even a byte, reached the proxy). */
  connections(): number;
  close(): Promise<void>;
}

/** Options for the proxy. */
export interface ProxyOptions {
  /** Names the proxy resolves itself, e.g. { 'origin.test': '127.0.0.1' }; others must be addresses. */
  hosts?: Record<string, string>;
  /** Rewrite the body of an absolute-form (plain http) answer: an attacker on the wire. */
  rewriteBody?: (url: string, body: string) => string;
}

function withoutProxyAuth(h: http.IncomingHttpHeaders): http.IncomingHttpHeaders {
  const { 'proxy-authorization': _, ...rest } = h;
  return rest;
}

/** Start the proxy on a free loopback port. */
export async function startProxy(opts: ProxyOptions = {}): Promise<ProxyFake> {
  const seen: string[] = [];
  const auth: string[] = [];
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const resolve = (host: string) => opts.hosts?.[host] ?? host;
  const server = http.createServer((req, res) => {
    // Absolute-form request (RFC 9112 §3.2.2): forward it as is.
    seen.push(`${req.method} ${req.url}`);
    const pa = req.headers['proxy-authorization'];
    if (pa) auth.push(pa);
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('absolute-form request expected');
      return;
    }
    const upstream = http.request(
      {
        host: resolve(target.hostname),
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: req.method,
        headers: { ...withoutProxyAuth(req.headers), host: target.host },
      },
      (up) => {
        if (!opts.rewriteBody) {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          const body = opts.rewriteBody!(target.toString(), Buffer.concat(chunks).toString('utf8'));
          const headers = { ...up.headers, 'content-length': String(Buffer.byteLength(body)) };
          delete headers['transfer-encoding'];
          res.writeHead(up.statusCode ?? 502, headers).end(body);
        });
      },
    );
    upstream.on('error', () => res.writeHead(502).end('proxy: upstream failed'));
    req.pipe(upstream);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    const pa = req.headers['proxy-authorization'];
    if (pa) auth.push(pa);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), resolve(host ?? '127.0.0.1'), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(client);
    sockets.add(upstream);
    const done = () => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', done);
    client.on('error', done);
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
  });
  server.on('connection', () => {
    connections++;
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    auth,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
