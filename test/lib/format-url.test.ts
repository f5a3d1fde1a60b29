/**
 * URL rules (src/http/url.ts, docs/security.md: plain http only for loopback unless --insecure;
 * a host without a scheme means https except loopback) and Retry-After parsing (RFC 9110 §10.2.3).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExitCode, FailureError, UsageError } from '../../src/errors.js';
import { parseRetryAfter } from '../../src/http/client.js';
import { checkUrl, hostToBaseUrl, isLoopbackHost, redactUrl } from '../../src/http/url.js';

test('isLoopbackHost: localhost, 127.0.0.0/8 and ::1 only', () => {
  for (const h of [
    'localhost',
    'LOCALHOST',
    '127.0.0.1',
    '127.0.0.53',
    '127.255.255.254',
    '::1',
    '[::1]',
    '0:0:0:0:0:0:0:1',
  ])
    assert.equal(isLoopbackHost(h), true, h);
  for (const h of [
    'example.com',
    '128.0.0.1',
    '10.0.0.1',
    '0.0.0.0',
    '127.0.0.1.nip.io',
    'localhost.example.com',
    'app.localhost',
    '::ffff:7f00:1',
    '::2',
    '',
  ])
    assert.equal(isLoopbackHost(h), false, h);
});

test('checkUrl: https anywhere; plain http only for loopback unless --insecure', () => {
  const flag = { insecure: false, source: 'flag' as const, label: '--token-url' };
  for (const ok of [
    'https://id.example.com/token',
    'http://localhost:8100/',
    'http://127.0.0.1:3000/x?y=1',
    'http://[::1]:8976/callback',
    'http://127.1/', // WHATWG URL normalises it to 127.0.0.1
  ])
    assert.equal(checkUrl(ok, flag).href, new URL(ok).href, ok);
  assert.equal(checkUrl('http://example.com/token', { ...flag, insecure: true }).host, 'example.com');
});

test('checkUrl: a refused flag URL is exit 2; a refused server URL is exit 1 saying nothing was saved', () => {
  const flag = { insecure: false, source: 'flag' as const, label: '--token-url' };
  const server = { insecure: false, source: 'server' as const, label: 'apiEndpoint' };
  assert.throws(
    () => checkUrl('http://example.com/token', flag),
    (e: unknown) =>
      e instanceof UsageError &&
      e.exitCode === ExitCode.usage &&
      /--token-url: plain http is refused for example\.com/.test(e.message),
  );
  assert.throws(
    () => checkUrl('http://bob.pryv.example/', server),
    (e: unknown) =>
      e instanceof FailureError &&
      e.exitCode === ExitCode.failure &&
      /apiEndpoint/.test(e.message) &&
      /nothing was saved/.test(e.message),
  );
  for (const bad of ['not a url', 'ftp://example.com/x', 'file:///etc/passwd', 'javascript:alert(1)', '']) {
    assert.throws(
      () => checkUrl(bad, flag),
      (e: unknown) => e instanceof UsageError,
      bad,
    );
    assert.throws(
      () => checkUrl(bad, server),
      (e: unknown) => e instanceof FailureError && e.exitCode === 1,
      bad,
    );
  }
  assert.throws(() => checkUrl('http://localhost.evil.com/', flag), UsageError);
});

test('hostToBaseUrl: a bare host means https, a bare loopback host means http, a URL is kept', () => {
  const table: Array<[string, string]> = [
    ['va.idp.liveperson.net', 'https://va.idp.liveperson.net'],
    [' va.idp.liveperson.net/ ', 'https://va.idp.liveperson.net'],
    ['example.com:8443/base/', 'https://example.com:8443/base'],
    ['localhost:8100', 'http://localhost:8100'],
    ['127.0.0.1:3000/x', 'http://127.0.0.1:3000/x'],
    ['[::1]:8080', 'http://[::1]:8080'],
    ['[2001:db8::1]:8443', 'https://[2001:db8::1]:8443'],
    ['https://sentinel.example.com/', 'https://sentinel.example.com'],
    ['http://example.com', 'http://example.com'], // kept: checkUrl refuses it later
  ];
  for (const [input, want] of table) assert.equal(hostToBaseUrl(input), want, input);
});

test('redactUrl: no user info, no query values, no fragment', () => {
  assert.equal(
    redactUrl('https://user:secret@h.example.com/p/a?code=abc&state=xyz&code=2#frag'),
    'https://h.example.com/p/a?code=***&state=***',
  );
  assert.equal(redactUrl('http://127.0.0.1:8976/callback'), 'http://127.0.0.1:8976/callback');
  assert.equal(redactUrl('https://tok123@bob.pryv.me/'), 'https://bob.pryv.me/');
  assert.equal(redactUrl('nonsense'), '<invalid url>');
});

test('parseRetryAfter: delay-seconds or an HTTP date', () => {
  const now = Date.UTC(2026, 10, 23, 8, 0, 0);
  assert.equal(parseRetryAfter(undefined, now), undefined);
  assert.equal(parseRetryAfter('', now), undefined);
  assert.equal(parseRetryAfter('0', now), 0);
  assert.equal(parseRetryAfter('5', now), 5000);
  assert.equal(parseRetryAfter(' 120 ', now), 120_000);
  assert.equal(parseRetryAfter('Mon, 23 Nov 2026 08:00:10 GMT', now), 10_000);
  assert.equal(parseRetryAfter('Mon, 23 Nov 2026 07:00:00 GMT', now), 0, 'a past date means now');
  assert.equal(parseRetryAfter('soon', now), undefined);
});
