/**
 * The Pryv.io emulator of `authctl sandbox` (src/sandbox/pryv.ts) under the names the tests use,
 * with the test defaults: poll_rate_ms 50 (the real registers say 1000) and the leak-check hook
 * (test/helpers/leaks.ts) recording every token and poll key it hands out.
 */
import { type Generation, type PryvOptions, type PryvSandbox, startPryv } from '../../src/sandbox/pryv.js';
import { sampleProfile } from '../helpers/cli.js';
import { useServer } from '../helpers/fixture.js';
import { recordSecret } from '../helpers/leaks.js';

export type {
  Generation,
  LoggedRequest,
  PollFailure,
  PryvAccess as FakeAccess,
} from '../../src/sandbox/pryv.js';
export { buildApiEndpoint } from '../../src/sandbox/pryv.js';

/** A running emulator. */
export type FakePryv = PryvSandbox;

/** Options of startFakePryv: the emulator's, with the generation required. */
export interface FakePryvOptions extends PryvOptions {
  generation: Generation;
}

/** Start the emulator on 127.0.0.1 with a free port. */
export function startFakePryv(opts: FakePryvOptions): Promise<FakePryv> {
  return startPryv({ pollRateMs: 50, onSecret: (kind, value) => recordSecret(kind, value, 'pryv'), ...opts });
}

/** Fixture: the emulator started before the file's tests (or a describe's) and stopped after; its getter. */
export function useFakePryv(opts: FakePryvOptions): () => FakePryv {
  return useServer(() => startFakePryv(opts));
}

/** A stored Pryv profile of alice holding `token` at `apiEndpoint` (…/alice/) for app `appId`. */
export function pryvProfile(
  token: string,
  apiEndpoint: string,
  appId: string,
  over: Record<string, unknown> = {},
): Record<string, unknown> {
  return sampleProfile({
    provider: 'pryv',
    flow: 'pryv-access',
    token,
    tokenType: 'pryv',
    subject: 'alice',
    params: { apiEndpoint, username: 'alice', appId },
    ...over,
  });
}

/** Give the emulator alice's access `id` holding `token` (read on diary), as app `name` got it. */
export function registerAccess(fake: FakePryv, token: string, id: string, name: string): void {
  fake.accesses.set(token, {
    id,
    username: 'alice',
    token,
    permissions: [{ streamId: 'diary', level: 'read' }],
    name,
    type: 'app',
  });
}
