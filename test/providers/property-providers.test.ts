/**
 * Property tests (fast-check) on the provider parsers: Pryv (service info, create answer, poll-answer
 * classification, apiEndpoint trust, access-info), SAFE Launcher (answer classification, grant) and
 * LivePerson (domain API, id_token claims, the profile a login saves). Random and mutated answers
 * give a valid result or a coded error, never another exception; valid results carry only tokens
 * that pass TOKEN_RE, only printable names, and make profiles the store accepts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { checkUrl, hostToBaseUrl } from '../../src/http/url.js';
import { processTokenResponse } from '../../src/oauth/protocol.js';
import {
  idTokenClaims,
  livePersonProfile,
  normaliseSentinelBase,
  parseDomainResponse,
  sentinelEndpoints,
} from '../../src/providers/liveperson/protocol.js';
import { MIN_POLL_INTERVAL_MS } from '../../src/providers/pryv/constants.js';
import {
  buildApiEndpoint,
  classifyPollAnswer,
  cleanServerText,
  decomposeApiEndpoint,
  matchesApiTemplate,
  nextPollDelay,
  parseAccessInfo,
  parseCreateResponse,
  parseServiceInfo,
  trustedApiEndpoint,
} from '../../src/providers/pryv/protocol.js';
import {
  classifyAnswer,
  parseGrant,
  processAuthorizeAnswer,
  processTokenAnswer,
} from '../../src/providers/safe/protocol.js';
import { parseProfile } from '../../src/store/profile.js';
import {
  answer,
  assertToken,
  codedOrValid,
  hostileString,
  hostileValue,
  mutated,
  RUNS,
  rawAnswer,
} from '../reliability/arbitraries.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const PRINTABLE = /^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*$/;
const where = 'https://reg.example/access/***';

// ---------------------------------------------------------------------------------------------
// Pryv

const serviceInfo = {
  register: 'https://reg.example/',
  access: 'https://access.example/access/',
  api: 'https://{username}.example/',
  name: 'Example',
};

test('pryv parseServiceInfo: valid info has an api template with {username}; URLs end with /', () => {
  fc.assert(
    fc.property(answer(serviceInfo), (json) => {
      codedOrValid(
        () => parseServiceInfo(json, 'https://reg.example/service/info'),
        (info) => {
          assert.ok(info.api.includes('{username}'));
          for (const u of [info.access, info.api, info.register])
            if (u !== undefined) assert.ok(u.endsWith('/'));
        },
      );
    }),
    { numRuns: RUNS },
  );
});

const created = {
  status: 'NEED_SIGNIN',
  key: 'aBcD1234efGH',
  poll: 'https://reg.example/access/aBcD1234efGH',
  authUrl: 'https://auth.example/access.html?poll=x',
  url: 'https://auth.example/old',
  poll_rate_ms: 1000,
};

test('pryv parseCreateResponse: a key of safe characters, strings for poll and authUrl, a positive rate', () => {
  fc.assert(
    fc.property(answer(created), (json) => {
      codedOrValid(
        () => parseCreateResponse(json, where),
        (c) => {
          assert.match(c.key, /^[A-Za-z0-9_-]{1,200}$/);
          assert.ok(typeof c.poll === 'string' && c.poll !== '' && typeof c.authUrl === 'string');
          assert.ok(c.pollRateMs === undefined || (Number.isFinite(c.pollRateMs) && c.pollRateMs > 0));
        },
      );
    }),
    { numRuns: RUNS },
  );
});

const TOKEN = 'ckxyz0123456789abcdef';
const polls = [
  { status: 'NEED_SIGNIN', poll_rate_ms: 1000, requestingAppId: 'my-app-id', requestedPermissions: [] },
  {
    status: 'ACCEPTED',
    username: 'alice',
    token: TOKEN,
    apiEndpoint: `https://${TOKEN}@alice.example/`,
    serviceInfo,
  },
  { status: 'REFUSED', reasonID: 'REFUSED_BY_USER', message: 'refused' },
  { status: 'ERROR', id: 'INTERNAL', message: 'boom', detail: 'x' },
  { status: 'REDIRECTED', poll: 'https://reg2.example/access/k' },
  { error: { id: 'unknown-resource', message: 'Unknown access request key' } },
];

test('pryv classifyPollAnswer: every answer is classified or a coded error; ACCEPTED carries a valid token', () => {
  const body = fc.oneof(...polls.map((p) => answer(p)));
  fc.assert(
    fc.property(rawAnswer(body, [200, 201, 301, 400, 403, 404, 429, 500, 502, 503]), (res) => {
      codedOrValid(
        () => classifyPollAnswer(res, where, NOW),
        (a) => {
          switch (a.kind) {
            case 'accepted':
              assertToken(a.token);
              assert.ok(a.username !== '' && a.username === a.username.trim());
              assert.ok(res.status >= 200 && res.status < 300, 'accepted only on 2xx');
              break;
            case 'pending':
              assert.ok(a.pollRateMs === undefined || (Number.isFinite(a.pollRateMs) && a.pollRateMs > 0));
              assert.ok(a.appId === undefined || PRINTABLE.test(a.appId));
              break;
            case 'retry': {
              assert.ok(
                a.retryAfterMs === undefined || (Number.isFinite(a.retryAfterMs) && a.retryAfterMs >= 0),
              );
              const d = nextPollDelay(1000, 3, a.retryAfterMs);
              assert.ok(Number.isFinite(d) && d >= MIN_POLL_INTERVAL_MS);
              assert.match(a.reason, PRINTABLE);
              break;
            }
            case 'refused':
              assert.match(a.reasonId, PRINTABLE);
              assert.match(a.message, PRINTABLE);
              break;
            case 'error':
            case 'expired':
              assert.match(a.message, PRINTABLE);
              assert.ok(a.id === undefined || PRINTABLE.test(a.id));
              break;
            case 'redirected':
              assert.ok(typeof a.poll === 'string' && a.poll !== '');
              break;
          }
        },
      );
    }),
    { numRuns: RUNS * 2 },
  );
});

const username = fc.oneof(
  fc.constantFrom('alice', 'bob-42', 'x', 'ALICE', 'evil.com', 'a/b', 'a@b', '..', 'a%2Fb', '$&', "$'", '$`'),
  hostileString,
);
const endpoint = fc.oneof(
  fc.constantFrom(
    undefined,
    'https://alice.example/',
    `https://${TOKEN}@alice.example/`,
    'https://other-token@alice.example/',
    'http://alice.example/',
    'https://alice.example.evil.com/',
    'https://evil.com/alice.example/',
    'https://alice.example:8443/',
    'https://alice.example/?x=1',
    'javascript:alert(1)',
    'https://127.0.0.1/',
    'http://127.0.0.1:9/alice/',
  ),
  fc.webUrl({ authoritySettings: { withUserInfo: true }, withQueryParameters: true }),
  hostileString,
);
const template = fc.constantFrom(
  'https://{username}.example/',
  'https://example/{username}/',
  'http://127.0.0.1:9/{username}/',
  'https://{username}.{username}.example',
);

test('pryv trustedApiEndpoint: the saved endpoint is the template filled with the user, https (or loopback http), no token, no query', () => {
  fc.assert(
    fc.property(endpoint, username, template, fc.boolean(), (ep, user, tpl, insecure) => {
      codedOrValid(
        () =>
          trustedApiEndpoint({ apiEndpoint: ep, username: user, token: TOKEN, apiTemplate: tpl, insecure }),
        (saved) => {
          const u = new URL(saved);
          assert.ok(
            u.protocol === 'https:' || (u.protocol === 'http:' && (insecure || u.hostname === '127.0.0.1')),
          );
          assert.equal(u.username, '', 'never the token in the saved endpoint');
          assert.equal(u.search, '');
          assert.ok(matchesApiTemplate(saved, tpl, user));
          // The user name is saved and shown by `token list`: it must be printable.
          assert.match(user, PRINTABLE, `username ${JSON.stringify(user)}`);
        },
      );
      // Pure helpers never throw on these inputs.
      if (typeof ep === 'string') decomposeApiEndpoint(ep);
      codedOrValid(() => matchesApiTemplate(typeof ep === 'string' ? ep : '', tpl, user));
    }),
    { numRuns: RUNS * 2 },
  );
});

test('pryv buildApiEndpoint puts the user name in literally ($& and friends are not replacement patterns)', () => {
  fc.assert(
    fc.property(fc.stringMatching(/^[a-z0-9$&`'-]{1,12}$/), (user) => {
      assert.equal(buildApiEndpoint('https://{username}.example/', user), `https://${user}.example/`);
    }),
    { numRuns: RUNS },
  );
});

const accessInfo = {
  id: 'ck1',
  token: TOKEN,
  type: 'app',
  name: 'my-app-id',
  permissions: [
    { streamId: 'diary', level: 'read' },
    { feature: 'selfRevoke', setting: 'forbidden' },
  ],
  expires: NOW / 1000 + 3600,
  user: { username: 'alice' },
};

test('pryv parseAccessInfo: permissions typed, expiry within the Date range, the token never in the summary', () => {
  fc.assert(
    fc.property(answer(accessInfo), (json) => {
      codedOrValid(
        () => parseAccessInfo(json, 'https://alice.example/access-info'),
        (info) => {
          if (info.expires !== null) new Date(info.expires * 1000).toISOString();
          assert.ok(!JSON.stringify(info.summary).includes(TOKEN), 'the token stays out of the details');
          for (const v of Object.values(info.summary)) if (typeof v === 'string') assert.match(v, PRINTABLE);
        },
      );
    }),
    { numRuns: RUNS },
  );
});

test('pryv cleanServerText: printable and bounded, whatever it is given', () => {
  fc.assert(
    fc.property(hostileValue, fc.integer({ min: 1, max: 400 }), (v, max) => {
      const t = cleanServerText(v, max);
      assert.match(t, PRINTABLE);
      assert.ok(t.length <= max + 1);
    }),
    { numRuns: RUNS },
  );
});

// ---------------------------------------------------------------------------------------------
// SAFE Launcher

const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpZCI6IngiLCJpYXQiOjF9.c2lnbmF0dXJl';
const grant = { token: JWT, permissions: ['SAFE_DRIVE_ACCESS'] };
const safeError = { errorCode: 400, description: 'Unauthorised' };

test('safe: answers to POST/GET/DELETE /auth are classified; a grant is a JWT with printable permission names', () => {
  const body = fc.oneof(
    answer(grant),
    fc.array(hostileString, { maxLength: 3 }).map((permissions) => ({ token: JWT, permissions })),
    answer(safeError),
    fc.constantFrom('Unauthorised', 'Unauthorized', 'Fields are missing', 'Invalid permissions'),
  );
  const res = rawAnswer(body, [200, 400, 401, 404, 500]).map((r) =>
    typeof r.json === 'string' ? { ...r, text: r.json, json: undefined } : r,
  );
  fc.assert(
    fc.property(res, (r) => {
      const a = classifyAnswer(r);
      assert.ok(a.description === null || PRINTABLE.test(a.description));
      codedOrValid(
        () => processAuthorizeAnswer(r, 'http://127.0.0.1:8100/auth'),
        (g) => {
          assertToken(g.token);
          assert.equal(r.status, 200);
          // Echoed on stderr ("the Launcher granted …") and saved as scopes.
          for (const p of g.permissions) assert.match(p, /^[\x21-\x7e]+$/, `permission ${JSON.stringify(p)}`);
        },
      );
      codedOrValid(
        () => processTokenAnswer(r, 'http://127.0.0.1:8100/auth'),
        (v) => assert.ok(v === 'valid' || v === 'invalid'),
      );
      codedOrValid(() => parseGrant(r.json, 'http://127.0.0.1:8100/auth'));
    }),
    { numRuns: RUNS * 2 },
  );
});

// ---------------------------------------------------------------------------------------------
// LivePerson

const domainSingle = { service: 'sentinel', account: '12345678', baseURI: 'va.sentinel.liveperson.net' };
const domainList = {
  baseURIs: [
    { service: 'agentVep', account: '12345678', baseURI: 'va.agentvep.liveperson.net' },
    { service: 'sentinel', account: '12345678', baseURI: 'va.sentinel.liveperson.net' },
  ],
};

test('liveperson parseDomainResponse: a bare host (no scheme, path, user info or spaces) that makes a valid base URL', () => {
  fc.assert(
    fc.property(fc.oneof(answer(domainSingle), answer(domainList)), (body) => {
      codedOrValid(
        () =>
          parseDomainResponse(body, 'https://api.liveperson.net/api/account/1/service/sentinel/baseURI.json'),
        (host) => {
          assert.doesNotMatch(host, /[\s/@?#\\]/);
          // What discoverSentinel does next: check it as a server-provided URL, then normalise.
          codedOrValid(
            () =>
              checkUrl(hostToBaseUrl(host), { insecure: false, source: 'server', label: 'Sentinel host' }),
            (u) => {
              assert.equal(u.pathname, '/');
              assert.equal(u.username, '');
              const base = normaliseSentinelBase(u);
              assert.ok(base !== null);
              sentinelEndpoints(base, '12345678');
            },
          );
        },
      );
    }),
    { numRuns: RUNS },
  );
});

const lpClaims = {
  sub: 'user-1',
  aud: 'app-1',
  iss: 'Sentinel',
  iat: NOW / 1000,
  exp: NOW / 1000 + 3600,
  is_admin: 'true',
};
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

test('liveperson: a token response plus id_token claims builds a profile the store accepts, or a coded error', () => {
  const idToken = fc.oneof(
    mutated(lpClaims).map((c) => `${b64({ alg: 'RS256' })}.${b64(c)}.sig`),
    hostileString,
  );
  const tokenBody = idToken.chain((id) =>
    answer({
      access_token: 'at-0123456789',
      token_type: 'Bearer',
      refresh_token: 'rt-0123456789',
      id_token: id,
      expires_in: 3600,
    }),
  );
  const login = {
    account: '12345678',
    domain: 'https://va.sentinel.liveperson.net',
    endpoints: sentinelEndpoints('https://va.sentinel.liveperson.net', '12345678'),
    clientId: 'app-install-1',
    redirectUri: 'http://localhost:8976/callback',
  };
  fc.assert(
    fc.property(rawAnswer(tokenBody, [200, 400, 401]), (res) => {
      codedOrValid(
        () => {
          const set = processTokenResponse(res, 'LivePerson token endpoint');
          if (set.idToken) idTokenClaims(set.idToken, 'LivePerson token endpoint');
          return livePersonProfile(set, login, NOW, 'LivePerson token endpoint');
        },
        (p) => {
          assertToken(p.token);
          assertToken(p.refreshToken, 'refresh token');
          const back = parseProfile(JSON.parse(JSON.stringify(p)));
          assert.ok(back.ok, `the store would reject ${JSON.stringify(p)}`);
        },
      );
    }),
    { numRuns: RUNS },
  );
});
