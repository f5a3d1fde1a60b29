/**
 * A tiny forwarding HTTP proxy on 127.0.0.1 for tests of HTTP_PROXY/HTTPS_PROXY support: it
 * tunnels CONNECT requests (what undici's proxy agent sends) and forwards absolute-form requests,
 * and records every target it was asked for, so a test can show the traffic went through it.
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
  close(): Promise<void>;
}

/** Options: names it resolves itself (a host that is not loopback by name, served on 127.0.0.1), and a man in the middle. */
export interface ProxyOptions {
  /** Host name → loopback address, for absolute-form requests. */
  hosts?: Record<string, string>;
  /** Rewrite the body of an absolute-form answer (an attacker on the wire). */
  rewriteBody?: (url: string, body: string) => string;
}

/** Start the proxy on a free loopback port. */
export async function startProxy(opts: ProxyOptions = {}): Promise<ProxyFake> {
  const seen: string[] = [];
  const sockets = new Set<net.Socket>();
  const forward = (req: http.IncomingMessage, res: http.ServerResponse, target: URL) => {
    const upstream = http.request(
      {
        host: opts.hosts?.[target.hostname] ?? target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: req.method,
        headers: { ...req.headers, host: target.host },
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
  };
  const server = http.createServer((req, res) => {
    // Absolute-form request (RFC 9112 §3.2.2): forward it as is.
    seen.push(`${req.method} ${req.url}`);
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('absolute-form request expected');
      return;
    }
    forward(req, res, target);
  });
  // Plain http tunnelled through CONNECT (what undici's proxy agent does) to a host this proxy
  // resolves itself: read the requests inside the tunnel, so they can be forwarded (and rewritten).
  const inner = http.createServer((req, res) => {
    const target = new URL(req.url ?? '/', `http://${req.headers.host}`);
    seen.push(`${req.method} ${target.toString()}`);
    forward(req, res, target);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    if (host && opts.hosts?.[host]) {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      sockets.add(client);
      client.on('close', () => sockets.delete(client));
      if (head.length) client.unshift(head);
      inner.emit('connection', client);
      return;
    }
    const upstream = net.connect(Number(port), host ?? '127.0.0.1', () => {
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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        inner.closeAllConnections();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
