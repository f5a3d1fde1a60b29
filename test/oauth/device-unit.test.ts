/**
 * The device grant's answers that oidc-provider does not produce on demand (a server-side
 * `expired_token`, `verification_url` spelling, a missing interval), against a scripted endpoint
 * over real HTTP, plus the device profile's re-login hint.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuthctlError } from '../../src/errors.js';
import { device } from '../../src/oauth/cli/run.js';
import { DEFAULT_INTERVAL_S, nextInterval, parseDeviceResponse } from '../../src/oauth/grants/device.js';
import { loginCommand } from '../../src/providers/index.js';
import { startScriptedTokenEndpoint } from '../fakes/token-endpoint.js';
import { testContext } from '../helpers/context.js';

test('a server-side expired_token ends the poll with exit 5; access_denied with exit 3', async () => {
  for (const [last, exit, code] of [
    ['expired_token', 5, 'oauth.expired_token'],
    ['access_denied', 3, 'oauth.access_denied'],
  ] as const) {
    let polls = 0;
    const ep = await startScriptedTokenEndpoint((form) => {
      if (!form.has('device_code'))
        return {
          device_code: 'dc-1',
          user_code: 'ABCD-EFGH',
          verification_url: 'http://127.0.0.1:9/device',
          expires_in: 60,
          interval: 1,
        };
      polls++;
      return { error: polls === 1 ? 'authorization_pending' : last };
    });
    const ctx = testContext();
    try {
      await assert.rejects(
        device(ctx, { deviceUrl: ep.url, tokenUrl: ep.url, clientId: 'tv', open: false, timeout: 30_000 }),
        (e: AuthctlError) => e.exitCode === exit && e.code === code,
      );
      assert.equal(polls, 2);
      const err = ctx.stderr.join('');
      assert.match(
        err,
        /open http:\/\/127\.0\.0\.1:9\/device in a browser on any device and enter the code:\n\n {4}ABCD-EFGH\n/,
      );
      assert.equal(ep.requests[1]!.form.get('grant_type'), 'urn:ietf:params:oauth:grant-type:device_code');
      assert.equal(ep.requests[1]!.form.get('client_id'), 'tv');
      assert.deepEqual([...ctx.store.read().profiles.keys()], []);
    } finally {
      ctx.cleanup();
      await ep.close();
    }
  }
});

test('the schedule: 5 s when the server names no interval, +5 s per slow_down', () => {
  const d = parseDeviceResponse(
    { device_code: 'd', user_code: 'U', verification_uri: 'https://id.example/device', expires_in: 600 },
    'device endpoint',
    false,
  );
  assert.equal(d.interval, DEFAULT_INTERVAL_S);
  assert.equal(nextInterval(5, 'slow_down'), 10);
  assert.equal(nextInterval(10, 'slow_down'), 15);
  assert.equal(nextInterval(10, 'authorization_pending'), 10);
  // A user code that could drive the terminal is refused.
  assert.throws(
    () =>
      parseDeviceResponse(
        {
          device_code: 'd',
          user_code: '\u001b]0;x\u0007',
          verification_uri: 'https://id.example/d',
          expires_in: 9,
        },
        'e',
        false,
      ),
    /user_code/,
  );
});

test("the re-login hint of a device profile names 'authctl oauth device'", () => {
  const hint = loginCommand('tv', {
    provider: 'oauth',
    flow: 'device_code',
    token: 't',
    tokenType: 'Bearer',
    obtainedAt: '2026-01-01T00:00:00Z',
    expiresAt: '2026-01-01T01:00:00Z',
    subject: null,
    scopes: ['openid'],
    params: {
      issuer: 'https://id.example.com',
      clientId: 'tv-app',
      scope: ['openid', 'offline_access'],
      authMethod: 'none',
    },
  });
  assert.equal(
    hint,
    'authctl oauth device --issuer https://id.example.com --client-id tv-app --scope openid --scope offline_access --profile tv',
  );
});

test('token print --id-token: exit 4 with a clear message when the profile has none', async () => {
  const { print } = await import('../../src/commands/token.js');
  const ctx = testContext();
  try {
    await ctx.store.save('svc', {
      provider: 'oauth',
      flow: 'client_credentials',
      token: 'at-1',
      tokenType: 'Bearer',
      obtainedAt: '2026-01-01T00:00:00Z',
      expiresAt: null,
      subject: 'svc',
      scopes: [],
      params: {},
    });
    await assert.rejects(print(ctx, 'svc', { idToken: true }), (e: AuthctlError) => {
      assert.equal(e.exitCode, 4);
      assert.match(e.message, /profile 'svc' has no ID token/);
      assert.match(e.hint ?? '', /--scope openid/);
      return true;
    });
    assert.deepEqual(ctx.stdout, []);
  } finally {
    ctx.cleanup();
  }
});
