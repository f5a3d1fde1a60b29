/**
 * A Context for in-process flow tests: captured IO, an isolated store, the real HTTP client (so
 * traffic is real HTTP to fakes on 127.0.0.1), a recording browser, scripted prompts, and a clock
 * that tests may shift.
 */

import { afterEach } from 'node:test';
import type { Context } from '../../src/context.js';
import { createHttpClient, sleep } from '../../src/http/client.js';
import { PROVIDERS } from '../../src/providers/index.js';
import { TokenStore } from '../../src/store/store.js';
import type { Browser } from '../../src/ui/browser.js';
import type { IO } from '../../src/ui/io.js';
import type { Prompter } from '../../src/ui/prompt.js';
import type { Spinner } from '../../src/ui/spinner.js';
import { plainStyle } from '../../src/ui/style.js';
import { tempConfigDir } from './cli.js';
import { recordOutput } from './leaks.js';

/** What a test context records. */
export interface TestContext extends Context {
  stdout: string[];
  stderr: string[];
  opened: string[];
  controller: AbortController;
  /** Shift the context's clock by `ms`. */
  advance(ms: number): void;
  cleanup(): void;
}

/** Options for testContext. */
export interface TestContextOptions {
  env?: Record<string, string>;
  interactive?: boolean;
  insecure?: boolean;
  /** Called when a flow opens a URL; return false to simulate a browser that cannot start. */
  onOpen?: (url: string) => boolean | Promise<boolean>;
  prompter?: Partial<Prompter>;
  configDir?: string;
  stdin?: string;
  /** Base backoff for HTTP retries (ms); small by default so tests stay fast. */
  backoffMs?: number;
}

/** Build a test context with its own temporary config directory. */
export function testContext(opts: TestContextOptions = {}): TestContext {
  const tmp = opts.configDir ? { dir: opts.configDir, cleanup: () => {} } : tempConfigDir();
  const env: NodeJS.ProcessEnv = { AUTHCTL_CONFIG_DIR: tmp.dir, ...opts.env };
  const stdout: string[] = [];
  const stderr: string[] = [];
  const opened: string[] = [];
  const controller = new AbortController();
  let offset = 0;
  const io: IO = {
    out: (t) => {
      stdout.push(t);
    },
    err: (t) => {
      stderr.push(t);
    },
    interactive: opts.interactive ?? false,
    color: false,
    verbose: true,
    debug: (t) => {
      stderr.push(`[verbose] ${t}\n`);
    },
    readStdin: async () => opts.stdin ?? '',
  };
  const browser: Browser = {
    open: async (url) => {
      opened.push(url);
      return opts.onOpen ? opts.onOpen(url) : true;
    },
  };
  const noTTY = async (): Promise<never> => {
    throw new Error('test prompter: no answer scripted');
  };
  const prompter: Prompter = {
    password: opts.prompter?.password ?? noTTY,
    input: opts.prompter?.input ?? noTTY,
    confirm: opts.prompter?.confirm ?? noTTY,
  };
  const spinner: Spinner = {
    start: (t) => stderr.push(`${t}\n`),
    update: () => {},
    succeed: (t) => stderr.push(`${t}\n`),
    fail: (t) => stderr.push(`${t}\n`),
    stop: () => {},
  };
  const http = createHttpClient({
    insecure: Boolean(opts.insecure),
    debug: (l) => stderr.push(`[verbose] ${l}\n`),
    env,
    backoffMs: opts.backoffMs ?? 20,
    maxRetryAfterMs: 5000,
  });
  const ctx: TestContext = {
    io,
    env,
    signal: controller.signal,
    insecure: Boolean(opts.insecure),
    now: () => Date.now() + offset,
    random: (n) => process.getBuiltinModule('node:crypto').randomBytes(n),
    sleep: (ms) => sleep(ms, controller.signal),
    store: new TokenStore(
      env,
      (m) => stderr.push(`warning: ${m}\n`),
      PROVIDERS.map((p) => p.name),
    ),
    // A CA file or client certificate gets its own client, as in production.
    http: (caFile, clientCert) =>
      caFile === undefined && clientCert === undefined
        ? http
        : createHttpClient({
            insecure: Boolean(opts.insecure),
            caFile,
            clientCert,
            debug: (l) => stderr.push(`[verbose] ${l}\n`),
            env,
            backoffMs: opts.backoffMs ?? 20,
            maxRetryAfterMs: 5000,
          }),
    browser,
    prompter,
    spinner: async () => spinner,
    style: async () => plainStyle,
    stdout,
    stderr,
    opened,
    controller,
    advance: (ms) => {
      offset += ms;
    },
    cleanup: () => {
      // Leak check (test/helpers/leaks.ts): everything this context's flows wrote.
      recordOutput('context', stdout.join(''), stderr.join(''));
      tmp.cleanup();
    },
  };
  return ctx;
}

/** Register a hook that cleans up, after each test, every context the returned function made. */
export function contextPerTest(): (opts?: TestContextOptions) => TestContext {
  const made: TestContext[] = [];
  afterEach(() => {
    for (const c of made.splice(0)) c.cleanup();
  });
  return (opts) => {
    const ctx = testContext(opts);
    made.push(ctx);
    return ctx;
  };
}
