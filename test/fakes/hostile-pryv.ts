/**
 * A scriptable Pryv.io register + core on 127.0.0.1 for the security tests: the shapes of open-pryv
 * v2 (routes under /reg, service info, create 201 NEED_SIGNIN, poll answers, path-style api
 * `http://127.0.0.1:PORT/{username}/` with GET access-info), with every field a test wants to make
 * hostile overridable. `poll` answers come from a queue (the last one repeats).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serversPerTest } from '../helpers/fixture.js';

/** One scripted HTTP answer. */
export interface Answer {
  status: number;
  body: unknown;
}

/** A hostile register's knobs. */
export interface HostilePryvOptions {
  /** Rewrite the create answer (authUrl, poll…). */
  create?: (base: string, key: string) => Record<string, unknown>;
  /** Poll answers in order; the last repeats. Default: ACCEPTED for alice. */
  poll?: (base: string) => Answer[];
  /** The access-info answer. */
  accessInfo?: (base: string) => Answer;
  /** Rewrite the service info. */
  serviceInfo?: (base: string) => Record<string, unknown>;
}

/** A running hostile register. */
export interface HostilePryv {
  base: string;
  serviceInfoUrl: string;
  /** The poll URL of key `k1` (the one create hands out). */
  pollUrl: string;
  requests: Array<{ method: string; path: string; authorization: string | undefined }>;
  close(): Promise<void>;
}

export const TOKEN = 'ckabc123token';

/** The default ACCEPTED answer (alice, TOKEN, an apiEndpoint matching the template). */
export function accepted(base: string, over: Record<string, unknown> = {}): Answer {
  const host = base.replace(/^http:\/\//, '');
  return {
    status: 200,
    body: {
      status: 'ACCEPTED',
      username: 'alice',
      token: TOKEN,
      apiEndpoint: `http://${TOKEN}@${host}/alice/`,
      ...over,
    },
  };
}

/** The default access-info answer for `permissions`. */
export function accessInfo(permissions: unknown[], over: Record<string, unknown> = {}): Answer {
  return {
    status: 200,
    body: { id: 'acc1', type: 'app', name: 'my-app-id', permissions, user: { username: 'alice' }, ...over },
  };
}

/** Start a hostile register on a free loopback port. */
export async function startHostilePryv(opts: HostilePryvOptions = {}): Promise<HostilePryv> {
  const requests: HostilePryv['requests'] = [];
  let base = '';
  let polls: Answer[] | undefined;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization });
      const send = (a: Answer) => {
        res.writeHead(a.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(a.body));
      };
      if (path === '/reg/service/info') {
        const info = {
          name: 'hostile',
          register: `${base}/reg/`,
          access: `${base}/reg/access/`,
          api: `${base}/{username}/`,
        };
        return send({ status: 200, body: opts.serviceInfo ? opts.serviceInfo(base) : info });
      }
      if (path === '/reg/access/' && req.method === 'POST') {
        const created = {
          status: 'NEED_SIGNIN',
          key: 'k1',
          poll: `${base}/reg/access/k1`,
          authUrl: `${base}/auth?lang=en&key=k1`,
          poll_rate_ms: 20,
          ...(opts.create ? opts.create(base, 'k1') : {}),
        };
        return send({ status: 201, body: created });
      }
      if (path.startsWith('/reg/access/') && req.method === 'GET') {
        polls ??= opts.poll ? opts.poll(base) : [accepted(base)];
        const a = polls.length > 1 ? polls.shift()! : polls[0]!;
        return send(a);
      }
      if (path === '/alice/access-info') {
        if (req.headers.authorization !== TOKEN)
          return send({ status: 403, body: { error: { id: 'invalid-access-token', message: 'no' } } });
        return send(
          opts.accessInfo ? opts.accessInfo(base) : accessInfo([{ streamId: 'diary', level: 'read' }]),
        );
      }
      send({ status: 404, body: { error: { id: 'unknown-resource', message: 'not found' } } });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    serviceInfoUrl: `${base}/reg/service/info`,
    pollUrl: `${base}/reg/access/k1`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Fixture: returns a starter of hostile registers; each one a test starts is closed after the test. */
export function useHostilePryv(): (opts?: HostilePryvOptions) => Promise<HostilePryv> {
  return serversPerTest(startHostilePryv);
}
