/** src/lib/secrets.ts: every form of a registered secret is redacted; short strings never are. */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { childEnv, clearSecrets, REDACTED, redactSecrets, registerSecret } from '../../src/lib/secrets.js';

afterEach(clearSecrets);

test('a secret is redacted raw, URL-encoded, form-encoded and inside HTTP Basic', () => {
  const secret = 'p@ss word+/=&x';
  registerSecret(secret, { basicUser: 'svc' });
  const form = new URLSearchParams({ s: secret }).toString().slice(2);
  const basic = Buffer.from(`svc:${form}`).toString('base64');
  const raw = Buffer.from(`svc:${secret}`).toString('base64');
  const text = `a ${secret} b ${encodeURIComponent(secret)} c ${form} d Basic ${basic} e ${raw}`;
  assert.equal(
    redactSecrets(text),
    `a ${REDACTED} b ${REDACTED} c ${REDACTED} d Basic ${REDACTED} e ${REDACTED}`,
  );
});

test('short values are not registered (they would garble output), nothing registered is a no-op', () => {
  registerSecret('abc');
  registerSecret(undefined);
  assert.equal(redactSecrets('abc abc'), 'abc abc');
});

test('childEnv drops authctl secret inputs and keeps everything else', () => {
  const env = childEnv({
    AUTHCTL_CLIENT_SECRET: 's',
    AUTHCTL_TEST_PASSWORD: 'p',
    AUTHCTL_CONFIG_DIR: '/x',
    AUTHCTL_PROFILE: 'ci',
    PATH: '/bin',
  });
  assert.deepEqual(Object.keys(env).sort(), [
    'AUTHCTL_CONFIG_DIR',
    'AUTHCTL_PROFILE',
    'AUTHCTL_TEST_PASSWORD',
    'PATH',
  ]);
});
