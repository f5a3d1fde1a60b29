/**
 * Minimal typings for the parts of `oidc-provider` (v9, ships no types) the test harness uses.
 * Configuration and client metadata stay loosely typed: the package validates them at runtime.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  /** Client metadata (OpenID Connect Dynamic Client Registration / RFC 7591 names). */
  export interface ClientMetadata {
    client_id: string;
    client_secret?: string;
    grant_types?: string[];
    redirect_uris?: string[];
    response_types?: string[];
    token_endpoint_auth_method?: string;
    scope?: string;
    [key: string]: unknown;
  }

  /** Provider configuration (see the oidc-provider docs); deep-merged by the harness. */
  export interface Configuration {
    clients?: ClientMetadata[];
    scopes?: string[];
    features?: Record<string, Record<string, unknown>>;
    ttl?: Record<string, unknown>;
    cookies?: Record<string, unknown>;
    jwks?: { keys: Record<string, unknown>[] };
    [key: string]: unknown;
  }

  /** The provider: a Koa application plus OpenID machinery. */
  export class Provider {
    constructor(issuer: string, configuration?: Configuration);
    readonly issuer: string;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: string, listener: (...args: never[]) => void): this;
    registerGrantType(
      name: string,
      handler: (ctx: never) => Promise<void>,
      params?: string[],
      dupes?: string[],
    ): void;
    [key: string]: unknown;
  }

  export const errors: {
    InvalidTarget: new (description?: string) => Error;
    [name: string]: new (...args: never[]) => Error;
  };

  export default Provider;
}
