/**
 * Certificates made with openssl for mutual-TLS tests: a CA, a server certificate for 127.0.0.1
 * signed by it, a client certificate signed by it, and a self-signed client certificate. Files are
 * written (mode 0600 for keys) to a temporary directory removed by `cleanup`.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Paths of the PEM files. */
export interface TestCerts {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** The client certificate's subject DN as RFC 4514 text (what tls_client_auth_subject_dn names). */
  clientSubject: string;
  selfSignedCert: string;
  selfSignedKey: string;
  cleanup(): void;
}

const ssl = (dir: string, args: string[]) =>
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });

/** Make the CA, server and client certificates. */
export function makeCerts(): TestCerts {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authctl-certs-'));
  const p = (f: string) => path.join(dir, f);
  const run = (...args: string[]) => ssl(dir, args);
  /** A self-signed RSA certificate `<name>.pem` with its key `<name>.key`. */
  const selfSigned = (name: string, subj: string) =>
    run(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-subj',
      subj,
    );
  /** `<name>.pem` signed by the CA from the request `<name>.csr`. */
  const signByCa = (name: string, ...extra: string[]) =>
    run(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      ...extra,
    );
  selfSigned('ca', '/CN=authctl test CA');
  fs.writeFileSync(p('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  run(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=127.0.0.1',
  );
  signByCa('server', '-extfile', 'server.ext');
  run(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'client.key',
    '-out',
    'client.csr',
    '-subj',
    '/O=authctl tests/CN=mtls-client',
  );
  signByCa('client');
  selfSigned('self', '/CN=self-signed-client');
  for (const k of ['ca.key', 'server.key', 'client.key', 'self.key']) fs.chmodSync(p(k), 0o600);
  return {
    dir,
    caCert: p('ca.pem'),
    serverCert: p('server.pem'),
    serverKey: p('server.key'),
    clientCert: p('client.pem'),
    clientKey: p('client.key'),
    clientSubject: 'CN=mtls-client,O=authctl tests',
    selfSignedCert: p('self.pem'),
    selfSignedKey: p('self.key'),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
