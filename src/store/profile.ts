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
export type Provider = 'pryv' | 'safe' | 'liveperson' | 'actigraph' | 'oauth';

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

export const PROVIDERS: readonly Provider[] = ['pryv', 'safe', 'liveperson', 'actigraph', 'oauth'];
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

/** Validate an unknown value read from the store; returns the profile or a reason it is broken. */
export function parseProfile(raw: unknown): { ok: true; profile: Profile } | { ok: false; reason: string } {
  if (!isRecord(raw)) return { ok: false, reason: 'not an object' };
  const fail = (field: string) => ({ ok: false as const, reason: `missing or invalid field '${field}'` });
  if (!PROVIDERS.includes(raw.provider as Provider)) return fail('provider');
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

/** The value of the HTTP Authorization header for this profile (Pryv takes the raw token). */
export function authorizationValue(p: Profile): string {
  if (p.provider === 'pryv') return p.token;
  const type = /^bearer$/i.test(p.tokenType) ? 'Bearer' : p.tokenType;
  return `${type} ${p.token}`;
}

/** Pryv's API endpoint with the token embedded (https://token@user.pryv.me/), or null. */
export function pryvApiEndpointWithToken(p: Profile): string | null {
  const ep = p.params.apiEndpoint;
  if (typeof ep !== 'string') return null;
  const m = /^([a-z][a-z0-9+.-]*):\/\/(.+)$/i.exec(ep);
  if (!m) return null;
  return `${m[1]}://${p.token}@${m[2]}`;
}
