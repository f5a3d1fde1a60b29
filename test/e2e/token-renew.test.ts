/**
 * `token print` renews silently when it can (README "Using tokens"), and parallel callers renew once:
 * the per-profile lock is held across read → check → fetch → write, and the store is re-read inside
 * it (as kubelogin does). Real HTTP against the IdentityServer fake on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  actigraphArgs,
  actigraphEnv,
  DEFAULT_IDS_CLIENTS,
  useIdentityServer,
} from '../fakes/identityserver.js';
import { assertFailure, assertOutput } from '../helpers/assert.js';
import { readStore, runCli, tempConfigDir, writeStore } from '../helpers/cli.js';

const client = DEFAULT_IDS_CLIENTS[0]!;
const ids = useIdentityServer({ delayMs: 150 });

/** Log in once through the CLI, then make the saved token look expired. */
async function expiredProfile(dir: string): Promise<string> {
  const login = await runCli(actigraphArgs(ids().tokenUrl, ['--profile', 'ci'], client), {
    configDir: dir,
    env: actigraphEnv(client),
  });
  assert.equal(login.code, 0, login.stderr);
  const data = readStore(dir);
  const old = data.profiles.ci!.token as string;
  data.profiles.ci!.expiresAt = '2020-01-01T00:00:00Z';
  writeStore(dir, data);
  return old;
}

test('an expired client-credentials token is renewed silently when the secret is available', async () => {
  const tmp = tempConfigDir();
  try {
    const old = await expiredProfile(tmp.dir);
    // Without the secret: exit 4, saying how to make it renewable.
    assertFailure(
      await runCli(['token', 'print', 'ci'], { configDir: tmp.dir }),
      4,
      /expired at 2020-01-01T00:00:00Z.*Set AUTHCTL_CLIENT_SECRET/,
    );
    const before = ids().issued.length;
    const r = await runCli(['token', 'print', 'ci'], {
      configDir: tmp.dir,
      env: { AUTHCTL_CLIENT_SECRET: client.secret },
    });
    assert.equal(ids().issued.length, before + 1);
    const fresh = ids().issued.at(-1)!;
    assert.notEqual(fresh, old);
    assertOutput(r, `${fresh}\n`); // silently: nothing on stderr
    const saved = readStore(tmp.dir).profiles.ci!;
    assert.equal(saved.token, fresh);
    assert.ok(Date.parse(saved.expiresAt as string) > Date.now());
    assert.ok(!('clientSecret' in saved), 'the secret is not stored without --save-secret');
  } finally {
    tmp.cleanup();
  }
});

test('six parallel token print calls on an expired token renew it once and print the same token', async () => {
  const tmp = tempConfigDir();
  try {
    await expiredProfile(tmp.dir);
    const before = ids().issued.length;
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        runCli(['token', 'print', 'ci'], {
          configDir: tmp.dir,
          env: { AUTHCTL_CLIENT_SECRET: client.secret },
        }),
      ),
    );
    assert.equal(ids().issued.length, before + 1, 'one renewal for all callers');
    const fresh = ids().issued.at(-1)!;
    for (const r of results) assertOutput(r, `${fresh}\n`);
    assert.equal(readStore(tmp.dir).profiles.ci!.token, fresh);
  } finally {
    tmp.cleanup();
  }
});
