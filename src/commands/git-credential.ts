/**
 * `authctl git-credential get|store|erase --profile <name>`: git's credential-helper protocol
 * (https://git-scm.com/docs/git-credential#IOFMT): `key=value` lines on stdin up to a blank line;
 * for `get`, answer `username` and `password` (the token, renewed first as `token print` does).
 * `store` and `erase` are accepted and ignored: the token lives in authctl's store, not git's.
 */
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { usableProfile } from './renew.js';

type Opts = Record<string, unknown>;

/** The attributes git sent (the last value of a repeated key wins; `key[]` lists are skipped). */
export function parseCredentialInput(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const l = line.replace(/\r$/, '');
    if (l === '') break;
    const eq = l.indexOf('=');
    if (eq <= 0) continue;
    const k = l.slice(0, eq);
    if (!k.endsWith('[]')) out.set(k, l.slice(eq + 1));
  }
  return out;
}

/** A value git can take: no newline or NUL (the protocol forbids them). */
const safeValue = (v: string | undefined): v is string => v !== undefined && v !== '' && !/[\n\0]/.test(v);

export async function gitCredential(ctx: Context, action: string, o: Opts): Promise<void> {
  if (!['get', 'store', 'erase'].includes(action)) {
    throw new UsageError(
      `git-credential: unknown action '${action}'`,
      'git calls it with get, store or erase (see authctl setup-git).',
    );
  }
  const input = parseCredentialInput(await ctx.io.readStdin());
  // git asks every helper to store or erase what it used; authctl's store is the source of truth.
  if (action !== 'get') return;
  const name = ctx.store.resolveName(typeof o.profile === 'string' ? o.profile : undefined, ctx.env);
  const p = await usableProfile(ctx, name, typeof o.minTtl === 'number' ? o.minTtl : 30_000);
  const username = safeValue(input.get('username')) ? input.get('username')! : 'authctl';
  let out = `username=${username}\npassword=${p.token}\n`;
  // git 2.41+: do not keep the password past the token's expiry.
  if (p.expiresAt) out += `password_expiry_utc=${Math.floor(Date.parse(p.expiresAt) / 1000)}\n`;
  ctx.io.out(out);
}
