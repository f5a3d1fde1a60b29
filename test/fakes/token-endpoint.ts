/**
 * A bare token endpoint on 127.0.0.1 whose answers a test scripts request by request — for cases a
 * real provider cannot produce on demand (a forged ID token, a slow answer, a reset connection).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serversPerTest } from '../helpers/fixture.js';

/** One request the endpoint received. */
export interface TokenRequestSeen {
  form: URLSearchParams;
  headers: http.IncomingHttpHeaders;
}

/** A running scripted endpoint. */
export interface ScriptedTokenEndpoint {
  url: string;
  requests: TokenRequestSeen[];
  close(): Promise<void>;
}

/** Answer each POST with `reply(form, headers)` as JSON after `delayMs`; `null` resets the connection. */
export async function startScriptedTokenEndpoint(
  reply: (form: URLSearchParams, headers: http.IncomingHttpHeaders) => object | null,
  delayMs = 0,
): Promise<ScriptedTokenEndpoint> {
  const requests: TokenRequestSeen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => {
      body += d;
    });
    req.on('end', () => {
      const form = new URLSearchParams(body);
      requests.push({ form, headers: req.headers });
      const r = reply(form, req.headers);
      if (r === null) {
        req.socket.destroy();
        return;
      }
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(r));
      }, delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Fixture: returns a starter of scripted endpoints; each one a test starts is closed after the test. */
export function useScriptedTokenEndpoint(): typeof startScriptedTokenEndpoint {
  return serversPerTest(startScriptedTokenEndpoint);
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** An unsigned JWT carrying `claims` (authctl decodes ID tokens without verifying signatures). */
export const unsignedJwt = (claims: Record<string, unknown>) => `${b64({ alg: 'RS256' })}.${b64(claims)}.sig`;
