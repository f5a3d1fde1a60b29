/** Proxy selection from the environment (src/http/proxy.ts): Go's ProxyFromEnvironment rules. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bypassed, proxyAuthorization, proxyFor } from '../../src/http/proxy.js';

const P = 'http://proxy.example:3128';
const via = (url: string, env: NodeJS.ProcessEnv) => proxyFor(new URL(url), env)?.href ?? null;

test('HTTPS_PROXY for https, HTTP_PROXY for http, upper case first, scheme defaults to http', () => {
  assert.equal(via('https://api.example.com/x', { HTTPS_PROXY: P }), `${P}/`);
  assert.equal(via('https://api.example.com/x', { https_proxy: P }), `${P}/`);
  assert.equal(via('https://api.example.com/x', { HTTP_PROXY: P }), null);
  assert.equal(via('http://api.example.com/x', { HTTP_PROXY: P, HTTPS_PROXY: 'http://other:1' }), `${P}/`);
  assert.equal(
    via('http://api.example.com/x', { http_proxy: 'proxy.example:8080' }),
    'http://proxy.example:8080/',
  );
  assert.equal(
    via('https://a.example/', { HTTPS_PROXY: 'http://u:1', https_proxy: 'http://l:2' }),
    'http://u:1/',
  );
  assert.equal(via('https://a.example/', {}), null);
  assert.throws(
    () => via('https://a.example/', { HTTPS_PROXY: 'socks5://p:1080' }),
    /unsupported proxy scheme/,
  );
});

test('loopback is never proxied, unless AUTHCTL_PROXY_LOOPBACK=1', () => {
  for (const u of [
    'http://localhost:8080/',
    'http://LOCALHOST/',
    'https://127.0.0.1:41234/auth',
    'http://127.255.0.9/',
    'http://[::1]:3000/',
    'http://[::ffff:127.0.0.1]/',
  ]) {
    const env = { HTTP_PROXY: P, HTTPS_PROXY: P };
    assert.equal(via(u, env), null, u);
    assert.equal(via(u, { ...env, AUTHCTL_PROXY_LOOPBACK: '1' }), `${P}/`, u);
  }
  // Not loopback: a name that merely contains it, a private address.
  assert.equal(via('http://localhost.example.com/', { HTTP_PROXY: P }), `${P}/`);
  assert.equal(via('http://10.0.0.1/', { HTTP_PROXY: P }), `${P}/`);
});

test('NO_PROXY: names with their subdomains, leading dots, *, ports, addresses and CIDR ranges', () => {
  const cases: Array<[string, string, string, boolean]> = [
    ['example.com', '443', 'example.com', true],
    ['api.example.com', '443', 'example.com', true],
    ['badexample.com', '443', 'example.com', false],
    ['example.com', '443', '.example.com', false],
    ['api.example.com', '443', '.example.com', true],
    ['api.example.com', '443', '*.example.com', true],
    ['anything', '80', '*', true],
    ['api.example.com', '443', 'other.org, example.com', true],
    ['api.example.com', '443', 'other.org example.com', true],
    ['api.example.com', '443', ' EXAMPLE.COM ', true],
    ['example.com', '8443', 'example.com:8443', true],
    ['example.com', '443', 'example.com:8443', false],
    ['10.1.2.3', '443', '10.0.0.0/8', true],
    ['11.1.2.3', '443', '10.0.0.0/8', false],
    ['10.1.2.3', '443', '10.1.2.3', true],
    ['fd00::5', '443', 'fd00::/8', true],
    ['fd00::5', '443', '[fd00::5]:443', true],
    ['fd00::5', '443', '[fd00::5]:80', false],
    ['example.com', '443', '10.0.0.0/8', false],
    ['example.com', '443', '', false],
  ];
  for (const [host, port, list, expected] of cases) {
    assert.equal(bypassed(host, port, list), expected, `${host}:${port} against '${list}'`);
  }
  assert.equal(via('https://api.example.com/', { HTTPS_PROXY: P, NO_PROXY: 'example.com' }), null);
  assert.equal(via('https://api.example.com/', { HTTPS_PROXY: P, no_proxy: 'example.com' }), null);
  assert.equal(via('https://api.example.com:444/', { HTTPS_PROXY: P, NO_PROXY: 'example.com:443' }), `${P}/`);
  assert.equal(via('https://api.example.com/', { HTTPS_PROXY: P, NO_PROXY: 'example.com:443' }), null);
});

test('credentials from the proxy URL become a Basic Proxy-Authorization value', () => {
  assert.equal(proxyAuthorization(new URL('http://proxy:3128')), undefined);
  assert.equal(
    proxyAuthorization(new URL('http://al%40ice:p%3Ass@proxy:3128')),
    `Basic ${Buffer.from('al@ice:p:ss').toString('base64')}`,
  );
});
