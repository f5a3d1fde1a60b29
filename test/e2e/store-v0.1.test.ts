/**
 * A token store written by authctl 0.1 (schema version 1), written here by hand with a profile of
 * every flow in the shapes 0.1 saved (one resource as a string, `scope` space-joined or '', `null`
 * in an imported Pryv profile, a key only a newer authctl knows), loads unchanged and every profile
 * works through the built binary: print, header, export, inspect, and renewal against real HTTP on
 * 127.0.0.1 (the IdentityServer fake for ActiGraph, a scripted token endpoint for the refresh,
 * LivePerson's missing expires_in and the token exchange). A renewal writes the same shapes back
 * and keeps the unknown key.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_IDS_CLIENTS, type IdsFake, startIdentityServer } from '../fakes/identityserver.js';
import { type ScriptedTokenEndpoint, startScriptedTokenEndpoint } from '../fakes/token-endpoint.js';
import { assertOutput } from '../helpers/assert.js';
import { readStore, runCli, tempConfigDir, writeStore } from '../helpers/cli.js';

const ids_client = DEFAULT_IDS_CLIENTS[0]!;
const LP_SECRET = 'lp-app-secret';
const PAST = '2020-01-01T00:00:00Z';
const OBTAINED = '2019-12-31T23:00:00Z';
const EXCHANGED = 'urn:ietf:params:oauth:token-type:access_token';

let ids: IdsFake;
let endpoint: ScriptedTokenEndpoint;
before(async () => {
  ids = await startIdentityServer();
  endpoint = await startScriptedTokenEndpoint((form) => {
    const grant = form.get('grant_type');
    if (grant === 'refresh_token') {
      const rt = form.get('refresh_token')!;
      // LivePerson's Sentinel answers a refresh without expires_in.
      return rt === 'lp-refresh'
        ? { access_token: 'lp-renewed', token_type: 'Bearer' }
        : { access_token: `${rt}-renewed`, token_type: 'Bearer', expires_in: 3600 };
    }
    if (grant === 'urn:ietf:params:oauth:grant-type:token-exchange') {
      return {
        access_token: 'te-renewed',
        token_type: 'Bearer',
        expires_in: 3600,
        issued_token_type: EXCHANGED,
      };
    }
    return { error: 'unsupported_grant_type' };
  });
});
after(async () => {
  await endpoint.close();
  await ids.close();
});

const common = { tokenType: 'Bearer', obtainedAt: OBTAINED, expiresAt: PAST };

/** The store file as authctl 0.1 wrote it. */
function v01Store(subjectFile: string): { version: number; profiles: Record<string, unknown> } {
  return {
    version: 1,
    profiles: {
      diary: {
        provider: 'pryv',
        flow: 'pryv-access',
        token: 'ckpryvtoken0001',
        tokenType: 'pryv',
        obtainedAt: OBTAINED,
        expiresAt: null,
        subject: null,
        scopes: ['diary:read'],
        // `token import` of 0.1 wrote these nulls.
        params: {
          apiEndpoint: 'https://alice.pryv.example/',
          username: null,
          serviceInfoUrl: null,
          appId: null,
        },
        details: { imported: true, verified: false },
      },
      safe: {
        provider: 'safe',
        flow: 'safe-launcher',
        token: 'safe.jwt.token',
        tokenType: 'Bearer',
        obtainedAt: OBTAINED,
        expiresAt: null,
        subject: 'net.example.app',
        scopes: ['SAFE_DRIVE_ACCESS'],
        params: {
          launcherUrl: 'http://127.0.0.1:8100',
          appName: 'Example',
          appId: 'net.example.app',
          appVersion: '1.0',
          appVendor: 'Example Ltd',
        },
      },
      web: {
        provider: 'oauth',
        flow: 'authorization_code',
        token: 'web-access',
        ...common,
        subject: 'alice',
        scopes: ['openid', 'offline_access'],
        refreshToken: 'web-refresh',
        params: {
          tokenUrl: endpoint.url,
          clientId: 'cli-app',
          authMethod: 'none',
          confidential: false,
          scope: 'openid offline_access',
          resource: 'https://api.example/',
          tokenParams: ['tenant=blue'],
          authorizeUrl: 'http://127.0.0.1:9/authorize',
          redirectUri: 'http://127.0.0.1:8976/callback',
          // A key a newer authctl writes: kept, shown, never read.
          futureKey: 'from-0.2',
        },
      },
      tv: {
        provider: 'oauth',
        flow: 'device_code',
        token: 'tv-access',
        ...common,
        subject: null,
        scopes: [],
        refreshToken: 'tv-refresh',
        params: {
          tokenUrl: endpoint.url,
          deviceUrl: 'http://127.0.0.1:9/device',
          clientId: 'tv-app',
          authMethod: 'none',
          confidential: false,
          scope: '',
          audience: 'https://api.example/',
        },
      },
      lp: {
        provider: 'liveperson',
        flow: 'authorization_code',
        token: 'lp-access',
        ...common,
        subject: 'agent-1',
        scopes: [],
        refreshToken: 'lp-refresh',
        params: {
          account: '12345678',
          domain: 'http://127.0.0.1:9',
          authorizeUrl: 'http://127.0.0.1:9/sentinel/api/account/12345678/authorize?v=1.0',
          tokenUrl: `${endpoint.url}?v=2.0`,
          revokeUrl: 'http://127.0.0.1:9/sentinel/api/account/12345678/token/revoke?v=1.0',
          clientId: 'app-install-1',
          authMethod: 'client_secret_post',
          confidential: true,
          redirectUri: 'http://localhost:8976/callback',
          defaultExpiresIn: 1800,
        },
      },
      ag: {
        provider: 'actigraph',
        flow: 'client_credentials',
        token: 'ag-access',
        ...common,
        subject: ids_client.id,
        scopes: ['CentrePoint'],
        params: {
          tokenUrl: ids.tokenUrl,
          clientId: ids_client.id,
          authMethod: 'client_secret_post',
          scope: 'CentrePoint',
        },
      },
      ci: {
        provider: 'oauth',
        flow: 'token_exchange',
        token: 'te-access',
        ...common,
        subject: 'ci-client',
        scopes: [],
        params: {
          tokenUrl: endpoint.url,
          clientId: 'ci-client',
          authMethod: 'none',
          confidential: false,
          subjectTokenType: 'urn:ietf:params:oauth:token-type:jwt',
          scope: 'deploy',
          subjectTokenFile: subjectFile,
          issuedTokenType: EXCHANGED,
          resource: ['https://a.example/', 'https://b.example/'],
        },
      },
    },
  };
}

test('a store written by authctl 0.1 loads unchanged and every profile is usable', async () => {
  const tmp = tempConfigDir();
  try {
    const subjectFile = path.join(tmp.dir, 'ci-oidc-token');
    fs.writeFileSync(subjectFile, 'ci.subject.jwt\n');
    const written = v01Store(subjectFile);
    writeStore(tmp.dir, written);
    const run = (args: string[], env: Record<string, string> = {}) =>
      runCli(args, { configDir: tmp.dir, env });

    // Every profile is listed, none damaged.
    const list = await run(['token', 'list', '--json']);
    assert.equal(list.code, 0, list.stderr);
    const names = (JSON.parse(list.stdout) as Array<{ profile: string }>).map((p) => p.profile).sort();
    assert.deepEqual(names, ['ag', 'ci', 'diary', 'lp', 'safe', 'tv', 'web']);
    assert.doesNotMatch(list.stderr, /damaged/);

    // Pryv: the raw token in the header, the apiEndpoint with the token for scripts.
    assertOutput(await run(['token', 'print', 'diary']), 'ckpryvtoken0001\n');
    assertOutput(await run(['token', 'header', 'diary']), 'Authorization: ckpryvtoken0001\n');
    const exp = await run(['token', 'export', 'diary']);
    assert.equal(exp.code, 0, exp.stderr);
    assert.match(exp.stdout, /AUTHCTL_API_ENDPOINT='?https:\/\/ckpryvtoken0001@alice\.pryv\.example\/'?/);
    const diary = await run(['token', 'inspect', 'diary']);
    assert.equal(diary.code, 0, diary.stderr);
    assert.match(diary.stdout, /^ {2}apiEndpoint: https:\/\/alice\.pryv\.example\/$/m);
    // null is absent, not the text "null".
    assert.doesNotMatch(diary.stdout, /username|null/);

    // SAFE: Bearer header, its app identity in inspect.
    assertOutput(await run(['token', 'header', 'safe']), 'Authorization: Bearer safe.jwt.token\n');
    const safe = await run(['token', 'inspect', 'safe']);
    assert.match(safe.stdout, /^ {2}launcherUrl: http:\/\/127\.0\.0\.1:8100$/m);
    assert.match(safe.stdout, /^ {2}appVendor: Example Ltd$/m);

    // The unknown key shows in inspect before and after renewal.
    const webBefore = await run(['token', 'inspect', 'web']);
    assert.match(webBefore.stdout, /^ {2}futureKey: from-0\.2$/m);
    assert.match(webBefore.stdout, /^ {2}scope: openid offline_access$/m);

    // Authorization code: refreshed with the saved resource and token parameter.
    assertOutput(await run(['token', 'print', 'web']), 'web-refresh-renewed\n');
    const webForm = endpoint.requests.at(-1)!.form;
    assert.equal(webForm.get('refresh_token'), 'web-refresh');
    assert.equal(webForm.get('client_id'), 'cli-app');
    assert.deepEqual(webForm.getAll('resource'), ['https://api.example/']);
    assert.equal(webForm.get('tenant'), 'blue');
    assert.equal(webForm.get('scope'), null, 'a refresh asks for the scopes granted');
    const webAfter = await run(['token', 'inspect', 'web']);
    assert.match(webAfter.stdout, /^ {2}futureKey: from-0\.2$/m);

    // Device code: refreshed as a public client.
    assertOutput(await run(['token', 'header', 'tv']), 'Authorization: Bearer tv-refresh-renewed\n');
    assert.equal(endpoint.requests.at(-1)!.form.get('client_id'), 'tv-app');

    // LivePerson: the secret in the form, and the 30-minute default when expires_in is missing.
    const t0 = Date.now();
    assertOutput(await run(['token', 'print', 'lp'], { AUTHCTL_CLIENT_SECRET: LP_SECRET }), 'lp-renewed\n');
    assert.equal(endpoint.requests.at(-1)!.form.get('client_secret'), LP_SECRET);
    const lpExpiry = Date.parse(readStore(tmp.dir).profiles.lp!.expiresAt as string) - t0;
    assert.ok(lpExpiry > 1700_000 && lpExpiry <= 1810_000, `expires in ${lpExpiry} ms`);

    // ActiGraph: client credentials against the IdentityServer fake with the saved scope.
    const ag = await run(['token', 'print', 'ag'], { AUTHCTL_CLIENT_SECRET: ids_client.secret });
    assertOutput(ag, `${ids.issued.at(-1)}\n`);

    // Token exchange: the subject token read again from its file, both resources sent.
    assertOutput(await run(['token', 'print', 'ci']), 'te-renewed\n');
    const te = endpoint.requests.at(-1)!.form;
    assert.equal(te.get('subject_token'), 'ci.subject.jwt');
    assert.deepEqual(te.getAll('resource'), ['https://a.example/', 'https://b.example/']);
    assert.equal(te.get('scope'), 'deploy');

    // What renewal wrote back: version 1, the same keys in the same shapes, the unknown key kept.
    const after = readStore(tmp.dir);
    assert.equal(after.version, 1);
    for (const name of ['web', 'tv', 'lp', 'ag', 'ci']) {
      const before = (written.profiles[name] as { params: Record<string, unknown> }).params;
      assert.deepEqual(after.profiles[name]!.params, before, name);
      assert.notEqual(after.profiles[name]!.expiresAt, PAST, name);
    }
    // Profiles nobody renewed are not rewritten by reads.
    assert.deepEqual(after.profiles.diary, written.profiles.diary);
    assert.deepEqual(after.profiles.safe, written.profiles.safe);
  } finally {
    tmp.cleanup();
  }
});
