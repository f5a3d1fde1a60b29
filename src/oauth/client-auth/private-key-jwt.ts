/**
 * private_key_jwt (RFC 7523 §2.2, OIDC Core §9): an assertion signed with the client's private
 * key. The algorithm follows the key (RSA → RS256, EC P-256 → ES256; PS256 on request), the `kid`
 * is --key-id or the key's RFC 7638 thumbprint. The key file should be readable by the user only.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { signedAssertion } from './jwt-assertion.js';
import type { OAuthClient, PreparedClientAuth } from './types.js';

/** Algorithms authctl signs with, by key type. */
const ALGS: Record<string, readonly string[]> = {
  rsa: ['RS256', 'PS256'],
  'rsa-pss': ['PS256'],
  ec: ['ES256'],
};

/** Read a PEM private key file (warning when others can read it); exit 2 when it is unusable. */
export function readPrivateKey(ctx: Context, file: string, flag: string): KeyObject {
  let pem: string;
  try {
    pem = fs.readFileSync(file, 'utf8');
    const mode = fs.statSync(file).mode;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      ctx.io.err(
        `warning: ${flag} ${file} can be read by other users (mode ${(mode & 0o777).toString(8)}); run: chmod 600 '${file}'\n`,
      );
    }
  } catch (e) {
    throw new UsageError(
      `${flag}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  try {
    return createPrivateKey(pem);
  } catch {
    throw new UsageError(
      `${flag}: ${file} is not a PEM private key`,
      'Pass an unencrypted PKCS#8, PKCS#1 or SEC1 PEM key.',
    );
  }
}

/** The key, algorithm and kid for `client`; exit 2 when the key does not fit the algorithm. */
export function loadSigningKey(
  ctx: Context,
  client: OAuthClient,
): { key: KeyObject; alg: string; kid: string } {
  if (!client.privateKeyFile) {
    throw new UsageError(
      '--auth-method private_key_jwt needs --private-key <pem>',
      'Pass the PEM file of the key registered with the client.',
    );
  }
  const key = readPrivateKey(ctx, client.privateKeyFile, '--private-key');
  const type = key.asymmetricKeyType ?? '';
  const allowed = ALGS[type];
  if (!allowed) {
    throw new UsageError(
      `--private-key: a ${type || 'symmetric'} key cannot sign a client assertion`,
      'Use an RSA or EC P-256 key.',
    );
  }
  if (type === 'ec' && key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new UsageError(
      `--private-key: EC curve ${key.asymmetricKeyDetails?.namedCurve ?? 'unknown'} is not supported`,
      'Use a P-256 (prime256v1) key for ES256.',
    );
  }
  const alg = client.signingAlg ?? allowed[0]!;
  if (!allowed.includes(alg)) {
    throw new UsageError(
      `--signing-alg ${alg} does not fit a ${type.toUpperCase()} key`,
      `Use ${allowed.join(' or ')}.`,
    );
  }
  return { key, alg, kid: client.keyId ?? thumbprint(key) };
}

/** RFC 7638 JWK thumbprint (SHA-256, base64url) of the public part of `key`. */
export function thumbprint(key: KeyObject): string {
  const jwk = createPublicKey(key).export({ format: 'jwk' }) as Record<string, string>;
  const members =
    jwk.kty === 'EC'
      ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
      : { e: jwk.e, kty: jwk.kty, n: jwk.n };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

export async function privateKeyJwt(
  ctx: Context,
  client: OAuthClient,
  endpoint: string,
): Promise<PreparedClientAuth> {
  const { key, alg, kid } = loadSigningKey(ctx, client);
  return signedAssertion(ctx, { clientId: client.clientId, audience: endpoint, alg, kid, key });
}
