/**
 * Network faults at other flows' endpoints, through the real binary: the Pryv register (service info
 * unreachable, unresolvable or with a bad certificate; a poll URL that never answers, drips its body,
 * closes mid-body, storms 5xx/429, answers HTML, > 1 MB or a redirect elsewhere) and the SAFE
 * Launcher (not running, unresolvable, bad certificate, a POST /auth that is never answered, closed
 * mid-body, 5xx, HTML, > 1 MB). Each ends with the right exit code within its deadline (--timeout 2s
 * where the flow waits), one `error:` line, nothing on stdout, and the store byte for byte.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type http from 'node:http';
import { after, before, test } from 'node:test';
import { assertFailure } from '../helpers/assert.js';
import { runCli, sampleProfile, tempConfigDir, writeStore } from '../helpers/cli.js';
import {
  closedPort,
  type Fault,
  type FaultServer,
  selfSignedCert,
  startFaultServer,
  startFaultyPryv,
} from './fault-servers.js';

const servers: FaultServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));
const cert = selfSignedCert();
let closed = 0;
before(async () => {
  closed = await closedPort();
});

interface Case {
  name: string;
  args: () => Promise<string[]>;
  code: number;
  message: RegExp;
  deadline: number;
}

/** Run every case at once; each in its own store holding one bystander profile. */
async function runAll(t: { diagnostic(s: string): void }, cases: Case[]): Promise<void> {
  const summaries = await Promise.all(
    cases.map(async (c) => {
      const { dir, cleanup } = tempConfigDir();
      try {
        const file = writeStore(dir, { version: 1, profiles: { other: sampleProfile() } });
        const before = fs.readFileSync(file);
        const args = await c.args();
        const t0 = Date.now();
        const r = await runCli([...args, '--verbose'], { configDir: dir, timeoutMs: c.deadline + 10_000 });
        const took = Date.now() - t0;
        const line = assertFailure(r, c.code, c.message);
        assert.ok(took < c.deadline, `${c.name}: took ${took} ms (deadline ${c.deadline})`);
        assert.deepEqual(fs.readFileSync(file), before, `${c.name}: the store changed`);
        assert.deepEqual(fs.readdirSync(dir), ['config.json'], `${c.name}: lock or temp file left`);
        return `${c.name}: exit ${r.code} in ${took} ms — ${line.slice(0, 110)}`;
      } finally {
        cleanup();
      }
    }),
  );
  for (const s of summaries) t.diagnostic(s);
}

// ---------------------------------------------------------------------------------------------
// Pryv

const pryv = (serviceInfo: string) => [
  'pryv',
  'request',
  '--service-info',
  serviceInfo,
  '--app-id',
  'reliability-test',
  '--permission',
  'diary:read',
  '--timeout',
  '2s',
  '--no-open',
];

const faultyPoll = (f: Fault) => async () => {
  const s = await startFaultyPryv(f);
  servers.push(s);
  return pryv(s.serviceInfoUrl);
};

test('Pryv register faults: exit 1 when it cannot be reached, exit 5 at --timeout when polling keeps failing', async (t) => {
  const tls = cert ? await startFaultServer('ok', { tls: cert }) : undefined;
  if (tls) servers.push(tls);
  else t.diagnostic('openssl not available: the TLS failure case is skipped');
  const gaveUp = /gave up after 2s \(--timeout\) while the Pryv server kept failing; last failure: /;
  const cases: Case[] = [
    {
      name: 'service info: connection refused',
      args: async () => pryv(`http://127.0.0.1:${closed}/service/info`),
      code: 1,
      message: /connection refused/,
      deadline: 8000,
    },
    {
      name: 'service info: DNS failure',
      args: async () => pryv('https://reg.authctl-test.invalid/service/info'),
      code: 1,
      message: /cannot resolve reg\.authctl-test\.invalid/,
      deadline: 15_000,
    },
    ...(tls
      ? [
          {
            name: 'service info: TLS failure',
            args: async () => pryv(`${tls.url}/service/info`),
            code: 1,
            message: /TLS failure talking to 127\.0\.0\.1/,
            deadline: 8000,
          },
        ]
      : []),
    {
      name: 'poll never answered',
      args: faultyPoll('hang'),
      code: 5,
      message: new RegExp(`${gaveUp.source}.*did not answer within`),
      deadline: 6000,
    },
    {
      name: 'poll body dripping for ever',
      args: faultyPoll('drip'),
      code: 5,
      message: new RegExp(`${gaveUp.source}.*did not answer within`),
      deadline: 6000,
    },
    {
      name: 'poll closed mid-body',
      args: faultyPoll('midbody'),
      code: 5,
      message: /closed before the answer was complete/,
      deadline: 6000,
    },
    {
      name: 'poll 5xx storm',
      args: faultyPoll('503'),
      code: 5,
      message: /HTTP 503 from .*\/access\/\*\*\*/,
      deadline: 6000,
    },
    {
      name: 'poll 429 storm',
      args: faultyPoll('429'),
      code: 5,
      message: /HTTP 429 \(rate limited\)/,
      deadline: 6000,
    },
    {
      name: 'poll 429 with Retry-After',
      args: faultyPoll('429-retry-after'),
      code: 5,
      message: /HTTP 429 \(rate limited\)/,
      deadline: 6000,
    },
    {
      name: 'poll HTML',
      args: faultyPoll('html'),
      code: 5,
      message: /unparseable answer .*text\/html/,
      deadline: 6000,
    },
    {
      name: 'poll > 1 MB',
      args: faultyPoll('huge'),
      code: 1,
      message: /larger than 1024 KiB/,
      deadline: 6000,
    },
    {
      name: 'poll redirected elsewhere',
      args: faultyPoll('redirect-remote'),
      code: 1,
      message: /answered HTTP 302\. Nothing was saved/,
      deadline: 6000,
    },
  ];
  await runAll(t, cases);
});

test('a Pryv poll key never shows in an error, whatever the fault', async () => {
  const s = await startFaultyPryv('503');
  servers.push(s);
  const { dir, cleanup } = tempConfigDir();
  try {
    const r = await runCli([...pryv(s.serviceInfoUrl), '--verbose'], { configDir: dir });
    assert.equal(r.code, 5);
    const outsideConsentUrl = r.stderr.replace(/^\s+http\S+auth\.html\S*$/m, '');
    assert.ok(!outsideConsentUrl.includes('faultyKEY0123456789'), r.stderr);
    assert.ok(r.stderr.includes('/access/***'), 'the key is masked in the logs');
  } finally {
    cleanup();
  }
});

// ---------------------------------------------------------------------------------------------
// SAFE Launcher

const safe = (launcherUrl: string) => [
  'safe',
  'authorize',
  '--app-name',
  'Reliability',
  '--app-id',
  'net.example.reliability',
  '--app-version',
  '1.0',
  '--app-vendor',
  'Example',
  '--launcher-url',
  launcherUrl,
  '--timeout',
  '2s',
];

/** /health answers (the Launcher is up); POST /auth gets the fault. */
const healthy = (req: http.IncomingMessage, res: http.ServerResponse) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('OK');
    return true;
  }
  return false;
};
const faultyAuth = (f: Fault) => async () => {
  const s = await startFaultServer(f, { passthrough: healthy });
  servers.push(s);
  return safe(s.url);
};

test('SAFE Launcher faults: not running or unreachable exit 1 at once; a held POST exits 5 at --timeout; bad answers exit 1', async (t) => {
  const tls = cert ? await startFaultServer('ok', { tls: cert, passthrough: healthy }) : undefined;
  if (tls) servers.push(tls);
  else t.diagnostic('openssl not available: the TLS failure case is skipped');
  const silent = await startFaultServer('hang');
  servers.push(silent);
  const cases: Case[] = [
    {
      name: 'not running (connection refused)',
      args: async () => safe(`http://127.0.0.1:${closed}`),
      code: 1,
      message: /SAFE Launcher is not running at http:\/\/127\.0\.0\.1:\d+/,
      deadline: 5000,
    },
    {
      name: 'DNS failure',
      args: async () => safe('https://launcher.authctl-test.invalid'),
      code: 1,
      message: /cannot resolve launcher\.authctl-test\.invalid/,
      deadline: 15_000,
    },
    ...(tls
      ? [
          {
            name: 'TLS failure',
            args: async () => safe(tls.url),
            code: 1,
            message: /TLS failure talking to 127\.0\.0\.1/,
            deadline: 6000,
          },
        ]
      : []),
    {
      name: 'accepts and never answers anything',
      args: async () => safe(silent.url),
      code: 5,
      message: /no answer from the SAFE Launcher within 2s/,
      deadline: 6000,
    },
    {
      name: 'POST /auth held open',
      args: faultyAuth('hang'),
      code: 5,
      message: /no answer from the SAFE Launcher within 2s/,
      deadline: 6000,
    },
    {
      name: 'POST /auth closed mid-body',
      args: faultyAuth('midbody'),
      code: 1,
      message: /closed/,
      deadline: 6000,
    },
    { name: 'POST /auth 503', args: faultyAuth('503'), code: 1, message: /HTTP 503/, deadline: 6000 },
    {
      name: 'POST /auth HTML 200',
      args: faultyAuth('html'),
      code: 1,
      message: /200 without a JSON object/,
      deadline: 6000,
    },
    {
      name: 'POST /auth > 1 MB',
      args: faultyAuth('huge'),
      code: 1,
      message: /larger than 1024 KiB/,
      deadline: 6000,
    },
  ];
  await runAll(t, cases);
});
