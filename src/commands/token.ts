/** `authctl token …`: list, print, header, export, inspect, refresh, delete (tokens on stdout only); import is in import.ts. */
import type { Context } from '../context.js';
import { NoTokenError } from '../errors.js';
import { isoUtc, maskToken } from '../lib/format.js';
import { decodeJwt } from '../lib/jwt.js';
import { defaultShell, renderExports, type ShellKind } from '../lib/shell.js';
import { authorizationValue, exportVars } from '../providers/index.js';
import { type Profile, savedParams } from '../store/profile.js';
import { describeExpiry, renewalState, summarize } from './output.js';
import { renewAndSave, usableProfile } from './renew.js';

type Opts = Record<string, unknown>;

const minTtl = (o: Opts) => (typeof o.minTtl === 'number' ? o.minTtl : 30_000);

/** Resolve the optional profile argument and return a usable (renewed if needed) profile. */
async function usable(ctx: Context, arg: string | undefined, o: Opts): Promise<{ name: string; p: Profile }> {
  const name = ctx.store.resolveName(arg, ctx.env);
  return { name, p: await usableProfile(ctx, name, minTtl(o)) };
}

/**
 * `token print`: exactly the access token (or with --id-token, the ID token) and a newline, or
 * with --format exec-credential a kubectl ExecCredential carrying it.
 */
export async function print(ctx: Context, arg: string | undefined, o: Opts): Promise<void> {
  const { name, p } = await usable(ctx, arg, o);
  let token = p.token;
  let expiresAt = p.expiresAt;
  if (o.idToken === true) {
    if (!p.idToken) {
      throw new NoTokenError(
        `profile '${name}' has no ID token`,
        "Log in with the 'openid' scope (authctl oauth login … --scope openid) to get one.",
        'token.no_id_token',
      );
    }
    token = p.idToken;
    // An ID token has its own lifetime: kubectl must ask again when it ends, not when the access token does.
    const exp = decodeJwt(p.idToken)?.payload.exp;
    if (typeof exp === 'number' && Number.isFinite(exp)) expiresAt = isoUtc(exp * 1000);
  }
  if (o.format === 'exec-credential') {
    ctx.io.out(`${JSON.stringify(execCredential({ token, expiresAt }), null, 2)}\n`);
    return;
  }
  ctx.io.out(`${token}\n`);
}

/**
 * kubectl's credential plugin answer (client.authentication.k8s.io/v1 ExecCredential): the token
 * and, when known, its expiry, after which kubectl runs the plugin again.
 */
export function execCredential(p: Pick<Profile, 'token' | 'expiresAt'>): Record<string, unknown> {
  return {
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    status: { token: p.token, ...(p.expiresAt ? { expirationTimestamp: p.expiresAt } : {}) },
  };
}

/** `token header`: `Authorization: Bearer <token>` (Pryv: the raw token); `--curl`: a curl config line. */
export async function header(ctx: Context, arg: string | undefined, o: Opts): Promise<void> {
  const { p } = await usable(ctx, arg, o);
  const line = `Authorization: ${authorizationValue(p)}`;
  ctx.io.out(o.curl ? `header = ${curlQuote(line)}\n` : `${line}\n`);
}

/**
 * A curl config-file value in double quotes: inside them curl reads `\\` and `\"` as the
 * characters themselves (and \t \n \r \v as escapes), so those two are escaped.
 */
export function curlQuote(v: string): string {
  return `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
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
  const { renderTable } = await import('../ui/table.js');
  // shrink: which columns give up room first when the terminal is narrow (--json keeps everything).
  const columns = [
    { header: 'PROFILE', shrink: 0 },
    { header: 'PROVIDER', shrink: 1 },
    { header: 'FLOW', shrink: 5 },
    { header: 'SUBJECT', shrink: 6 },
    { header: 'TOKEN', shrink: 4 },
    { header: 'EXPIRES', shrink: 2 },
    { header: 'RENEWABLE', shrink: 3 },
  ];
  const cells = [...snap.profiles].map(([name, p]) => [
    name,
    p.provider,
    p.flow,
    p.subject ?? '-',
    maskToken(p.token),
    describeExpiry(p, now),
    renewalState(p, ctx.env),
  ]);
  // The terminal's width when stdout is one; a pipe or a file gets the whole table.
  const width = process.stdout.isTTY ? process.stdout.columns || undefined : undefined;
  ctx.io.out(renderTable(columns, cells, width));
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
  const params = savedParams(p);
  if (Object.keys(params).length) lines.push('Parameters:');
  for (const [k, v] of Object.entries(params))
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
export async function deleteCmd(ctx: Context, name: string | undefined, o: Opts): Promise<void> {
  await (await import('./logout.js')).deleteProfile(ctx, name, o);
}
