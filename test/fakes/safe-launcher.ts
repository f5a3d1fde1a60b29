/**
 * The SAFE Launcher emulator of `authctl sandbox` (src/sandbox/safe.ts) under the names the tests
 * use, with the leak-check hook (test/helpers/leaks.ts) recording every JWT it mints. Valid
 * POST /auth requests are held until the test decides (policy 'hold'), unless told otherwise.
 */
import { type SafeOptions, type SafeSandbox, startSafe } from '../../src/sandbox/safe.js';
import { sampleProfile } from '../helpers/cli.js';
import { serversPerTest, useServer } from '../helpers/fixture.js';
import { recordSecret } from '../helpers/leaks.js';

export type {
  AuthPolicy,
  FfiFailure,
  HeldRequest,
  RecordedRequest,
  SafeApp as FakeApp,
} from '../../src/sandbox/safe.js';
export { signJwt } from '../../src/sandbox/safe.js';

import type { SafeApp } from '../../src/sandbox/safe.js';

/** A running emulator. */
export type FakeLauncher = SafeSandbox;
/** Options of startFakeLauncher. */
export type FakeLauncherOptions = SafeOptions;

/** Start the emulator on 127.0.0.1 with a free port. */
export function startFakeLauncher(opts: FakeLauncherOptions = {}): Promise<FakeLauncher> {
  return startSafe({ onSecret: (kind, value) => recordSecret(kind, value, 'safe-launcher'), ...opts });
}

/** Fixture: the emulator started before the file's tests (or a describe's) and stopped after; its getter. */
export function useFakeLauncher(opts: FakeLauncherOptions = {}): () => FakeLauncher {
  return useServer(() => startFakeLauncher(opts));
}

/** Fixture: returns a starter of emulators; each one a test starts is closed after the test. */
export function useFakeLauncherPerTest(): (opts?: FakeLauncherOptions) => Promise<FakeLauncher> {
  return serversPerTest(startFakeLauncher);
}

/** A stored SAFE profile holding `token` from the Launcher at `launcherUrl`; `over` replaces fields. */
export function safeProfile(
  token: string,
  launcherUrl: string,
  over: Record<string, unknown> = {},
): Record<string, unknown> {
  return sampleProfile({ provider: 'safe', flow: 'safe-launcher', token, params: { launcherUrl }, ...over });
}

/** The same for `app` as `safe authorize` saves it: subject, SAFE_DRIVE_ACCESS and the app's fields. */
export function safeAppProfile(
  token: string,
  launcherUrl: string,
  app: SafeApp,
  over: Record<string, unknown> = {},
): Record<string, unknown> {
  return safeProfile(token, launcherUrl, {
    subject: app.id,
    scopes: ['SAFE_DRIVE_ACCESS'],
    params: { launcherUrl, appName: app.name, appId: app.id, appVersion: app.version, appVendor: app.vendor },
    ...over,
  });
}
