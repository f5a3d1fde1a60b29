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
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ClientMetadata, Configuration, Provider } from 'oidc-provider';
import { useServer } from '../helpers/fixture.js';
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

/** RFC 8693 grant type, registered on the provider with `tokenExchange: true`. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** The metadata of a native-app client (RFC 8252): loopback redirect, code and refresh grants, `scope`. */
export function nativeApp(scope: string): Omit<ClientMetadata, 'client_id'> {
  return {
    application_type: 'native',
    redirect_uris: ['http://127.0.0.1/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    scope,
  };
}

/** Options for startOidc. */
export interface OidcOptions {
  clients?: ClientMetadata[];
  config?: Partial<Configuration>;
  /**
   * Mutual TLS (RFC 8705): a second, HTTPS listener on 127.0.0.1 that asks for a client certificate,
   * advertised as mtls_endpoint_aliases; certificate-bound tokens, tls_client_auth and
   * self_signed_tls_client_auth enabled. The certificates come from `certs` (test/fakes/tls-certs.ts).
   */
  mtls?: { caCert: string; serverCert: string; serverKey: string } | undefined;
  /** `interval` the device authorization endpoint announces (oidc-provider sends none: 5 s). */
  deviceInterval?: number | undefined;
  /** Answer this many device-code polls with slow_down instead of authorization_pending (RFC 8628 §3.5). */
  slowDown?: number | undefined;
  /**
   * Register an RFC 8693 token-exchange grant: the subject token must be a JWT this provider signed
   * (see `issueJwt`) for the requested audience; the answer is an access token of this provider.
   */
  tokenExchange?: boolean | undefined;
  /** Name the issuer with this host instead of 127.0.0.1 (reached through a proxy that maps it). */
  issuerHost?: string | undefined;
}

/** What the provider recorded about one token endpoint success or failure. */
export interface GrantRecord {
  event: string;
  grantType?: string;
  clientId?: string;
  /** The method the client authenticated with, as oidc-provider checked it. */
  clientAuthMethod?: string;
  params: Record<string, unknown>;
  /** The `jti` of a client assertion, when one authenticated the client. */
  assertionJti?: string;
  error?: string;
  errorDescription?: string;
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
  requests: Array<{ method: string; path: string; tls?: boolean }>;
  /** Grant successes and errors, device and PAR requests, in order (no secrets). */
  grants: GrantRecord[];
  /** Access tokens and client-credentials tokens saved: their kind and certificate binding. */
  saved: Array<{ kind: string; clientId?: string; x5t?: string; accountId?: string }>;
  /** https://127.0.0.1:PORT of the mTLS listener, when `mtls` was given. */
  mtlsOrigin?: string;
  /** Token-exchange requests seen (subject token's jti and sub, actor's sub). */
  exchanges: Array<{ subjectJti: unknown; subjectSub: unknown; actorSub?: unknown; audience?: unknown }>;
  /** Sign a JWT with the provider's own key (a stand-in for a CI system's OIDC token). */
  issueJwt(claims: Record<string, unknown>, opts?: { expiresIn?: number }): Promise<string>;
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
  const requests: Array<{ method: string; path: string; tls?: boolean }> = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: new URL(req.url ?? '/', 'http://x').pathname });
    handler(req, res);
  });
  // Leak check (test/helpers/leaks.ts): what this fake issues and receives is secret.
  tapServer(server, 'oidc');
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://${opts.issuerHost ?? '127.0.0.1'}:${port}`;

  // The mTLS listener: same provider, TLS with an optional client certificate checked against the CA.
  let tlsServer: https.Server | undefined;
  let mtlsOrigin: string | undefined;
  if (opts.mtls) {
    tlsServer = https.createServer(
      {
        cert: fs.readFileSync(opts.mtls.serverCert),
        key: fs.readFileSync(opts.mtls.serverKey),
        ca: fs.readFileSync(opts.mtls.caCert),
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => {
        requests.push({
          method: req.method ?? '',
          path: new URL(req.url ?? '/', 'http://x').pathname,
          tls: true,
        });
        handler(req, res);
      },
    );
    tapServer(tlsServer as unknown as http.Server, 'oidc');
    await new Promise<void>((resolve) => tlsServer!.listen(0, '127.0.0.1', resolve));
    mtlsOrigin = `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}`;
  }

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
      deviceFlow: { enabled: true },
      ...(opts.mtls
        ? {
            mTLS: {
              enabled: true,
              certificateBoundAccessTokens: true,
              tlsClientAuth: true,
              selfSignedTlsClientAuth: true,
              // The certificate of the TLS handshake on the mTLS listener (none on plain http).
              getCertificate: (ctx: { req: { socket: TLSSocket } }) => {
                const s = ctx.req.socket;
                if (typeof s.getPeerCertificate !== 'function') return undefined;
                const c = s.getPeerCertificate();
                return c?.raw ? new crypto.X509Certificate(c.raw) : undefined;
              },
              certificateAuthorized: (ctx: { req: { socket: TLSSocket } }) =>
                ctx.req.socket.authorized === true,
              certificateSubjectMatches: (
                ctx: { req: { socket: TLSSocket } },
                property: string,
                expected: string,
              ) => {
                if (property !== 'tls_client_auth_subject_dn') return false;
                const x = new crypto.X509Certificate(ctx.req.socket.getPeerCertificate().raw);
                // X509Certificate.subject is "O=…\nCN=…"; compare as an RFC 4514 string (reversed).
                return x.subject.split('\n').reverse().join(',') === expected;
              },
            },
          }
        : {}),
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
  if (mtlsOrigin) {
    defaults.clientAuthMethods = [
      'client_secret_basic',
      'client_secret_post',
      'client_secret_jwt',
      'private_key_jwt',
      'tls_client_auth',
      'self_signed_tls_client_auth',
      'none',
    ];
    defaults.discovery = {
      mtls_endpoint_aliases: {
        token_endpoint: `${mtlsOrigin}/token`,
        device_authorization_endpoint: `${mtlsOrigin}/device/auth`,
        pushed_authorization_request_endpoint: `${mtlsOrigin}/request`,
        introspection_endpoint: `${mtlsOrigin}/token/introspection`,
        revocation_endpoint: `${mtlsOrigin}/token/revocation`,
      },
    };
  }
  const config = deepMerge(defaults, (opts.config ?? {}) as Record<string, unknown>);
  // The merged client list must not be deep-merged element-wise: keep the assembled one.
  config.clients = opts.config?.clients ?? clients;

  for (const c of config.clients ?? []) recordSecret('clientSecret', c.client_secret, 'oidc');
  const provider = new ProviderClass(issuer, config);
  const serverErrors: unknown[] = [];
  provider.on('server_error', (_ctx: unknown, err: unknown) => serverErrors.push(err));

  // What the provider saw, for the tests' assertions (no secrets: parameters minus credentials).
  const grants: GrantRecord[] = [];
  type OidcCtx = {
    oidc?: { params?: Record<string, unknown>; client?: { clientId: string; clientAuthMethod?: string } };
  };
  const record = (event: string, ctx: OidcCtx, err?: { error?: string; error_description?: string }) => {
    const params: Record<string, unknown> = { ...(ctx.oidc?.params ?? {}) };
    let assertionJti: string | undefined;
    if (typeof params.client_assertion === 'string') {
      try {
        assertionJti = JSON.parse(
          Buffer.from(params.client_assertion.split('.')[1]!, 'base64url').toString(),
        ).jti;
      } catch {
        assertionJti = undefined;
      }
    }
    for (const k of [
      'client_secret',
      'client_assertion',
      'code',
      'code_verifier',
      'refresh_token',
      'device_code',
      'subject_token',
      'actor_token',
    ])
      if (params[k] !== undefined) params[k] = '(present)';
    for (const [k, v] of Object.entries(params)) if (v === undefined) delete params[k];
    grants.push({
      event,
      grantType: typeof params.grant_type === 'string' ? params.grant_type : undefined,
      clientId: ctx.oidc?.client?.clientId,
      clientAuthMethod: ctx.oidc?.client?.clientAuthMethod,
      params,
      ...(assertionJti ? { assertionJti } : {}),
      ...(err ? { error: err.error, errorDescription: err.error_description } : {}),
    });
  };
  for (const ev of [
    'grant.success',
    'device_authorization.success',
    'pushed_authorization_request.success',
    'authorization.success',
  ])
    provider.on(ev, (ctx: unknown) => record(ev, ctx as OidcCtx));
  for (const ev of [
    'grant.error',
    'device_authorization.error',
    'pushed_authorization_request.error',
    'authorization.error',
  ])
    provider.on(ev, (ctx: unknown, err: unknown) => record(ev, ctx as OidcCtx, err as { error?: string }));
  const saved: OidcServer['saved'] = [];
  for (const kind of ['access_token', 'client_credentials'])
    provider.on(`${kind}.saved`, (t: unknown) => {
      const tok = t as { clientId?: string; accountId?: string; 'x5t#S256'?: string };
      saved.push({ kind, clientId: tok.clientId, accountId: tok.accountId, x5t: tok['x5t#S256'] });
    });

  // Device grant extras the package does not do itself: an announced interval, and slow_down.
  let slowDowns = opts.slowDown ?? 0;
  type KoaCtx = { path: string; status: number; body: unknown };
  (provider as unknown as { use(fn: (ctx: KoaCtx, next: () => Promise<void>) => Promise<void>): void }).use(
    async (ctx, next) => {
      await next();
      const body = ctx.body as Record<string, unknown> | undefined;
      if (ctx.path === '/device/auth' && ctx.status === 200 && body && opts.deviceInterval !== undefined)
        body.interval = opts.deviceInterval;
      if (ctx.path === '/token' && body?.error === 'authorization_pending' && slowDowns > 0) {
        slowDowns--;
        body.error = 'slow_down';
        body.error_description = 'poll less often';
      }
    },
  );

  // RFC 8693 token exchange, built on the provider's own models.
  const exchanges: OidcServer['exchanges'] = [];
  const { createLocalJWKSet, jwtVerify, SignJWT, importJWK } = await import('jose');
  const publicJwks = {
    keys: [
      {
        ...crypto.createPublicKey(privateKey).export({ format: 'jwk' }),
        kid: 'test-rs256',
        alg: 'RS256',
        use: 'sig',
      },
    ],
  };
  const signingKey = await importJWK(jwk as Parameters<typeof importJWK>[0], 'RS256');
  if (opts.tokenExchange) {
    const keySet = createLocalJWKSet(publicJwks as Parameters<typeof createLocalJWKSet>[0]);
    provider.registerGrantType(
      TOKEN_EXCHANGE_GRANT,
      async (ctx: Record<string, never> & { oidc: Record<string, never>; body: unknown }) => {
        const p = (ctx.oidc as unknown as { params: Record<string, string | undefined> }).params;
        const client = (ctx.oidc as unknown as { client: { clientId: string } }).client;
        const fail = (error: string, error_description: string) => {
          (ctx as unknown as { status: number }).status = 400;
          ctx.body = { error, error_description };
        };
        if (p.subject_token_type !== 'urn:ietf:params:oauth:token-type:jwt')
          return fail('invalid_request', 'unsupported subject_token_type');
        let claims: Record<string, unknown>;
        try {
          ({ payload: claims } = await jwtVerify(p.subject_token!, keySet, {
            issuer,
            audience: client.clientId,
          }));
        } catch (e) {
          return fail('invalid_grant', `subject_token rejected: ${(e as Error).message}`);
        }
        let actorSub: unknown;
        if (p.actor_token) {
          try {
            actorSub = (await jwtVerify(p.actor_token, keySet, { issuer })).payload.sub;
          } catch {
            return fail('invalid_grant', 'actor_token rejected');
          }
        }
        exchanges.push({ subjectJti: claims.jti, subjectSub: claims.sub, actorSub, audience: p.audience });
        const { ClientCredentials } = provider as unknown as {
          ClientCredentials: new (
            v: Record<string, unknown>,
          ) => { save(): Promise<string>; expiration: number };
        };
        const at = new ClientCredentials({ client, scope: p.scope || undefined });
        ctx.body = {
          access_token: await at.save(),
          issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
          token_type: 'Bearer',
          expires_in: at.expiration,
          ...(p.scope ? { scope: p.scope } : {}),
        };
      },
      [
        'subject_token',
        'subject_token_type',
        'actor_token',
        'actor_token_type',
        'requested_token_type',
        'audience',
        'resource',
        'scope',
      ],
      ['resource'],
    );
  }
  const issueJwt = async (claims: Record<string, unknown>, o: { expiresIn?: number } = {}) => {
    const now = Math.floor(Date.now() / 1000);
    const t = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'test-rs256' })
      .setIssuer(issuer)
      .setIssuedAt(now)
      .setExpirationTime(now + (o.expiresIn ?? 300))
      .setJti(crypto.randomUUID())
      .sign(signingKey);
    recordSecret('access', t, 'oidc');
    return t;
  };
  handler = provider.callback();

  return {
    issuer,
    port,
    provider,
    serverErrors,
    requests,
    grants,
    saved,
    ...(mtlsOrigin ? { mtlsOrigin } : {}),
    exchanges,
    issueJwt,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      if (tlsServer) {
        await new Promise<void>((resolve) => {
          tlsServer!.closeAllConnections();
          tlsServer!.close(() => resolve());
        });
      }
    },
  };
}

/**
 * Fixture: a provider started before the file's tests (or a describe's) and stopped after; its
 * getter. `opts` may be a function, run in the `before` hook (for keys or certificates made there).
 */
export function useOidc(
  opts: OidcOptions | (() => OidcOptions | Promise<OidcOptions>) = {},
): () => OidcServer {
  return useServer(async () => startOidc(typeof opts === 'function' ? await opts() : opts));
}
