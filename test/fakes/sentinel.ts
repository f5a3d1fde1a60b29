/**
 * The LivePerson Sentinel emulator of `authctl sandbox` (src/sandbox/liveperson.ts) under the names
 * the tests use, with the test defaults: the user counts as signed in (authorize redirects straight
 * back with a code, approve 'auto'), fixed client credentials, and the leak-check hook
 * (test/helpers/leaks.ts) recording every secret it issues or receives.
 */
import {
  type LivePersonOptions,
  type LivePersonSandbox,
  startLivePerson,
} from '../../src/sandbox/liveperson.js';
import { serversPerTest, useServer } from '../helpers/fixture.js';
import { recordSecret } from '../helpers/leaks.js';

export type { SentinelRequest } from '../../src/sandbox/liveperson.js';
export { freePort, httpGet, leakedSecrets, sentinelIdToken } from '../../src/sandbox/liveperson.js';

import { freePort } from '../../src/sandbox/liveperson.js';

/** A running emulator. */
export type FakeSentinel = LivePersonSandbox;
/** Options of startSentinel. */
export type SentinelOptions = LivePersonOptions;

/** Start the emulator on 127.0.0.1 with a free port. */
export function startSentinel(opts: SentinelOptions = {}): Promise<FakeSentinel> {
  return startLivePerson({
    approve: 'auto',
    onSecret: (kind, value) => recordSecret(kind, value, 'sentinel'),
    ...opts,
  });
}

/**
 * Fixture: the emulator started before the file's tests (or a describe's) and stopped after; its
 * getter. `opts` may be a function, run in the `before` hook (to pick a free redirect port there).
 */
export function useSentinel(
  opts: SentinelOptions | (() => Promise<SentinelOptions>) = {},
): () => FakeSentinel {
  return useServer(async () => startSentinel(typeof opts === 'function' ? await opts() : opts));
}

/** A running emulator whose one registered redirect URI is a free loopback port. */
export type FakeSentinelAt = FakeSentinel & { redirectUri: string };

/**
 * Fixture: returns a starter of emulators, each registering `http://<host>:<free port>/callback`
 * (host 127.0.0.1 unless told); each one a test starts is closed after the test.
 */
export function useSentinelPerTest(): (
  opts?: SentinelOptions,
  host?: 'localhost' | '127.0.0.1',
) => Promise<FakeSentinelAt> {
  return serversPerTest(async (opts: SentinelOptions = {}, host = '127.0.0.1') => {
    const redirectUri = `http://${host}:${await freePort()}/callback`;
    return Object.assign(await startSentinel({ redirectUris: [redirectUri], ...opts }), { redirectUri });
  });
}
