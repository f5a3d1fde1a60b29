/**
 * Network faults at the token endpoint, through the real binary (`actigraph token`, whose token
 * request is the client-credentials one `token print` renewals use too): connection refused, DNS
 * failure (RFC 6761 `.invalid`), TLS failure (self-signed certificate made with openssl), a body
 * closed mid-way, 5xx storms, 429 with and without Retry-After, HTML and > 1 MB bodies. Each ends
 * with exit 1 within its deadline, one `error:` line, nothing on stdout, bounded retries, and the
 * store left byte for byte. (A server that never answers takes the client's 30 s request timeout:
 * see test/reliability/stress/.)
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { actigraphArgs } from '../fakes/identityserver.js';
import { assertFailure } from '../helpers/assert.js';
import { runCli, sampleProfile, tempConfigDir, writeStore } from '../helpers/cli.js';
import {
  closedPort,
  type Fault,
  type FaultServer,
  selfSignedCert,
  startFaultServer,
} from './fault-servers.js';

const SECRET = 'fault-test-secret-0123';
const servers: FaultServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

const cert = selfSignedCert();
let refusedUrl = '';
before(async () => {
  refusedUrl = `http://127.0.0.1:${await closedPort()}/connect/token`;
});

interface Case {
  name: string;
  /** The token URL, made when the case runs. */
  url: () => Promise<{ url: string; server?: FaultServer }>;
  message: RegExp;
  /** Exit within this long (ms). */
  deadline: number;
  /** Token requests the server may see (1 + the client-credentials flow's 2 retries at most). */
  requests?: [number, number];
  /** At least this long (ms): the client honoured Retry-After / backed off. */
  atLeast?: number;
  skip?: string | false;
}

const fault = (f: Fault, tls?: { key: string; cert: string }) => async () => {
  const server = await startFaultServer(f, tls ? { tls } : {});
  servers.push(server);
  return { url: `${server.url}/connect/token`, server };
};

const cases: Case[] = [
  {
    name: 'connection refused',
    url: async () => ({ url: refusedUrl }),
    message: /connection refused/,
    deadline: 6000,
  },
  {
    name: 'DNS failure (.invalid)',
    url: async () => ({ url: 'https://auth.authctl-test.invalid/connect/token' }),
    message: /cannot resolve auth\.authctl-test\.invalid/,
    deadline: 15_000,
  },
  {
    name: 'TLS failure (self-signed certificate)',
    url: fault('ok', cert ?? undefined),
    message: /TLS failure talking to 127\.0\.0\.1:\d+ .*--ca-file/,
    deadline: 6000,
    requests: [0, 0],
    skip: !cert && 'openssl not available: TLS failure not tested',
  },
  {
    name: 'closed in the middle of the body',
    url: fault('midbody'),
    message: /closed|middle/,
    deadline: 8000,
    requests: [1, 3],
  },
  {
    name: '5xx storm',
    url: fault('503'),
    message: /HTTP 503/,
    deadline: 8000,
    requests: [3, 3],
    atLeast: 1400,
  },
  {
    name: '429 with Retry-After: 1',
    url: fault('429-retry-after'),
    message: /rate limiting.*HTTP 429/,
    deadline: 8000,
    requests: [3, 3],
    atLeast: 1900,
  },
  {
    name: '429 without Retry-After',
    url: fault('429'),
    message: /rate limiting.*HTTP 429/,
    deadline: 8000,
    requests: [3, 3],
    atLeast: 1400,
  },
  {
    name: 'HTML instead of JSON',
    url: fault('html'),
    message: /not a JSON object: Welcome Welcome to nginx!/,
    deadline: 6000,
    requests: [1, 1],
  },
  {
    name: 'a body larger than 1 MB',
    url: fault('huge'),
    message: /larger than 1024 KiB; refusing it/,
    deadline: 6000,
    requests: [1, 1],
  },
];

test('token endpoint faults: right exit code within the deadline, one error line, bounded retries, store untouched', async (t) => {
  if (!cert) t.diagnostic('openssl not available: the TLS failure case is skipped');
  const runs = cases
    .filter((c) => !c.skip)
    .map(async (c) => {
      const { dir, cleanup } = tempConfigDir();
      try {
        const file = writeStore(dir, { version: 1, profiles: { other: sampleProfile() } });
        const before = fs.readFileSync(file);
        const { url, server } = await c.url();
        const t0 = Date.now();
        const r = await runCli(actigraphArgs(url, ['--verbose'], { id: 'ci' }), {
          configDir: dir,
          env: { AUTHCTL_CLIENT_SECRET: SECRET },
          timeoutMs: c.deadline + 10_000,
        });
        const took = Date.now() - t0;
        const line = assertFailure(r, 1, c.message);
        assert.ok(took < c.deadline, `${c.name}: took ${took} ms (deadline ${c.deadline})`);
        if (c.atLeast) assert.ok(took >= c.atLeast, `${c.name}: only ${took} ms, retries not spaced`);
        if (c.requests && server) {
          const n = server.requests.length;
          assert.ok(n >= c.requests[0] && n <= c.requests[1], `${c.name}: ${n} requests`);
        }
        if (c.name === '429 with Retry-After: 1' && server) {
          const [a, b, d] = server.requests.map((q) => q.at);
          assert.ok(
            b! - a! >= 950 && d! - b! >= 950,
            `${c.name}: Retry-After honoured (${b! - a!}, ${d! - b!} ms)`,
          );
        }
        assert.ok(!r.stderr.includes(SECRET), `${c.name}: the secret in stderr`);
        assert.deepEqual(fs.readFileSync(file), before, `${c.name}: the store changed`);
        assert.deepEqual(fs.readdirSync(dir), ['config.json'], `${c.name}: lock or temp file left`);
        return `${c.name}: exit 1 in ${took} ms — ${line.slice(0, 100)}`;
      } finally {
        cleanup();
      }
    });
  for (const summary of await Promise.all(runs)) t.diagnostic(summary);
});

test('a token endpoint redirecting elsewhere is not followed: exit 1, the redirect target sees nothing', async () => {
  const s = await startFaultServer('redirect-remote');
  servers.push(s);
  const { dir, cleanup } = tempConfigDir();
  try {
    const r = await runCli(
      ['oauth', 'client-credentials', '--token-url', `${s.url}/token`, '--client-id', 'ci', '--verbose'],
      { configDir: dir, env: { AUTHCTL_CLIENT_SECRET: SECRET } },
    );
    assertFailure(r, 1, /HTTP 302/);
    assert.equal(s.requests.length, 1, 'one request, no retry, no follow');
    assert.ok(!r.stderr.includes(SECRET));
    assert.equal(fs.existsSync(`${dir}/config.json`), false, 'nothing saved');
  } finally {
    cleanup();
  }
});
