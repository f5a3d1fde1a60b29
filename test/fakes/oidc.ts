/**
 * The real `oidc-provider` (v9) started in-process on 127.0.0.1:0 over plain http, shared by every
 * OAuth test (client credentials, authorization code, introspection, revocation).
 *
 * Defaults: two confidential client-credentials clients (Basic and post authentication), the
 * clientCredentials, introspection, revocation and resourceIndicators features, two resource
 * servers (`urn:authctl:test-api` issues JWT access tokens whose `aud` is the resource;
 * `http://127.0.0.1/api` issues opaque ones that introspection can read), devInteractions enabled
 * for browser logins, freshly generated signing and cookie keys, and short TTLs. Its console
 * notices are silenced; server errors are collected in `serverErrors`.
 *
 * Usage: `const op = await startOidc({ clients: [myClient], config: { ttl: { … } } })`.
 * `clients` are added to the default clients (one with the same client_id replaces the default);
 * `config` is deep-merged over the defaults (plain objects merge, arrays and functions replace).
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClientMetadata, Configuration, Provider } from 'oidc-provider';
import { recordSecret, tapServer } from '../helpers/leaks.js';

export type { ClientMetadata, Configuration } from 'oidc-provider';

/** The confidential client that authenticates with HTTP Basic (its secret needs form-encoding). */
export const BASIC_CLIENT = { id: 'cc-basic', secret: 'b@sic:s3cret/+=%' } as const;
/** The confidential client that authenticates with client_secret_post. */
export const POST_CLIENT = { id: 'cc-post', secret: 'post-secret-123' } as const;

/** Resource indicators (RFC 8707) the default configuration knows. */
export const JWT_RESOURCE = 'urn:authctl:test-api';
export const OPAQUE_RESOURCE = 'http://127.0.0.1/api';

/** Scopes the default configuration knows; the default clients may use api:read and api:write. */
export const SCOPES = ['openid', 'offline_access', 'profile', 'email', 'api:read', 'api:write', 'api:admin'];

/** Options for startOidc. */
export interface OidcOptions {
  clients?: ClientMetadata[];
  config?: Partial<Configuration>;
}

/** A running provider. */
export interface OidcServer {
  /** http://127.0.0.1:PORT (no trailing slash). */
  issuer: string;
  port: number;
  provider: Provider;
  /** Errors the provider reported while handling requests (server_error events). */
  serverErrors: unknown[];
  /** Every request received, in order: method and path (no query). */
  requests: Array<{ method: string; path: string }>;
  close(): Promise<void>;
}

const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

/** Deep-merge `over` onto `base`: plain objects merge; anything else in `over` replaces. */
export function deepMerge<T extends Record<string, unknown>>(base: T, over: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const cur = out[k];
    out[k] = isPlain(cur) && isPlain(v) ? deepMerge(cur, v) : v;
  }
  return out as T;
}

let consoleFiltered = false;
/** Drop oidc-provider's development notices ("oidc-provider NOTICE/WARNING: …") from test output. */
function silenceNotices(): void {
  if (consoleFiltered) return;
  consoleFiltered = true;
  for (const level of ['info', 'warn', 'log'] as const) {
    const orig = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].startsWith('oidc-provider ')) return;
      orig(...args);
    };
  }
}

/** The default client list. */
export function defaultClients(): ClientMetadata[] {
  const cc = {
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    scope: 'api:read api:write',
  };
  return [
    {
      client_id: BASIC_CLIENT.id,
      client_secret: BASIC_CLIENT.secret,
      token_endpoint_auth_method: 'client_secret_basic',
      ...cc,
    },
    {
      client_id: POST_CLIENT.id,
      client_secret: POST_CLIENT.secret,
      token_endpoint_auth_method: 'client_secret_post',
      ...cc,
    },
  ];
}

/** Start oidc-provider on a free loopback port. */
export async function startOidc(opts: OidcOptions = {}): Promise<OidcServer> {
  silenceNotices();
  // Imported after the filter: the package warns about the Node version when it loads.
  const { default: ProviderClass, errors } = await import('oidc-provider');

  let handler: http.RequestListener = (_req, res) => {
    res.writeHead(503).end();
  };
  const requests: Array<{ method: string; path: string }> = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: new URL(req.url ?? '/', 'http://x').pathname });
    handler(req, res);
  });
  // Leak check (test/helpers/leaks.ts): what this fake issues and receives is secret.
  tapServer(server, 'oidc');
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}`;

  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-rs256', use: 'sig', alg: 'RS256' };

  const resourceServers: Record<string, Record<string, unknown>> = {
    [JWT_RESOURCE]: {
      scope: 'api:read api:write',
      audience: JWT_RESOURCE,
      accessTokenFormat: 'jwt',
      accessTokenTTL: 600,
      jwt: { sign: { alg: 'RS256' } },
    },
    [OPAQUE_RESOURCE]: {
      scope: 'api:read api:write',
      audience: OPAQUE_RESOURCE,
      accessTokenFormat: 'opaque',
      accessTokenTTL: 600,
    },
  };

  const clients = defaultClients().filter((d) => !opts.clients?.some((c) => c.client_id === d.client_id));
  clients.push(...(opts.clients ?? []));

  const defaults: Configuration = {
    clients,
    scopes: SCOPES,
    jwks: { keys: [jwk] },
    cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
    findAccount: async (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: async () => ({ sub, email: `${sub}@example.test`, email_verified: true }),
    }),
    clientBasedCORS: () => false,
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: async () => true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx: unknown, _client: unknown, oneOf?: string) => oneOf,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: unknown, indicator: string) => {
          const rs = resourceServers[indicator];
          if (!rs) throw new errors.InvalidTarget();
          return rs;
        },
      },
    },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      ClientCredentials: 600,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      RefreshToken: 86_400,
    },
  };
  const config = deepMerge(defaults, (opts.config ?? {}) as Record<string, unknown>);
  // The merged client list must not be deep-merged element-wise: keep the assembled one.
  config.clients = opts.config?.clients ?? clients;

  for (const c of config.clients ?? []) recordSecret('clientSecret', c.client_secret, 'oidc');
  const provider = new ProviderClass(issuer, config);
  const serverErrors: unknown[] = [];
  provider.on('server_error', (_ctx: unknown, err: unknown) => serverErrors.push(err));
  handler = provider.callback();

  return {
    issuer,
    port,
    provider,
    serverErrors,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
