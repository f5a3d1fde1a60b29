/**
 * Defence in depth for server text: whatever path a server-given string took into a profile
 * (subject, scopes, parameters, details), TokenStore.save stores it already clean — no terminal
 * control characters, bidi overrides or line separators — while secrets stay byte for byte.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import type { Profile } from '../../src/store/profile.js';
import { TokenStore } from '../../src/store/store.js';
import { tempConfigDir } from '../helpers/cli.js';

const HOSTILE = '\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202eevil\rfake\u2028line\nnext';

test('save() stores subject, scopes, params and details without control characters', async () => {
  const cfg = tempConfigDir();
  try {
    const store = new TokenStore({ AUTHCTL_CONFIG_DIR: cfg.dir });
    const p: Profile = {
      provider: 'pryv',
      flow: 'pryv-access',
      token: 'tok-123',
      tokenType: 'pryv',
      obtainedAt: '2026-01-01T00:00:00Z',
      expiresAt: null,
      subject: `alice${HOSTILE}`,
      scopes: [`diary${HOSTILE}:read`],
      params: { appId: `app${HOSTILE}` },
      unknownParams: { list: [`x${HOSTILE}`] },
      details: { permissions: [{ streamId: `s${HOSTILE}`, level: 'read' }], [`k${HOSTILE}`]: 1 },
      refreshToken: 'rt-keep-as-is',
    };
    await store.save('p', p);
    const raw = JSON.parse(fs.readFileSync(store.file, 'utf8')) as { profiles: Record<string, Profile> };
    const saved = raw.profiles.p!;
    const text = JSON.stringify(saved);
    assert.doesNotMatch(text, /\\u001b|\\u0007|\\r|\\n|\u009b|\u202e|\u2028/, text);
    assert.equal(saved.subject, 'alice]0;pwned[2J31mevilfakeline next');
    assert.equal(saved.token, 'tok-123');
    assert.equal(saved.refreshToken, 'rt-keep-as-is');
    assert.equal(store.get('p').scopes.length, 1);
  } finally {
    cfg.cleanup();
  }
});
