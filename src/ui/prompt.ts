/** Prompts (@inquirer/prompts, loaded lazily). Without a TTY they fail at once with exit 2. */
import { UsageError } from '../errors.js';
import { claimTerminal } from './activity.js';
import type { IO } from './io.js';

/** What commands use to ask the user. */
export interface Prompter {
  /** Hidden input, e.g. a client secret. `supplyHint` names the flag/env var that supplies it non-interactively. */
  password(message: string, supplyHint: string): Promise<string>;
  /** Visible input; `cancel` aborts the prompt (e.g. when the answer arrived another way). */
  input(message: string, supplyHint: string, cancel?: AbortSignal): Promise<string>;
  /** Yes/no; `supplyHint` names the flag that answers it (e.g. --yes). */
  confirm(message: string, supplyHint: string): Promise<boolean>;
}

function noTTY(what: string, supplyHint: string): never {
  throw new UsageError(`${what}: no terminal to ask on`, `Supply it with ${supplyHint}.`);
}

/** Run a prompt while it owns the terminal's status line (no slow-request notice over it). */
async function owning<T>(ask: () => Promise<T>): Promise<T> {
  const release = claimTerminal();
  try {
    return await ask();
  } finally {
    release();
  }
}

/** The real prompter: inquirer on stderr when interactive. */
export function createPrompter(io: IO, signal?: AbortSignal): Prompter {
  const ctxOpts = (cancel?: AbortSignal) => ({
    output: process.stderr,
    signal: cancel && signal ? AbortSignal.any([signal, cancel]) : (cancel ?? signal),
  });
  return {
    async password(message, supplyHint) {
      if (!io.interactive) noTTY(message, supplyHint);
      const { password } = await import('@inquirer/prompts');
      return owning(() => password({ message, mask: true }, ctxOpts()));
    },
    async input(message, supplyHint, cancel) {
      if (!io.interactive) noTTY(message, supplyHint);
      const { input } = await import('@inquirer/prompts');
      return owning(() => input({ message }, ctxOpts(cancel)));
    },
    async confirm(message, supplyHint) {
      if (!io.interactive) noTTY(message, supplyHint);
      const { confirm } = await import('@inquirer/prompts');
      return owning(() => confirm({ message, default: false }, ctxOpts()));
    },
  };
}
