/**
 * A tiny program that uses the real TokenStore from another process, for the concurrency tests
 * (test/store/concurrency.test.ts). It is bundled with esbuild by bundleStoreWriter() so each
 * process starts in ~50 ms instead of paying tsx's start-up.
 *
 * argv: <configDir> <profile> <mode> [startAtMs]
 *   save: wait until startAtMs (a common start line), then save one profile; exit 0.
 *   hold: take the store lock, print "locked", and wait forever (to be SIGKILLed).
 */

import type { Profile } from '../../src/store/profile.js';
import { TokenStore } from '../../src/store/store.js';

const [dir, name, mode, startAt] = process.argv.slice(2) as [string, string, string, string | undefined];
const store = new TokenStore({ AUTHCTL_CONFIG_DIR: dir });
const profile: Profile = {
  provider: 'oauth',
  flow: 'client_credentials',
  token: `tok-${name}`,
  tokenType: 'Bearer',
  obtainedAt: '2026-01-01T00:00:00Z',
  expiresAt: null,
  subject: name,
  scopes: [],
  params: {},
};

if (mode === 'save') {
  const wait = Number(startAt ?? 0) - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  await store.save(name, profile);
} else if (mode === 'hold') {
  await store.update(async () => {
    process.stdout.write('locked\n');
    await new Promise(() => {});
  });
}
