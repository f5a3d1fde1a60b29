/** Pryv.io preset: defaults and limits for the access-request flow (docs/protocol-notes/pryv.md). */

/** Pryv Lab's register (the `--service-info` default). */
export const DEFAULT_SERVICE_INFO_URL = 'https://reg.pryv.me/service/info';

/**
 * Permission levels a request may ask for (the auth-request docs list read/contribute/manage; the
 * access data structure adds `create-only`: pryv/dev-site `src/_reference/data-structure.coffee`).
 */
export const PERMISSION_LEVELS = ['read', 'contribute', 'manage', 'create-only'] as const;

/** One of PERMISSION_LEVELS. */
export type PermissionLevel = (typeof PERMISSION_LEVELS)[number];

/**
 * `poll_rate_ms` when a server gives none (1000 in every known register: service-register
 * `src/business/access-lib.js`, open-pryv.io `accessState.ts`).
 */
export const DEFAULT_POLL_RATE_MS = 1000;

/** Floor on any poll interval, so a server answering `poll_rate_ms: 0` cannot make us spin. */
export const MIN_POLL_INTERVAL_MS = 20;

/** Ceiling of the backoff after failed polls, so a server that recovers is polled again soon. */
export const MAX_POLL_BACKOFF_MS = 30_000;

/** Longest single poll request; the deadline shortens it further. */
export const POLL_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Default lifetime of an access request on v1 and v2 registers (docs/protocol-notes/pryv.md,
 * "Timing"); `--timeout 0` waits this long.
 */
export const MAX_REQUEST_LIFETIME_MS = 3_600_000;

/**
 * How many v2 REDIRECTED hops we follow before calling it a loop (open-pryv.io v2 multi-core: a
 * 301 with the new `poll` in the body).
 */
export const MAX_REDIRECTS = 5;

/**
 * App id length after trimming, as the v1 register checks it (service-register
 * `src/utils/check-and-constraints.js` `appID`: >5 && <100).
 */
export const APP_ID_MIN = 6;
export const APP_ID_MAX = 99;

/** `languageCode` limit (v1 register: longer than 5 characters is 400 INVALID_LANGUAGE). */
export const LANG_MAX = 5;

/** Spinner text while the user decides. */
export const WAITING_TEXT = 'Waiting for approval in the browser…';

/**
 * Token type recorded in profiles: Pryv takes the raw token in `Authorization` (no `Bearer`;
 * pryv/dev-site `src/_reference/basics.coffee`, "authorization").
 */
export const TOKEN_TYPE = 'pryv';

/** Default consent-page language (`--lang`). */
export const DEFAULT_LANG = 'en';

/** Default `--timeout`: how long `pryv request` / `pryv poll` wait for the user. */
export const DEFAULT_TIMEOUT = '10m';

/**
 * A poll URL whose server never answered gives up after this many consecutive transport failures
 * (DNS, connection refused, timeouts) or this long, whichever comes first (exit 1 with the cause).
 */
export const UNREACHABLE_GRACE_FAILURES = 3;
export const UNREACHABLE_GRACE_MS = 30_000;
