/**
 * The LivePerson Sentinel emulator's login page over real HTTP (approve 'manual'): authorize sends
 * the browser to the login form, a wrong password stays there, the right one redirects back with a
 * code for that user, Cancel redirects back with access_denied; the code exchange, a rotating
 * refresh and the revocation that ends the session follow the documented rules.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { httpPostForm, type LivePersonSandbox, startLivePerson } from '../../src/sandbox/liveperson.js';

let lp: LivePersonSandbox;
const redirectUri = 'http://127.0.0.1:9/callback';
after(() => lp?.close());

const authorizeUrl = (state = 'st-1') =>
  `${lp.url}/sentinel/api/account/${lp.account}/authorize?v=1.0&response_type=code&client_id=${lp.clientId}&redirect_uri=${encodeURIComponent(redirectUri)}&state=${state}`;
const tokenUrl = () => `${lp.url}/sentinel/api/account/${lp.account}/token?v=2.0`;
const form = (url: string, fields: Record<string, string>) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });

test('login page: wrong password, right password (code for that user), cancel (access_denied)', async () => {
  lp = await startLivePerson({
    clientId: 'app-1',
    clientSecret: 'lp-secret-123456',
    redirectUris: [redirectUri],
    users: [{ login: 'agent', password: 'pw-agent-1', id: 'user-007' }],
  });
  const dom = await fetch(`${lp.url}/api/account/${lp.account}/service/sentinel/baseURI.json?version=1.0`);
  assert.deepEqual(await dom.json(), { service: 'sentinel', account: lp.account, baseURI: lp.host });

  const a = await fetch(authorizeUrl(), { redirect: 'manual' });
  assert.equal(a.status, 302);
  const loginAt = a.headers.get('location') ?? '';
  assert.match(loginAt, /^\/sandbox\/login\?request=[\w-]+$/);
  const page = await (await fetch(`${lp.url}${loginAt}`)).text();
  assert.match(page, /<strong id="app">app-1<\/strong>/);
  assert.match(page, /name="password" type="password"/);
  const request = new URL(loginAt, lp.url).searchParams.get('request')!;

  const wrong = await form(`${lp.url}/sandbox/login`, {
    request,
    login: 'agent',
    password: 'nope',
    action: 'login',
  });
  assert.equal(wrong.status, 401);
  assert.match(await wrong.text(), /id="error" role="alert">Wrong login name or password/);

  const ok = await httpPostForm(`${lp.url}/sandbox/login`, {
    request,
    login: 'agent',
    password: 'pw-agent-1',
    action: 'login',
  });
  assert.equal(ok.status, 302);
  const back = new URL(ok.location!);
  assert.equal(`${back.origin}${back.pathname}`, redirectUri);
  assert.equal(back.searchParams.get('state'), 'st-1');
  const code = back.searchParams.get('code')!;
  assert.match(code, /^lp-code-/);
  // The request id is single-use: posting it again, or opening its page, answers the same 404 page.
  const expired = [
    await form(`${lp.url}/sandbox/login`, { request, login: 'agent', password: 'pw-agent-1' }),
    await fetch(`${lp.url}${loginAt}`),
  ];
  for (const r of expired) {
    assert.equal(r.status, 404);
    const text = await r.text();
    assert.match(text, /<title>Login expired/);
    assert.match(
      text,
      /<p id="message">This sign-in request is unknown or was already used\. Start the login again\.<\/p>/,
    );
  }

  const exchange = {
    client_id: 'app-1',
    client_secret: 'lp-secret-123456',
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri,
  };
  const t = await form(tokenUrl(), exchange);
  assert.equal(t.status, 200);
  const tokens = (await t.json()) as Record<string, string>;
  const claims = JSON.parse(Buffer.from(tokens.id_token!.split('.')[1]!, 'base64url').toString()) as Record<
    string,
    unknown
  >;
  assert.equal(claims.sub, 'user-007', 'the id_token names the user who signed in');
  assert.equal(claims.iss, 'Sentinel');
  assert.equal((await form(tokenUrl(), exchange)).status, 400, 'codes are single-use');

  const r1 = await form(tokenUrl(), {
    client_id: 'app-1',
    client_secret: 'lp-secret-123456',
    grant_type: 'refresh_token',
    refresh_token: tokens.refresh_token!,
  });
  const rotated = (await r1.json()) as Record<string, string>;
  assert.notEqual(rotated.refresh_token, tokens.refresh_token, 'refresh tokens rotate');
  const reuse = await form(tokenUrl(), {
    client_id: 'app-1',
    client_secret: 'lp-secret-123456',
    grant_type: 'refresh_token',
    refresh_token: tokens.refresh_token!,
  });
  assert.equal(reuse.status, 400);

  const revokeUrl = `${lp.url}/sentinel/api/account/${lp.account}/token/revoke?v=1.0`;
  assert.equal(
    (
      await form(revokeUrl, {
        client_id: 'app-1',
        client_secret: 'lp-secret-123456',
        token: rotated.refresh_token!,
      })
    ).status,
    200,
  );
  assert.equal(lp.accessTokens.size, 0, 'the revocation ends every access token of the session');

  const c = await fetch(authorizeUrl('st-2'), { redirect: 'manual' });
  const req2 = new URL(c.headers.get('location')!, lp.url).searchParams.get('request')!;
  const cancel = await httpPostForm(`${lp.url}/sandbox/login`, { request: req2, action: 'cancel' });
  const denied = new URL(cancel.location!);
  assert.equal(denied.searchParams.get('error'), 'access_denied');
  assert.equal(denied.searchParams.get('state'), 'st-2');
  assert.equal(denied.searchParams.get('code'), null);
});
