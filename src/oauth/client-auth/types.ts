/** The shapes every client-authentication module shares (a leaf: imports nothing of the app). */
import type { ClientAuthMethod } from '../protocol.js';

/** Who the client is and how it proves it. Paths are absolute; nothing here is secret except `secret`. */
export interface OAuthClient {
  clientId: string;
  secret?: string | undefined;
  authMethod: ClientAuthMethod;
  /** private_key_jwt: PEM private key file. */
  privateKeyFile?: string | undefined;
  /** private_key_jwt: `kid` header (default: the RFC 7638 thumbprint of the key). */
  keyId?: string | undefined;
  /** private_key_jwt: signing algorithm (default from the key type). */
  signingAlg?: string | undefined;
  /** tls_client_auth / self_signed_tls_client_auth: PEM certificate and key files. */
  certFile?: string | undefined;
  keyFile?: string | undefined;
  /** Federated client assertion (a JWT issued by someone else, e.g. a CI system): file or env var. */
  assertionFile?: string | undefined;
  assertionEnv?: string | undefined;
}

/** What a request carries to authenticate the client. */
export interface PreparedClientAuth {
  headers: Record<string, string>;
  /** Form fields, appended after the grant's own. */
  form: Array<[string, string]>;
  /** A client certificate for the TLS handshake (mTLS). */
  tls?: { cert: string; key: string } | undefined;
}

/** RFC 7521 §4.2 / RFC 7523 §2.2: the assertion type for a JWT client assertion. */
export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
