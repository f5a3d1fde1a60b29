/** `authctl token …`: list, print, header, export, inspect, refresh, delete (tokens on stdout only). */
import type { Context } from '../context.js';
import { NoTokenError } from '../errors.js';
import { maskToken } from '../lib/format.js';
import { decodeJwt } from '../lib/jwt.js';
import { defaultShell, renderExports, type ShellKind } from '../lib/shell.js';
import { authorizationValue, exportVars, provider } from '../providers/index.js';
import type { RevokeOutcome } from '../providers/types.js';
import type { Profile } from '../store/profile.js';
import { describeExpiry, summarize } from './output.js';
import { isRenewable, renewAndSave, usableProfile } from './renew.js';

type Opts = Record<string, unknown>;

const minTtl = (o: Opts) => (typeof o.minTtl === 'number' ? o.minTtl : 30_000);

/** Resolve the optional profile argument and return a usable (renewed if needed) profile. */
async function usable(ctx: Context, arg: string | undefined, o: Opts): Promise<{ name: string; p: Profile }> {
  const name = ctx.store.resolveName(arg, ctx.env);
  return { name, p: await usableProfile(ctx, name, minTtl(o)) };
}

/** `token print`: exactly the access token and a newline. */
export async function print(ctx: Context, arg: string | undefined, o: Opts): Promise<void> {
  const { p } = await usable(ctx, arg, o);
  ctx.io.out(`${p.token}\n`);
}

/** `token header`: `Authorization: Bearer <token>` (Pryv: the raw token). */
export async function header(ctx: Context, arg: string | undefined, o: Opts): Promise<void> {
  const { p } = await usable(ctx, arg, o);
  ctx.io.out(`Authorization: ${authorizationValue(p)}\n`);
}

/** `token export`: quoted assignments for the chosen shell. */
export async function exportCmd(ctx: Context, arg: string | undefined, o: Opts): Promise<void> {
  const prefix = typeof o.prefix === 'string' ? o.prefix : 'AUTHCTL_';
  const shell = (o.shell as ShellKind | undefined) ?? defaultShell(ctx.env);
  // Validate the prefix before touching the network.
  renderExports([[`${prefix}TOKEN`, 'x']], 'bash');
  const { p } = await usable(ctx, arg, o);
  ctx.io.out(renderExports(exportVars(p, prefix), shell));
}

/** `token list`: a table on stdout (masked), or `--json`. */
export async function list(ctx: Context, o: Opts): Promise<void> {
  const snap = ctx.store.read();
  const rows = [...snap.profiles].map(([name, p]) => summarize(name, p, ctx.env));
  for (const b of snap.broken) {
    ctx.io.err(
      `warning: profile '${b.name}' in ${ctx.store.file} is damaged (${b.reason}); delete it with 'authctl token delete ${b.name}'.\n`,
    );
  }
  if (o.json) {
    ctx.io.out(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    ctx.io.err('No profiles saved yet. Log in first, e.g. authctl pryv request --help.\n');
    return;
  }
  const now = ctx.now();
  const table = [
    ['PROFILE', 'PROVIDER', 'FLOW', 'SUBJECT', 'TOKEN', 'EXPIRES', 'RENEWABLE'],
    ...[...snap.profiles].map(([name, p]) => [
      name,
      p.provider,
      p.flow,
      p.subject ?? '-',
      maskToken(p.token),
      describeExpiry(p, now),
      isRenewable(p, ctx.env) ? 'yes' : 'no',
    ]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  ctx.io.out(
    `${table
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n')}\n`,
  );
}

/** `token inspect`: everything about a profile, tokens masked unless --show-token, JWT claims decoded. */
export async function inspect(ctx: Context, arg: string | undefined, o: Opts): Promise<void> {
  const snap = ctx.store.read();
  const name = ctx.store.resolveName(arg, ctx.env, snap);
  const p = ctx.store.get(name, snap);
  const show = Boolean(o.showToken);
  const jwt = decodeJwt(p.token);
  const idt = p.idToken ? decodeJwt(p.idToken) : null;
  const data = {
    ...summarize(name, p, ctx.env),
    token: show ? p.token : maskToken(p.token),
    ...(p.refreshToken ? { refreshToken: show ? p.refreshToken : maskToken(p.refreshToken) } : {}),
    clientSecretSaved: p.clientSecret !== undefined,
    details: p.details ?? {},
    ...(jwt ? { jwt: { header: jwt.header, claims: jwt.payload } } : {}),
    ...(idt ? { idToken: { header: idt.header, claims: idt.payload } } : {}),
  };
  if (o.json) {
    ctx.io.out(`${JSON.stringify(data, null, 2)}\n`);
    return;
  }
  const now = ctx.now();
  const lines: string[] = [
    `Profile:     ${name}`,
    `Provider:    ${p.provider} (${p.flow})`,
    `Subject:     ${p.subject ?? '-'}`,
    `Scopes:      ${p.scopes.length ? p.scopes.join(' ') : '-'}`,
    `Token type:  ${p.tokenType}`,
    `Token:       ${data.token}`,
    `Obtained:    ${describeExpiry({ ...p, expiresAt: p.obtainedAt }, now).replace('expired ', '')}`,
    `Expires:     ${describeExpiry(p, now)}`,
    ...(data.refreshToken ? [`Refresh:     ${data.refreshToken}`] : []),
    `Renewable:   ${data.renewable ? 'yes' : 'no'}${p.refreshToken ? ' (refresh token)' : ''}`,
  ];
  if (Object.keys(p.params).length) lines.push('Parameters:');
  for (const [k, v] of Object.entries(p.params))
    lines.push(`  ${k}: ${Array.isArray(v) ? v.join(' ') : String(v)}`);
  if (p.details && Object.keys(p.details).length)
    lines.push(`Details:     ${JSON.stringify(p.details, null, 2).replace(/\n/g, '\n             ')}`);
  if (jwt)
    lines.push(`JWT claims:  ${JSON.stringify(jwt.payload, null, 2).replace(/\n/g, '\n             ')}`);
  if (idt)
    lines.push(`ID token:    ${JSON.stringify(idt.payload, null, 2).replace(/\n/g, '\n             ')}`);
  ctx.io.out(`${lines.join('\n')}\n`);
}

/** `token refresh`: renew now, whatever the remaining lifetime. */
export async function refresh(ctx: Context, arg: string | undefined, _o: Opts): Promise<void> {
  const name = ctx.store.resolveName(arg, ctx.env);
  const p = await renewAndSave(ctx, name, 0, true);
  ctx.io.err(`Renewed profile '${name}' (expires: ${describeExpiry(p, ctx.now())}).\n`);
}

/** `token delete`: remove a profile (optionally revoking first where the provider supports it). */
export async function deleteCmd(ctx: Context, name: string, o: Opts): Promise<void> {
  const snap = ctx.store.read();
  const p = snap.profiles.get(name);
  if (!p && !snap.broken.some((b) => b.name === name)) {
    throw new NoTokenError(
      `no profile named '${name}'`,
      `Known profiles: ${[...snap.profiles.keys()].join(', ') || 'none'}.`,
    );
  }
  if (o.revoke && p) {
    const def = provider(p.provider);
    const outcome = def.revoke ? await def.revoke(ctx, name, p) : 'unsupported';
    ctx.io.err(`${revokeLine(def.label, name, outcome)}\n`);
  }
  await ctx.store.delete(name, ctx.signal);
  ctx.io.err(`Deleted profile '${name}'.\n`);
}

/** One line saying how a revocation ended. */
function revokeLine(label: string, name: string, outcome: RevokeOutcome): string {
  switch (outcome) {
    case 'revoked':
      return `Revoked the token at ${label} (profile '${name}').`;
    case 'already-invalid':
      return `note: ${label} no longer knew the token of '${name}' (expired, revoked already, or the server restarted).`;
    case 'nothing':
      return `note: profile '${name}' has nothing ${label} can revoke (no refresh token).`;
    case 'unsupported':
      return `note: ${label} has no token revocation that authctl can call; deleting '${name}' locally only.`;
  }
}
