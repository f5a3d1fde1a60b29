/**
 * Renewal under the profile lock (read → check → fetch → write): many CI steps calling
 * `authctl token print` at the same moment on an expired profile must make exactly one token
 * request and all print the same new token. The built binary is spawned in parallel; requests are
 * counted at the fake IdentityServer, which answers slowly so that the processes really overlap.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  actigraphArgs,
  actigraphEnv,
  DEFAULT_IDS_CLIENTS,
  expiredActigraphProfile,
  useIdentityServer,
} from '../fakes/identityserver.js';
import { readStore, runCli, tempConfigDir, writeStore } from '../helpers/cli.js';

const CI = DEFAULT_IDS_CLIENTS[0]!;
const ids = useIdentityServer({ delayMs: 300 });

test('20 processes running `token print` on an expired profile make exactly one token request', async () => {
  const { dir, cleanup } = tempConfigDir();
  try {
    writeStore(dir, {
      version: 1,
      profiles: {
        actigraph: expiredActigraphProfile(ids().tokenUrl, CI.id, {
          token: 'old-expired-token',
          scopes: ['CentrePoint'],
        }),
      },
    });
    const runs = Array.from({ length: 20 }, () =>
      runCli(['token', 'print', 'actigraph'], {
        configDir: dir,
        env: actigraphEnv(CI),
        timeoutMs: 90_000,
      }),
    );
    const results = await Promise.all(runs);
    assert.equal(ids().requests.length, 1, 'exactly one token request');
    const fresh = ids().issued[0]!;
    for (const r of results) {
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${fresh}\n`);
      assert.equal(r.stderr, '');
    }
    assert.equal(readStore(dir).profiles.actigraph!.token, fresh);
    assert.deepEqual(ids().requests[0]!.form, {
      grant_type: 'client_credentials',
      scope: 'CentrePoint',
      client_id: CI.id,
      client_secret: CI.secret,
    });
  } finally {
    cleanup();
  }
});

test('10 processes running `actigraph token` on an empty store make one request and share the token', async () => {
  const { dir, cleanup } = tempConfigDir();
  const before = ids().requests.length;
  try {
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        runCli(actigraphArgs(ids().tokenUrl, ['--print'], CI), {
          configDir: dir,
          env: actigraphEnv(CI),
          timeoutMs: 90_000,
        }),
      ),
    );
    assert.equal(
      ids().requests.length - before,
      1,
      'the others found the fresh token once they held the lock',
    );
    const fresh = ids().issued.at(-1)!;
    for (const r of results) {
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${fresh}\n`);
    }
    assert.equal(results.filter((r) => r.stderr.startsWith('✓ Saved token')).length, 1);
    assert.equal(results.filter((r) => r.stderr.startsWith('Using cached token')).length, 9);
  } finally {
    cleanup();
  }
});
