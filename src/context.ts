/**
 * The context every command and flow receives: all side effects come from here, so tests can build
 * one with fakes. Everything heavy behind it (ora, inquirer, open) loads on first use.
 */
import { type ClientCertificate, createHttpClient, type HttpClient, sleep } from './http/client.js';
import { PROVIDERS } from './providers/index.js';
import { TokenStore } from './store/store.js';
import { watchRequest } from './ui/activity.js';
import { type Browser, createBrowser } from './ui/browser.js';
import type { IO } from './ui/io.js';
import { createPrompter, type Prompter } from './ui/prompt.js';
import type { Spinner } from './ui/spinner.js';
import type { Style } from './ui/style.js';

/** Global flags accepted by every command. */
export interface GlobalOptions {
  verbose?: boolean;
  insecure?: boolean;
  color?: boolean;
}

/** Side effects and settings handed to commands and flows. */
export interface Context {
  io: IO;
  env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM; every wait must honour it. */
  signal: AbortSignal;
  insecure: boolean;
  now(): number;
  random(bytes: number): Buffer;
  sleep(ms: number): Promise<void>;
  store: TokenStore;
  /**
   * The HTTP client; `caFile` adds a CA bundle, `clientCert` a TLS client certificate (PEM cert and
   * key, for mutual TLS); one client per distinct combination.
   */
  http(caFile?: string, clientCert?: ClientCertificate): HttpClient;
  browser: Browser;
  prompter: Prompter;
  spinner(): Promise<Spinner>;
  style(): Promise<Style>;
}

/**
 * Every request of every flow: one still outstanding after a second says whom it waits for
 * ("Contacting reg.pryv.me…", a spinner on a terminal, a line otherwise), unless a spinner or a
 * prompt owns the terminal (src/ui/activity.ts).
 */
export function withSlowNotice(client: HttpClient, io: IO): HttpClient {
  return {
    async request(req) {
      let host: string;
      try {
        host = new URL(req.url).host;
      } catch {
        return client.request(req);
      }
      const settled = watchRequest(io, host);
      try {
        return await client.request(req);
      } finally {
        settled();
      }
    },
  };
}

/** Build the production context. */
export function createContext(io: IO, global: GlobalOptions, signal: AbortSignal): Context {
  const env = process.env;
  const clients = new Map<string, HttpClient>();
  const insecure = Boolean(global.insecure);
  return {
    io,
    env,
    signal,
    insecure,
    now: () => Date.now(),
    random: (n) => process.getBuiltinModule('node:crypto').randomBytes(n),
    sleep: (ms) => sleep(ms, signal),
    store: new TokenStore(
      env,
      (m) => io.err(`warning: ${m}\n`),
      PROVIDERS.map((p) => p.name),
    ),
    http(caFile, clientCert) {
      const key = `${caFile ?? ''}\0${clientCert ? `${clientCert.cert}\0${clientCert.key}` : ''}`;
      let c = clients.get(key);
      if (!c) {
        c = withSlowNotice(
          createHttpClient({ insecure, caFile, clientCert, debug: (l) => io.debug(l), env }),
          io,
        );
        clients.set(key, c);
      }
      return c;
    },
    browser: createBrowser(env, (l) => io.debug(l)),
    prompter: createPrompter(io, signal),
    spinner: async () => (await import('./ui/spinner.js')).createSpinner(io),
    style: async () => (await import('./ui/style.js')).loadStyle(io.color),
  };
}
