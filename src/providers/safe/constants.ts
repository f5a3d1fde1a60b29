/** SAFE Launcher preset (API 0.5/0.6, docs/protocol-notes/safe.md): endpoints, defaults, wording. */

/** Where the Launcher listens by default (`serverPort: 8100` in safe_launcher `config/env_*.json`). */
export const DEFAULT_LAUNCHER_URL = 'http://localhost:8100';

/** Permission names the Launcher accepts since API 0.6, case-sensitive (`app/ffi/model/permission.js`). */
export const SAFE_PERMISSIONS = ['SAFE_DRIVE_ACCESS', 'LOW_LEVEL_API'] as const;

/** One permission name. */
export type SafePermission = (typeof SAFE_PERMISSIONS)[number];

/** The auth resource: POST asks the user, GET checks a token, DELETE revokes it (`controllers/auth.js`). */
export const AUTH_PATH = '/auth';

/** Liveness probe (200 when the Launcher is up): lets authctl say "not running" before the long POST. */
export const HEALTH_PATH = '/health';

/** The probe must be quick: a Launcher that is up answers at once. */
export const HEALTH_TIMEOUT_MS = 3_000;

/** GET/DELETE /auth answer at once (revocation finishes in the background); slower is a stuck Launcher. */
export const CHECK_TIMEOUT_MS = 15_000;

/** Spinner text while the POST is held open by the Launcher's Allow/Deny prompt. */
export const WAITING_TEXT = 'Waiting for approval in SAFE Launcher…';

/** Why POST /auth got the plain-text 401 `Unauthorised`: a denial, or nobody logged in to the Launcher. */
export const DENIED_MESSAGE =
  'the SAFE Launcher refused the authorization: the user denied it, or nobody is logged in to the Launcher';

/**
 * The "not running" error text for a refused connection. main.ts adds the period before
 * the hint, so the line reads "SAFE Launcher is not running at <url>; start it and log in. <hint>".
 */
export function notRunningMessage(launcherUrl: string): string {
  return `SAFE Launcher is not running at ${launcherUrl}; start it and log in`;
}

/** Default `--timeout` of `safe authorize`: how long the Launcher's user may take to decide. */
export const DEFAULT_TIMEOUT = '5m';
