/**
 * Stress (npm run test:stress, not npm test): faults that only end at the HTTP client's own 30 s
 * limits, because the client-credentials commands have no --timeout. A token endpoint that accepts
 * and never answers, and one that sends its headers and then drips the body for ever, must still
 * end with exit 1 after about 30 s — one request (a timeout is not retried), one `error:` line —
 * for a login and for a `token print` renewal, with the store left byte for byte.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, test } from 'node:test';
import { expiredActigraphProfile } from '../../fakes/identityserver.js';
import { assertFailure } from '../../helpers/assert.js';
import { runCli, tempConfigDir, writeStore } from '../../helpers/cli.js';
import { type Fault, type FaultServer, startFaultServer } from '../fault-servers.js';

const servers: FaultServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

const LIMIT_MS = 30_000;

for (const fault of ['hang', 'drip'] as Fault[]) {
  test(`token endpoint that ${fault === 'hang' ? 'never answers' : 'drips its body for ever'}: exit 1 after ~30 s, login and renewal`, async (t) => {
    const s = await startFaultServer(fault);
    servers.push(s);
    const tokenUrl = `${s.url}/connect/token`;
    const runs = [
      [
        'login',
        ['actigraph', 'token', '--client-id', 'ci', '--scope', 'CentrePoint', '--token-url', tokenUrl],
      ],
      ['renewal', ['token', 'print', 'ci']],
    ] as const;
    const results = await Promise.all(
      runs.map(async ([what, args]) => {
        const { dir, cleanup } = tempConfigDir();
        try {
          const file = writeStore(dir, {
            version: 1,
            profiles: {
              ci: expiredActigraphProfile(tokenUrl, 'ci'),
            },
          });
          const before = fs.readFileSync(file);
          const t0 = Date.now();
          const r = await runCli([...args, '--verbose'], {
            configDir: dir,
            env: { AUTHCTL_CLIENT_SECRET: 'stress-secret-value' },
            timeoutMs: 90_000,
          });
          const took = Date.now() - t0;
          assertFailure(r, 1, /did not answer within 30s/);
          assert.ok(took >= LIMIT_MS - 500 && took < LIMIT_MS + 15_000, `${what}: took ${took} ms`);
          assert.deepEqual(fs.readFileSync(file), before, `${what}: the store changed`);
          assert.deepEqual(fs.readdirSync(dir), ['config.json'], `${what}: lock or temp file left`);
          return `${what}: exit 1 after ${took} ms`;
        } finally {
          cleanup();
        }
      }),
    );
    assert.equal(s.requests.length, 2, 'one request each: a timeout is not retried');
    for (const line of results) t.diagnostic(line);
  });
}
