/**
 * tls_client_auth and self_signed_tls_client_auth (RFC 8705 §2): the client proves itself with the
 * certificate of the TLS handshake; the form carries only the client id. The certificate and key
 * are read on every request (renewal picks up a rotated certificate).
 */
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { readPrivateKey } from './private-key-jwt.js';
import type { OAuthClient, PreparedClientAuth } from './types.js';

/** The PEM certificate and key; exit 2 when missing, unreadable or not matching. */
export function readClientCertificate(ctx: Context, client: OAuthClient): { cert: string; key: string } {
  if (!client.certFile || !client.keyFile) {
    throw new UsageError(
      `--auth-method ${client.authMethod} needs --cert <pem> and --key <pem>`,
      'Pass the client certificate and its private key (PEM files).',
    );
  }
  let cert: string;
  try {
    cert = fs.readFileSync(client.certFile, 'utf8');
  } catch (e) {
    throw new UsageError(
      `--cert: cannot read ${client.certFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw new UsageError(`--cert: ${client.certFile} is not a PEM certificate`);
  }
  const key = readPrivateKey(ctx, client.keyFile, '--key');
  if (!x509.checkPrivateKey(key)) {
    throw new UsageError(`--key ${client.keyFile} does not belong to the certificate ${client.certFile}`);
  }
  return { cert, key: key.export({ format: 'pem', type: 'pkcs8' }).toString() };
}

export function tlsClientAuth(ctx: Context, client: OAuthClient): PreparedClientAuth {
  const tls = readClientCertificate(ctx, client);
  return { headers: {}, form: [['client_id', client.clientId]], tls };
}
