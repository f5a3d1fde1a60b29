/** Profile records: what a login saved, validated field by field when read back. */

/** The flows authctl knows how to run. */
export type Flow = 'pryv-access' | 'safe-launcher' | 'authorization_code' | 'client_credentials';

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
  const fail = (field: string) => ({ ok: false as const, reason: `missing or invalid field '${field}'` });
  if (typeof raw.provider !== 'string' || !PROVIDER_NAME_RE.test(raw.provider)) return fail('provider');
  if (providers && !providers.includes(raw.provider)) return fail('provider');
  if (!FLOWS.includes(raw.flow as Flow)) return fail('flow');
  if (typeof raw.token !== 'string' || !TOKEN_RE.test(raw.token)) return fail('token');
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

/** Whether authctl can renew this profile without the user (refresh token, or client credentials with a secret). */
export function isRenewable(p: Profile, env: NodeJS.ProcessEnv): boolean {
  const needsSecret = p.params.confidential === true;
  if (p.refreshToken) return !needsSecret || renewalSecret(p, env) !== undefined;
  if (p.flow === 'client_credentials') return renewalSecret(p, env) !== undefined;
  return false;
}
