/**
 * `authctl sandbox` as a library: start the chosen emulators on loopback, describe them (base
 * URLs and generated credentials) and stop them. Used by the sandbox and demo commands.
 */
import { randomBytes } from 'node:crypto';
import { FailureError, UsageError } from '../errors.js';
import {
  ACTIGRAPH_SCOPES,
  type ActiGraphClient,
  type ActiGraphSandbox,
  startActiGraph,
} from './actigraph.js';
import { type LivePersonSandbox, type LivePersonUser, startLivePerson } from './liveperson.js';
import { type PryvSandbox, startPryv } from './pryv.js';
import { type SafeSandbox, startSafe } from './safe.js';
import type { ApprovePolicy } from './shared.js';

/** The emulated providers, in port order (`--port B`: pryv B, safe B+1, liveperson B+2, actigraph B+3). */
export const PROVIDERS = ['pryv', 'safe', 'liveperson', 'actigraph'] as const;

/** One of PROVIDERS. */
export type ProviderName = (typeof PROVIDERS)[number];

/** What `--clients <file>` may set (every part optional). */
export interface SandboxClients {
  pryv?: { username?: string };
  liveperson?: {
    account?: string;
    clientId?: string;
    clientSecret?: string;
    redirectUris?: string[];
    users?: LivePersonUser[];
  };
  actigraph?: { clients?: ActiGraphClient[] };
}

/** How to start the sandbox. */
export interface SandboxConfig {
  providers: readonly ProviderName[];
  /** Base port; undefined = free ports. */
  basePort?: number | undefined;
  approve: ApprovePolicy;
  clients?: SandboxClients;
  /** One line per request, prefixed by the provider. */
  log?: (provider: ProviderName, line: string) => void;
  /** Something a person should know (a request waiting for approval). */
  notice?: (provider: ProviderName, line: string) => void;
}

/** The JSON document `authctl sandbox --json` prints. */
export interface SandboxDescription {
  approve: ApprovePolicy;
  pryv?: { url: string; serviceInfo: string; username: string; consentPage: string };
  safe?: { url: string; launcherUrl: string; approvalPage: string };
  liveperson?: {
    url: string;
    domainApi: string;
    sentinel: string;
    account: string;
    clientId: string;
    clientSecret: string;
    redirectUris: string[];
    users: LivePersonUser[];
  };
  actigraph?: { url: string; tokenUrl: string; clients: ActiGraphClient[] };
}

/** A running sandbox. */
export interface RunningSandbox {
  pryv?: PryvSandbox;
  safe?: SafeSandbox;
  liveperson?: LivePersonSandbox;
  actigraph?: ActiGraphSandbox;
  describe(): SandboxDescription;
  close(): Promise<void>;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parse `--provider pryv,safe` (repeatable); default every provider. */
export function parseProviders(values: readonly string[] | undefined): ProviderName[] {
  if (!values || values.length === 0) return [...PROVIDERS];
  const out: ProviderName[] = [];
  for (const v of values.flatMap((x) => x.split(','))) {
    const name = v.trim().toLowerCase();
    if (name === '') continue;
    if (!(PROVIDERS as readonly string[]).includes(name)) {
      throw new UsageError(
        `unknown provider '${v.trim()}' for --provider`,
        `Pick from ${PROVIDERS.join(', ')}.`,
        'usage.provider',
      );
    }
    if (!out.includes(name as ProviderName)) out.push(name as ProviderName);
  }
  if (out.length === 0)
    throw new UsageError(
      '--provider names no provider',
      `Pick from ${PROVIDERS.join(', ')}.`,
      'usage.provider',
    );
  return out;
}

/** Parse `--port <base>`: the base of four consecutive ports. */
export function parseBasePort(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = /^\d+$/.test(v.trim()) ? Number(v.trim()) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > 65535 - (PROVIDERS.length - 1)) {
    throw new UsageError(
      `--port must be a port number from 1 to ${65535 - (PROVIDERS.length - 1)}, got '${v}'`,
      'Use e.g. --port 9400 (then pryv 9400, safe 9401, liveperson 9402, actigraph 9403), or leave it out for free ports.',
      'usage.port',
    );
  }
  return n;
}

const strings = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string' && x !== '');

/** Whether `v` is an object whose `keys` all hold non-empty strings. */
const hasStrings = <K extends string>(
  v: unknown,
  ...keys: K[]
): v is Record<string, unknown> & Record<K, string> =>
  isRecord(v) && keys.every((k) => typeof v[k] === 'string' && v[k] !== '');

/** Validate the `--clients` JSON document (`where` names the file in errors). */
export function parseClients(raw: string, where: string): SandboxClients {
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch (e) {
    throw new UsageError(
      `${where} is not valid JSON: ${(e as Error).message}`,
      'Fix the file (see docs/sandbox.md for its format).',
      'usage.clients',
    );
  }
  const bad = (what: string) =>
    new UsageError(
      `${where}: ${what}`,
      'Fix the file (see docs/sandbox.md for its format).',
      'usage.clients',
    );
  if (!isRecord(doc)) throw bad('the top level must be an object');
  for (const k of Object.keys(doc))
    if (!['pryv', 'liveperson', 'actigraph'].includes(k)) throw bad(`unknown key '${k}'`);
  const out: SandboxClients = {};
  if (doc.pryv !== undefined) {
    if (!isRecord(doc.pryv)) throw bad("'pryv' must be an object");
    const u = doc.pryv.username;
    if (u !== undefined && (typeof u !== 'string' || !/^[a-z0-9][a-z0-9-]{3,58}[a-z0-9]$/.test(u))) {
      throw bad("'pryv.username' must be 5 to 60 lower-case letters, digits or dashes");
    }
    out.pryv = u === undefined ? {} : { username: u };
  }
  if (doc.liveperson !== undefined) {
    const lp = doc.liveperson;
    if (!isRecord(lp)) throw bad("'liveperson' must be an object");
    const o: NonNullable<SandboxClients['liveperson']> = {};
    for (const k of ['account', 'clientId', 'clientSecret'] as const) {
      const v = lp[k];
      if (v === undefined) continue;
      if (typeof v !== 'string' || v === '') throw bad(`'liveperson.${k}' must be a non-empty string`);
      o[k] = v;
    }
    if (o.account !== undefined && !/^[A-Za-z0-9_-]+$/.test(o.account))
      throw bad("'liveperson.account' may hold only letters, digits, '-' and '_'");
    if (lp.redirectUris !== undefined) {
      if (!strings(lp.redirectUris) || lp.redirectUris.length === 0)
        throw bad("'liveperson.redirectUris' must be a non-empty array of URLs");
      for (const u of lp.redirectUris) {
        try {
          new URL(u);
        } catch {
          throw bad(`'liveperson.redirectUris' holds an invalid URL: ${u}`);
        }
      }
      o.redirectUris = lp.redirectUris;
    }
    if (lp.users !== undefined) {
      if (!Array.isArray(lp.users) || lp.users.length === 0)
        throw bad("'liveperson.users' must be a non-empty array");
      o.users = lp.users.map((u, i) => {
        if (!hasStrings(u, 'login', 'password'))
          throw bad(`'liveperson.users[${i}]' needs a non-empty 'login' and 'password'`);
        return { login: u.login, password: u.password, ...(typeof u.id === 'string' ? { id: u.id } : {}) };
      });
    }
    out.liveperson = o;
  }
  if (doc.actigraph !== undefined) {
    const ag = doc.actigraph;
    if (!isRecord(ag)) throw bad("'actigraph' must be an object");
    if (ag.clients !== undefined) {
      if (!Array.isArray(ag.clients) || ag.clients.length === 0)
        throw bad("'actigraph.clients' must be a non-empty array");
      out.actigraph = {
        clients: ag.clients.map((c, i) => {
          if (!hasStrings(c, 'id', 'secret'))
            throw bad(`'actigraph.clients[${i}]' needs a non-empty 'id' and 'secret'`);
          if (c.scopes !== undefined && !strings(c.scopes))
            throw bad(`'actigraph.clients[${i}].scopes' must be an array of scope names`);
          return {
            id: c.id,
            secret: c.secret,
            scopes: (c.scopes as string[] | undefined) ?? [...ACTIGRAPH_SCOPES],
          };
        }),
      };
    } else out.actigraph = {};
  }
  return out;
}

/** Start the sandbox; on any failure the servers already started are stopped. */
export async function startSandbox(config: SandboxConfig): Promise<RunningSandbox> {
  const running: RunningSandbox = {
    describe: () => describe(running, config),
    close: async () => {
      await Promise.all([
        running.pryv?.close(),
        running.safe?.close(),
        running.liveperson?.close(),
        running.actigraph?.close(),
      ]);
    },
  };
  const portOf = (p: ProviderName) =>
    config.basePort === undefined ? 0 : config.basePort + PROVIDERS.indexOf(p);
  const logFor = (p: ProviderName) => (config.log ? { log: (line: string) => config.log!(p, line) } : {});
  const c = config.clients ?? {};
  try {
    for (const p of config.providers) {
      const port = portOf(p);
      try {
        if (p === 'pryv') {
          running.pryv = await startPryv({
            port,
            ...logFor(p),
            approve: config.approve,
            ...(c.pryv?.username ? { username: c.pryv.username } : {}),
            onPending: ({ appId }) =>
              config.notice?.(
                p,
                `'${appId}' asks for access: click Accept or Refuse on the consent page authctl opened.`,
              ),
          });
        } else if (p === 'safe') {
          running.safe = await startSafe({
            port,
            ...logFor(p),
            approve: config.approve,
            onPending: ({ app, pageUrl }) =>
              config.notice?.(p, `'${String(app.name)}' asks to be authorised: Allow or Deny at ${pageUrl}`),
          });
        } else if (p === 'liveperson') {
          const lp = c.liveperson ?? {};
          running.liveperson = await startLivePerson({
            port,
            ...logFor(p),
            approve: config.approve,
            account: lp.account ?? '12345678',
            clientId: lp.clientId ?? `sandbox-app-${randomBytes(3).toString('hex')}`,
            clientSecret: lp.clientSecret ?? randomBytes(24).toString('base64url'),
            redirectUris: lp.redirectUris ?? [
              'http://localhost:8976/callback',
              'http://127.0.0.1:8976/callback',
            ],
            ...(lp.users ? { users: lp.users } : {}),
          });
        } else {
          running.actigraph = await startActiGraph({
            port,
            ...logFor(p),
            ...(c.actigraph?.clients ? { clients: c.actigraph.clients } : {}),
          });
        }
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE' || code === 'EACCES') {
          throw new FailureError(
            `cannot listen on 127.0.0.1:${port} for ${p} (${code === 'EADDRINUSE' ? 'the port is in use' : 'permission denied'})`,
            'Pick another --port, or leave it out to use free ports.',
            'sandbox.port',
          );
        }
        throw e;
      }
    }
  } catch (e) {
    await running.close();
    throw e;
  }
  return running;
}

function describe(r: RunningSandbox, config: SandboxConfig): SandboxDescription {
  const d: SandboxDescription = { approve: config.approve };
  if (r.pryv) {
    d.pryv = {
      url: r.pryv.base,
      serviceInfo: r.pryv.serviceInfoUrl,
      username: r.pryv.username,
      consentPage: `${r.pryv.base}/auth/access.html`,
    };
  }
  if (r.safe) d.safe = { url: r.safe.url, launcherUrl: r.safe.url, approvalPage: r.safe.pageUrl };
  if (r.liveperson) {
    const lp = r.liveperson;
    d.liveperson = {
      url: lp.url,
      domainApi: lp.domainApi,
      sentinel: lp.host,
      account: lp.account,
      clientId: lp.clientId,
      clientSecret: lp.clientSecret,
      redirectUris: [...lp.redirectUris],
      users: lp.users.map((u) => ({ ...u })),
    };
  }
  if (r.actigraph)
    d.actigraph = {
      url: r.actigraph.url,
      tokenUrl: r.actigraph.tokenUrl,
      clients: r.actigraph.clients.map((c) => ({ ...c, scopes: [...c.scopes] })),
    };
  return d;
}

/** Quote a value for a POSIX shell when it needs it. */
function sh(v: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}

/** The human start-up text: what runs where and the exact authctl commands to try. */
export function describeForHumans(d: SandboxDescription): string {
  const lines: string[] = [];
  if (d.pryv) {
    lines.push(
      `Pryv.io (open-pryv.io v2, DNS-less)  ${d.pryv.url}`,
      `  service info ${d.pryv.serviceInfo}; signs in as '${d.pryv.username}'`,
      `  $ authctl pryv request --app-id sandbox-app --permission diary:read --service-info ${d.pryv.serviceInfo} --profile sandbox-pryv`,
      '',
    );
  }
  if (d.safe) {
    lines.push(
      `SAFE Launcher                        ${d.safe.url}`,
      `  approve waiting apps at ${d.safe.approvalPage}`,
      `  $ authctl safe authorize --app-name Demo --app-id net.example.demo --app-version 1.0 --app-vendor Example --permission SAFE_DRIVE_ACCESS --launcher-url ${d.safe.launcherUrl} --profile sandbox-safe`,
      '  $ authctl safe status sandbox-safe',
      '',
    );
  }
  if (d.liveperson) {
    const lp = d.liveperson;
    const user = lp.users[0];
    lines.push(
      `LivePerson Sentinel + domain API     ${lp.url}`,
      `  account ${lp.account}, client id ${lp.clientId}, redirect ${lp.redirectUris.join(' or ')}`,
      ...(user ? [`  login page user '${user.login}', password '${user.password}'`] : []),
      `  $ AUTHCTL_CLIENT_SECRET=${sh(lp.clientSecret)} authctl liveperson login --account ${sh(lp.account)} --client-id ${sh(lp.clientId)} --domain-api ${lp.domainApi} --profile sandbox-lp`,
      '',
    );
  }
  if (d.actigraph) {
    const ag = d.actigraph;
    lines.push(`ActiGraph-style IdentityServer       ${ag.url}`);
    for (const c of ag.clients) lines.push(`  client ${c.id}: scopes ${c.scopes.join(' ') || '(none)'}`);
    const c = ag.clients[0];
    if (c) {
      lines.push(
        `  $ AUTHCTL_CLIENT_SECRET=${sh(c.secret)} authctl actigraph token --client-id ${sh(c.id)} --scope ${sh(c.scopes[0] ?? 'CentrePoint')} --token-url ${ag.tokenUrl} --profile sandbox-ag`,
      );
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
