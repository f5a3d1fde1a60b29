/** Profile records: what a login saved, validated field by field when read back. */

/** The flows authctl knows how to run. */
export type Flow =
  | 'pryv-access'
  | 'safe-launcher'
  | 'authorization_code'
  | 'client_credentials'
  | 'device_code'
  | 'token_exchange';

/** Known providers (presets) plus the generic engine. */
/**
 * A provider's name, as the provider registry (src/providers/index.ts) lists it. The store does
 * not keep its own list: the registry is the one place a provider is added.
 */
export type ProviderName = string;

/** @deprecated name of ProviderName. */
export type Provider = ProviderName;

/** A scalar or list parameter kept with a profile. */
export type ParamValue = string | number | boolean | null | string[];

/** One saved login. Secrets are `token`, `refreshToken`, `idToken` and (only with --save-secret) `clientSecret`. */
export interface Profile {
  provider: Provider;
  flow: Flow;
  /** The access token. */
  token: string;
  /** Token type as the server named it, e.g. "Bearer"; "pryv" for Pryv's raw-token header. */
  tokenType: string;
  /** ISO 8601 UTC. */
  obtainedAt: string;
  /** ISO 8601 UTC, or null when the token has no known expiry. */
  expiresAt: string | null;
  /** User name, app id or client id the token acts for. */
  subject: string | null;
  /** Scopes or permissions granted, as strings. */
  scopes: string[];
  refreshToken?: string;
  idToken?: string;
  clientSecret?: string;
  /** Non-secret parameters needed to use or renew the token (token URL, client id, apiEndpoint…). */
  params: Record<string, ParamValue>;
  /** Structured, non-secret details shown by `token inspect` (granted permissions, app identity). */
  details?: Record<string, unknown>;
}

/** The shape of a provider name; which names exist is the registry's business. */
const PROVIDER_NAME_RE = /^[a-z][a-z0-9-]{0,31}$/;
export const FLOWS: readonly Flow[] = [
  'pryv-access',
  'safe-launcher',
  'authorization_code',
  'client_credentials',
  'device_code',
  'token_exchange',
];

const isoRe = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Characters allowed in a token we store or send: visible ASCII, no spaces or control characters. */
export const TOKEN_RE = /^[\x21-\x7e]+$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isParam(v: unknown): v is ParamValue {
  return (
    v === null ||
    typeof v === 'string' ||
    typeof v === 'number' ||
    typeof v === 'boolean' ||
    (Array.isArray(v) && v.every((x) => typeof x === 'string'))
  );
}

/**
 * Validate an unknown value read from the store; returns the profile or a reason it is broken.
 * `providers`: the names the registry knows (a profile of another provider is damaged).
 */
export function parseProfile(
  raw: unknown,
  providers?: readonly string[],
): { ok: true; profile: Profile } | { ok: false; reason: string } {
  if (!isRecord(raw)) return { ok: false, reason: 'not an object' };
  if (nestedDeeperThan(raw, MAX_PROFILE_DEPTH)) {
    return { ok: false, reason: `nested deeper than ${MAX_PROFILE_DEPTH} levels` };
  }
  const fail = (field: string) => ({ ok: false as const, reason: `missing or invalid field '${field}'` });
  if (typeof raw.provider !== 'string' || !PROVIDER_NAME_RE.test(raw.provider)) return fail('provider');
  if (providers && !providers.includes(raw.provider)) return fail('provider');
  if (!FLOWS.includes(raw.flow as Flow)) return fail('flow');
  if (typeof raw.token !== 'string' || !TOKEN_RE.test(raw.token)) return fail('token');
  for (const f of ['token', 'refreshToken', 'idToken', 'clientSecret'] as const) {
    const v = raw[f];
    if (typeof v === 'string' && v.length > MAX_TOKEN_LENGTH) {
      return { ok: false, reason: `field '${f}' is longer than ${MAX_TOKEN_LENGTH / 1024} KiB` };
    }
  }
  // The type is the scheme of the Authorization header `token header` prints: CR/LF or spaces
  // in it would inject header lines.
  if (typeof raw.tokenType !== 'string' || !TOKEN_RE.test(raw.tokenType)) return fail('tokenType');
  if (typeof raw.obtainedAt !== 'string' || !isoRe.test(raw.obtainedAt)) return fail('obtainedAt');
  if (raw.expiresAt !== null && (typeof raw.expiresAt !== 'string' || !isoRe.test(raw.expiresAt)))
    return fail('expiresAt');
  if (raw.subject !== null && typeof raw.subject !== 'string') return fail('subject');
  if (!Array.isArray(raw.scopes) || !raw.scopes.every((s) => typeof s === 'string')) return fail('scopes');
  for (const f of ['refreshToken', 'idToken', 'clientSecret'] as const) {
    if (raw[f] !== undefined && typeof raw[f] !== 'string') return fail(f);
  }
  if (!isRecord(raw.params) || !Object.values(raw.params).every(isParam)) return fail('params');
  if (raw.details !== undefined && !isRecord(raw.details)) return fail('details');
  return { ok: true, profile: raw as unknown as Profile };
}

/** Expiry in epoch ms, or null when unknown. */
export function expiresAtMs(p: Profile): number | null {
  return p.expiresAt === null ? null : Date.parse(p.expiresAt);
}

/** True when the token has more than `minTtlMs` left (or no known expiry). */
export function isFresh(p: Profile, nowMs: number, minTtlMs: number): boolean {
  const exp = expiresAtMs(p);
  return exp === null || exp - nowMs > minTtlMs;
}

/** The client secret renewal can use: the saved one, else AUTHCTL_CLIENT_SECRET. */
export function renewalSecret(p: Profile, env: NodeJS.ProcessEnv): string | undefined {
  return p.clientSecret ?? (env.AUTHCTL_CLIENT_SECRET || undefined);
}

/** Client authentication methods that use the client secret (RFC 6749 §2.3.1, RFC 7523 §2.2). */
const SECRET_METHODS = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt'];

/**
 * Whether renewing `p` needs the client secret: confidential refresh clients, and client
 * credentials / token exchange with a secret-based method (not a key, certificate or assertion).
 */
function renewalNeedsSecret(p: Profile): boolean {
  const P = p.params;
  if (typeof P.clientAssertionFile === 'string' || typeof P.clientAssertionEnv === 'string') return false;
  const usesSecret = typeof P.authMethod !== 'string' || SECRET_METHODS.includes(P.authMethod);
  if (p.refreshToken || p.flow === 'token_exchange') return P.confidential === true && usesSecret;
  return usesSecret;
}

/** Whether authctl can renew this profile without the user (refresh token, client credentials, token exchange). */
export function isRenewable(p: Profile, env: NodeJS.ProcessEnv): boolean {
  if (!p.refreshToken && p.flow !== 'client_credentials' && p.flow !== 'token_exchange') return false;
  return !renewalNeedsSecret(p) || renewalSecret(p, env) !== undefined;
}

/**
 * Longest token (access, refresh, ID) or client secret authctl accepts from a server or the store:
 * 64 KiB. Real tokens are a few KB; a bigger one cannot be passed to a child process anyway (the
 * kernel's per-string limit for argv/environment entries is 128 KiB) and is refused when validated.
 */
export const MAX_TOKEN_LENGTH = 64 * 1024;

/** Deepest JSON nesting accepted in a profile (real ones are 4 levels deep). */
export const MAX_PROFILE_DEPTH = 32;

/** True when `v` nests objects/arrays deeper than `max` levels (iterative: no stack to overflow). */
export function nestedDeeperThan(v: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[v, 1]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (x === null || typeof x !== 'object') continue;
    if (d > max) return true;
    for (const c of Object.values(x)) if (c !== null && typeof c === 'object') stack.push([c, d + 1]);
  }
  return false;
}

/**
 * JSON.stringify without recursion (compact), for a damaged profile nested too deep for the
 * built-in serialiser: the store keeps damaged entries as they are, and one must not block saves.
 */
export function stringifyIterative(root: unknown): string {
  let out = '';
  const stack: Array<{ entries: Array<[string | undefined, unknown]>; i: number; close: string }> = [];
  const open = (v: unknown): void => {
    if (Array.isArray(v)) {
      out += '[';
      stack.push({ entries: v.map((x) => [undefined, x]), i: 0, close: ']' });
    } else if (v !== null && typeof v === 'object') {
      out += '{';
      const entries = Object.entries(v).filter(([, x]) => x !== undefined && typeof x !== 'function');
      stack.push({ entries, i: 0, close: '}' });
    } else out += JSON.stringify(v) ?? 'null';
  };
  open(root);
  while (stack.length) {
    const f = stack[stack.length - 1]!;
    if (f.i >= f.entries.length) {
      out += f.close;
      stack.pop();
      continue;
    }
    const [k, v] = f.entries[f.i++]!;
    if (f.i > 1) out += ',';
    if (k !== undefined) out += `${JSON.stringify(k)}:`;
    open(v);
  }
  return out;
}
