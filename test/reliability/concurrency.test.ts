/**
 * Load: 50 processes of the built binary against one store at the same moment — logins to distinct
 * profiles (`actigraph token`, `oauth client-credentials` against the IdentityServer fake, `safe
 * authorize` against the Launcher fake in allow mode) mixed with `token print` renewals of shared,
 * expired client-credentials profiles. Afterwards: no process failed, the store parses, every
 * profile is there (and a bystander profile is untouched), no shared profile was renewed twice
 * (token requests counted per client at the fake), and no lock or temp file is left.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  actigraphArgs,
  actigraphEnv,
  type IdsClient,
  type RecordedRequest,
  useIdentityServer,
} from '../fakes/identityserver.js';
import { useFakeLauncher } from '../fakes/safe-launcher.js';
import {
  type CliResult,
  readStore,
  runCli,
  sampleProfile,
  tempConfigDir,
  writeStore,
} from '../helpers/cli.js';

/** npm run test:stress doubles everything (CONCURRENCY_SCALE=2: 100 processes). */
const SCALE = Math.max(1, Number(process.env.CONCURRENCY_SCALE ?? 1));
const SHARED = 4; // expired profiles renewed by `token print`
const PRINTS_PER_SHARED = 5 * SCALE; // 20 renewal processes
const ACTIGRAPH = 15 * SCALE; // `actigraph token` logins, one client and profile each
const OAUTH = 5 * SCALE; // `oauth client-credentials` logins
const SAFE = 10 * SCALE; // `safe authorize` logins
const TOTAL = SHARED * PRINTS_PER_SHARED + ACTIGRAPH + OAUTH + SAFE;

const client = (id: string): IdsClient => ({ id, secret: `${id}-s3cret!value`, scopes: ['CentrePoint'] });
const shared = Array.from({ length: SHARED }, (_, i) => client(`shared-${i}`));
const actigraph = Array.from({ length: ACTIGRAPH }, (_, i) => client(`login-${i}`));
const oauth = Array.from({ length: OAUTH }, (_, i) => client(`oc-${i}`));

// A slow token endpoint makes the renewals overlap inside the profile lock.
const ids = useIdentityServer({ clients: [...shared, ...actigraph, ...oauth], delayMs: 300 });
const launcher = useFakeLauncher({ policy: 'allow' });

/** The client a token request came from (form body or Basic header). */
function clientOf(r: RecordedRequest): string | undefined {
  if (r.authorization?.startsWith('Basic ')) {
    const d = Buffer.from(r.authorization.slice(6), 'base64').toString('utf8');
    return decodeURIComponent(d.slice(0, d.indexOf(':')));
  }
  return r.form.client_id;
}

test(`${TOTAL} processes against one store: logins and renewals mixed, nothing lost, no double renewal, no failure`, async (t) => {
  const { dir, cleanup } = tempConfigDir();
  try {
    const bystander = sampleProfile({
      provider: 'pryv',
      flow: 'pryv-access',
      token: 'bystander-token',
      params: {},
    });
    const profiles: Record<string, unknown> = { bystander };
    for (const c of shared) {
      profiles[c.id] = sampleProfile({
        token: `expired-${c.id}`,
        obtainedAt: '2020-01-01T00:00:00Z',
        expiresAt: '2020-01-01T01:00:00Z',
        subject: c.id,
        scopes: ['CentrePoint'],
        params: {
          tokenUrl: ids().tokenUrl,
          clientId: c.id,
          authMethod: 'client_secret_post',
          scope: 'CentrePoint',
        },
      });
    }
    writeStore(dir, { version: 1, profiles });

    type Job = {
      kind: 'print' | 'actigraph' | 'oauth' | 'safe';
      profile: string;
      run: () => Promise<CliResult>;
    };
    const jobs: Job[] = [];
    const cli =
      (args: string[], env: Record<string, string> = {}) =>
      () =>
        runCli(args, { configDir: dir, env, timeoutMs: 120_000 });
    for (let k = 0; k < PRINTS_PER_SHARED; k++) {
      for (const c of shared) {
        jobs.push({
          kind: 'print',
          profile: c.id,
          run: cli(['token', 'print', c.id], { AUTHCTL_CLIENT_SECRET: c.secret }),
        });
      }
    }
    for (const c of actigraph) {
      jobs.push({
        kind: 'actigraph',
        profile: c.id,
        run: cli(actigraphArgs(ids().tokenUrl, ['--profile', c.id, '--print'], c), actigraphEnv(c)),
      });
    }
    for (const c of oauth) {
      jobs.push({
        kind: 'oauth',
        profile: c.id,
        run: cli(
          [
            'oauth',
            'client-credentials',
            '--token-url',
            ids().tokenUrl,
            '--client-id',
            c.id,
            '--scope',
            'CentrePoint',
            '--profile',
            c.id,
            '--print',
          ],
          { AUTHCTL_CLIENT_SECRET: c.secret },
        ),
      });
    }
    for (let i = 0; i < SAFE; i++) {
      const name = `safe-${i}`;
      jobs.push({
        kind: 'safe',
        profile: name,
        run: cli([
          'safe',
          'authorize',
          '--app-name',
          `App ${i}`,
          '--app-id',
          `net.example.app${i}`,
          '--app-version',
          '1.0',
          '--app-vendor',
          'Example',
          '--launcher-url',
          launcher().url,
          '--profile',
          name,
          '--print',
        ]),
      });
    }
    // Interleave the kinds so that logins and renewals really start together.
    jobs.sort(
      (a, b) => ((a.profile.length * 7 + a.kind.length) % 5) - ((b.profile.length * 7 + b.kind.length) % 5),
    );
    assert.equal(jobs.length, TOTAL);

    const t0 = Date.now();
    const results = await Promise.all(jobs.map(async (j) => ({ job: j, r: await j.run() })));
    const took = Date.now() - t0;
    t.diagnostic(`${TOTAL} processes finished in ${took} ms`);

    // No process failed; each printed exactly one token line.
    for (const { job, r } of results) {
      assert.equal(r.code, 0, `${job.kind} ${job.profile}: exit ${r.code}\n${r.stderr}`);
      assert.match(r.stdout, /^[\x21-\x7e]+\n$/, `${job.kind} ${job.profile}: stdout`);
    }

    // The store parses and holds every profile, the bystander unchanged.
    const store = readStore(dir);
    const expected = [
      'bystander',
      ...shared.map((c) => c.id),
      ...actigraph.map((c) => c.id),
      ...oauth.map((c) => c.id),
    ];
    for (let i = 0; i < SAFE; i++) expected.push(`safe-${i}`);
    assert.deepEqual(Object.keys(store.profiles).sort(), expected.sort());
    assert.deepEqual(store.profiles.bystander, bystander);

    // One token request per client: the shared profiles were renewed once, whatever the contention.
    const perClient = new Map<string, number>();
    for (const r of ids().requests)
      perClient.set(clientOf(r) ?? '?', (perClient.get(clientOf(r) ?? '?') ?? 0) + 1);
    for (const c of [...shared, ...actigraph, ...oauth])
      assert.equal(perClient.get(c.id), 1, `requests by ${c.id}`);
    assert.equal(ids().requests.length, SHARED + ACTIGRAPH + OAUTH);
    assert.equal(launcher().requestsTo('POST', '/auth').length, SAFE);

    // What each process printed is what the store holds; every renewal printer saw the one new token.
    for (const { job, r } of results) {
      const saved = store.profiles[job.profile]!;
      assert.equal(r.stdout, `${saved.token}\n`, `${job.kind} ${job.profile}: printed the saved token`);
      if (job.kind === 'print') assert.notEqual(saved.token, `expired-${job.profile}`);
    }
    assert.equal(
      new Set(Object.values(store.profiles).map((p) => p.token)).size,
      expected.length,
      'tokens are distinct',
    );

    // Nothing left behind: no lock, no temp file; the store is private.
    assert.deepEqual(fs.readdirSync(dir), ['config.json']);
    assert.equal(fs.statSync(path.join(dir, 'config.json')).mode & 0o777, 0o600);
  } finally {
    cleanup();
  }
});
