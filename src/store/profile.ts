/** Profile records: what a login saved, validated field by field when read back. */

import {
  type AuthorizationCodeParams,
  type ClientCredentialsParams,
  type DeviceCodeParams,
  type Flow,
  type LivePersonParams,
  type OAuthParams,
  type ParamValue,
  type PryvParams,
  parseParams,
  type SafeParams,
  storedParams,
  type TokenExchangeParams,
} from './profile-params.js';

export type {
  AuthorizationCodeParams,
  ClientCredentialsParams,
  DeviceCodeParams,
  Flow,
  LivePersonParams,
  OAuthFlow,
  OAuthParams,
  ParamValue,
  PryvParams,
  SafeParams,
  TokenExchangeParams,
} from './profile-params.js';

/**
 * A provider's name, as the provider registry (src/providers/index.ts) lists it. The store does
 * not keep its own list: the registry is the one place a provider is added.
 */
export type ProviderName = string;

/** @deprecated name of ProviderName. */
export type Provider = ProviderName;

/** What every saved login has. Secrets are `token`, `refreshToken`, `idToken` and (only with --save-secret) `clientSecret`. */
interface ProfileBase {
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
  /**
   * Saved parameters this build does not know (a newer authctl's), kept as read so that a save
   * writes them back and `token inspect` shows them; never read by the code.
   */
  unknownParams?: Record<string, ParamValue> | undefined;
  /** Structured, non-secret details shown by `token inspect` (granted permissions, app identity). */
  details?: Record<string, unknown>;
}

/** A Pryv.io access (`pryv request`, or an imported Pryv token). */
export interface PryvProfile extends ProfileBase {
  flow: 'pryv-access';
  params: PryvParams;
}

/** A SAFE Launcher authorization. */
export interface SafeProfile extends ProfileBase {
  flow: 'safe-launcher';
  params: SafeParams;
}

/** An authorization-code login (generic OAuth, or an imported token of an OAuth provider). */
export interface AuthorizationCodeProfile extends ProfileBase {
  flow: 'authorization_code';
  params: AuthorizationCodeParams;
}

/** A LivePerson Sentinel login: an authorization-code profile with its account's keys. */
export interface LivePersonProfile extends ProfileBase {
  provider: 'liveperson';
  flow: 'authorization_code';
  params: LivePersonParams;
}

export interface DeviceCodeProfile extends ProfileBase {
  flow: 'device_code';
  params: DeviceCodeParams;
}

/** Client credentials (generic OAuth and the ActiGraph preset). */
export interface ClientCredentialsProfile extends ProfileBase {
  flow: 'client_credentials';
  params: ClientCredentialsParams;
}

export interface TokenExchangeProfile extends ProfileBase {
  flow: 'token_exchange';
  params: TokenExchangeParams;
}

/** A profile of the OAuth engine (narrow further on `flow`). */
export type OAuthProfile =
  | AuthorizationCodeProfile
  | LivePersonProfile
  | DeviceCodeProfile
  | ClientCredentialsProfile
  | TokenExchangeProfile;

/** One saved login: a union on `flow`, each with its typed parameters. */
export type Profile = PryvProfile | SafeProfile | OAuthProfile;

/** The parameters of each flow (authorization code: the generic ones; see livePersonParams). */
export interface FlowParams {
  'pryv-access': PryvParams;
  'safe-launcher': SafeParams;
  authorization_code: AuthorizationCodeParams;
  client_credentials: ClientCredentialsParams;
  device_code: DeviceCodeParams;
  token_exchange: TokenExchangeParams;
}

/**
 * The typed parameters of `p` if it is of `flow`, else none: for code that serves one flow and
 * words what is missing (every key is optional, as older profiles may lack it).
 */
export function paramsOf<F extends Flow>(p: Profile, flow: F): FlowParams[F] {
  return (p.flow === flow ? p.params : {}) as FlowParams[F];
}

/** The parameters of a LivePerson login, or none for another profile. */
export function livePersonParams(p: Profile): LivePersonParams {
  return isLivePerson(p) ? p.params : {};
}

/** Whether `p` is a profile of the OAuth engine. */
export function isOAuth(p: Profile): p is OAuthProfile {
  return p.flow !== 'pryv-access' && p.flow !== 'safe-launcher';
}

/** Whether `p` is a LivePerson login (whose parameters include its account's). */
export function isLivePerson(p: Profile): p is LivePersonProfile {
  return p.provider === 'liveperson' && p.flow === 'authorization_code';
}

/** The parameters every OAuth profile may have, or none for a Pryv or SAFE one. */
export function oauthParams(p: Profile): OAuthParams {
  return isOAuth(p) ? p.params : {};
}

/** The OAuth client id a profile was saved with (none for Pryv and SAFE, which name an app). */
export function oauthClientId(p: Profile): string | undefined {
  return oauthParams(p).clientId;
}

/** The parameters of `p` as the store file keeps them, unknown ones included (save, inspect, JSON). */
export function savedParams(p: Profile): Record<string, ParamValue> {
  return storedParams(p.flow, p.provider, p.params, p.unknownParams);
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
  if (!isRecord(raw.params)) return fail('params');
  const params = parseParams(raw.flow as Flow, raw.provider, raw.params);
  if (!params.ok) return fail(params.field);
  if (raw.details !== undefined && !isRecord(raw.details)) return fail('details');
  const { unknownParams: _, ...rest } = raw;
  const profile = { ...rest, params: params.params } as unknown as Profile;
  if (params.unknown) profile.unknownParams = params.unknown;
  return { ok: true, profile };
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
function renewalNeedsSecret(p: OAuthProfile): boolean {
  if (p.params.clientAssertionFile !== undefined || p.params.clientAssertionEnv !== undefined) return false;
  const method = p.params.authMethod;
  const usesSecret = method === undefined || SECRET_METHODS.includes(method);
  if (p.refreshToken || p.flow === 'token_exchange') return p.params.confidential === true && usesSecret;
  return usesSecret;
}

/** Whether authctl can renew this profile without the user (refresh token, client credentials, token exchange). */
export function isRenewable(p: Profile, env: NodeJS.ProcessEnv): boolean {
  // Only the OAuth engine renews (a refresh token, client credentials, token exchange).
  if (!isOAuth(p)) return false;
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
