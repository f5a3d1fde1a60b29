/**
 * `authctl sandbox`: start the emulators, say what runs where (or print one JSON line with
 * --json), log one line per request on stderr, and run until Ctrl-C (exit 130) or SIGTERM (143).
 */
import fs from 'node:fs';
import type { Context } from '../context.js';
import { asInterrupted, UsageError } from '../errors.js';
import {
  describeForHumans,
  parseBasePort,
  parseClients,
  parseProviders,
  type SandboxClients,
  startSandbox,
} from './index.js';
import type { ApprovePolicy } from './shared.js';

/** Options of `authctl sandbox`, as commander hands them over. */
export interface SandboxOptions {
  provider?: string[];
  port?: string;
  approve?: string;
  clients?: string;
  json?: boolean;
}

function readClients(file: string): SandboxClients {
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(
      `cannot read --clients file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      'Check the path.',
      'usage.clients',
    );
  }
  return parseClients(raw, file);
}

/** Run the sandbox until interrupted. */
export async function sandbox(ctx: Context, opts: SandboxOptions): Promise<void> {
  // Every flag is checked before anything listens (exit 2).
  const providers = parseProviders(opts.provider);
  const basePort = parseBasePort(opts.port);
  const clients = opts.clients !== undefined ? readClients(opts.clients) : {};
  const chosen = opts.approve as ApprovePolicy | undefined;
  const approve: ApprovePolicy = chosen ?? (ctx.io.interactive ? 'manual' : 'auto');

  const running = await startSandbox({
    providers,
    basePort,
    approve,
    clients,
    log: (p, line) => ctx.io.err(`[${p}] ${line}\n`),
    notice: (p, line) => ctx.io.err(`[${p}] ${line}\n`),
  });
  try {
    const d = running.describe();
    const why =
      chosen !== undefined
        ? '(--approve)'
        : approve === 'manual'
          ? '(a terminal is attached; pass --approve auto to accept everything)'
          : '(no terminal; pass --approve manual to decide on the pages)';
    const policy =
      approve === 'manual'
        ? 'manual: requests wait for you on the consent pages'
        : approve === 'auto'
          ? 'auto: every consent request is accepted at once'
          : 'refuse: every consent request is refused at once';
    if (opts.json) {
      ctx.io.out(`${JSON.stringify(d)}\n`);
      ctx.io.err(`authctl sandbox: running (approval ${policy} ${why}); Ctrl-C stops it.\n`);
    } else {
      ctx.io.err(
        `authctl sandbox: local emulators on 127.0.0.1 (state in memory, gone when it stops; not a security boundary).\nApproval: ${policy} ${why}.\n\n${describeForHumans(d)}Requests are logged below, one line each. Ctrl-C stops the sandbox.\n`,
      );
    }
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) return resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    await running.close();
  }
  ctx.io.err('authctl sandbox: stopped; its state is gone.\n');
  throw asInterrupted(ctx.signal);
}
