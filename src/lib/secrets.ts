/**
 * The secrets authctl holds for the current command (client secret, its Basic header value and
 * form-encoded form, authorization code, PKCE verifier, refresh token, Pryv poll key), registered
 * where they are created or read, so the output boundary can redact them from any text — a server
 * that echoes the request in its error body must not make authctl print them. Tokens a command is
 * asked to print are never registered (they are its output). Leaf module: imports nothing.
 */

/** What replaces a known secret in output. */
export const REDACTED = '[redacted]';

/** Shorter strings are not registered: redacting "a" or "ab" everywhere would garble output. */
const MIN_SECRET_LENGTH = 6;

const known = new Set<string>();
let pattern: RegExp | undefined;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Add one secret and the forms it travels in (URL/form encoding, HTTP Basic with `user`). */
export function registerSecret(secret: string | undefined | null, opts: { basicUser?: string } = {}): void {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) return;
  const forms = new Set([
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
  ]);
  if (opts.basicUser !== undefined) {
    // RFC 6749 §2.3.1: both parts form-encoded before Base64; some clients skip the encoding.
    const enc = (v: string) => new URLSearchParams({ s: v }).toString().slice(2);
    forms.add(Buffer.from(`${enc(opts.basicUser)}:${enc(secret)}`).toString('base64'));
    forms.add(Buffer.from(`${opts.basicUser}:${secret}`).toString('base64'));
  }
  for (const f of forms) if (f.length >= MIN_SECRET_LENGTH) known.add(f);
  pattern = undefined;
}

/** Forget every registered secret (tests). */
export function clearSecrets(): void {
  known.clear();
  pattern = undefined;
}

/** `text` with every registered secret replaced by REDACTED (longest first, so forms never half-match). */
export function redactSecrets(text: string): string {
  if (known.size === 0 || text === '') return text;
  pattern ??= new RegExp(
    [...known]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|'),
    'g',
  );
  return text.replace(pattern, REDACTED);
}

/**
 * Environment variables that carry authctl's own secret inputs. They are removed from the
 * environment of every child authctl starts (the `exec` command, a BROWSER): a child needs the
 * token `exec` hands it, never the credentials used to get it. Add any new secret input here.
 */
export const SECRET_ENV_VARS: ReadonlySet<string> = new Set(['AUTHCTL_CLIENT_SECRET']);

/** True when `name` is one of authctl's secret inputs (SECRET_ENV_VARS). */
export function isSecretEnvVar(name: string): boolean {
  return SECRET_ENV_VARS.has(name);
}

/** A copy of `env` without authctl's secret inputs (see SECRET_ENV_VARS). */
export function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (!isSecretEnvVar(k)) out[k] = v;
  return out;
}
