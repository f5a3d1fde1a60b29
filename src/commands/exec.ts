/** `authctl exec -- cmd args…`: run a command with the token variables in its environment only. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { constants } from 'node:os';
import type { Context } from '../context.js';
import { FailureError, SilentExit, UsageError } from '../errors.js';
import { childEnv } from '../lib/secrets.js';
import { exportVars } from '../providers/index.js';
import { usableProfile } from './renew.js';

/** True when this process has a controlling terminal (so terminal signals reach its whole process group). */
function hasControllingTerminal(): boolean {
  if (process.platform === 'win32') return false;
  try {
    fs.closeSync(fs.openSync('/dev/tty', 'r'));
    return true;
  } catch {
    return false;
  }
}

/**
 * Signals passed on to the child. SIGINT and SIGQUIT come from the keyboard: with a controlling
 * terminal the kernel already sends them to the whole foreground process group, child included,
 * so forwarding them too would deliver them twice (many programs treat a second SIGINT as "force
 * quit"). They are forwarded only without a terminal (a runner signalling authctl alone).
 */
const ALWAYS_FORWARDED: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];
const KEYBOARD_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGQUIT'];

/** Run `argv` with the profile's variables; exits with the child's code (128+n when killed by signal n). */
export async function exec(ctx: Context, argv: string[], o: Record<string, unknown>): Promise<void> {
  if (!argv.length)
    throw new UsageError('no command given', 'Usage: authctl exec [--profile <name>] -- <command> [args...]');
  const name = ctx.store.resolveName(o.profile as string | undefined, ctx.env);
  const p = await usableProfile(ctx, name, typeof o.minTtl === 'number' ? o.minTtl : 30_000);
  // authctl's own secret inputs (AUTHCTL_CLIENT_SECRET…) never reach the child; the token variables do.
  const env = { ...childEnv(process.env), ...Object.fromEntries(exportVars(p, 'AUTHCTL_')) };
  const [cmd, ...args] = argv as [string, ...string[]];
  const code = await new Promise<number>((resolve, reject) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(cmd, args, { stdio: 'inherit', env, shell: false });
    } catch (e) {
      reject(spawnError(cmd, e as NodeJS.ErrnoException));
      return;
    }
    const forwarded = [...ALWAYS_FORWARDED, ...(hasControllingTerminal() ? [] : KEYBOARD_SIGNALS)];
    // While the child runs, authctl only relays signals and waits for it: the main handlers (which
    // end authctl on a second SIGINT/SIGTERM) are set aside, so authctl never exits before its child
    // and never leaves it running with the token. Keyboard signals on a terminal are ignored here
    // (the child got them from the terminal and decides).
    const saved = new Map<NodeJS.Signals, NodeJS.SignalsListener[]>();
    const handlers = new Map<NodeJS.Signals, () => void>();
    for (const sig of [...ALWAYS_FORWARDED, ...KEYBOARD_SIGNALS]) {
      saved.set(sig, process.listeners(sig) as NodeJS.SignalsListener[]);
      process.removeAllListeners(sig);
      const h = forwarded.includes(sig)
        ? () => {
            try {
              child.kill(sig);
            } catch {
              /* already gone */
            }
          }
        : () => {};
      handlers.set(sig, h);
      process.on(sig, h);
    }
    const restore = () => {
      for (const [sig, h] of handlers) process.off(sig, h);
      for (const [sig, ls] of saved) for (const l of ls) process.on(sig, l);
    };
    child.once('error', (e: NodeJS.ErrnoException) => {
      restore();
      reject(spawnError(cmd, e));
    });
    child.once('exit', (c, sig) => {
      restore();
      resolve(c ?? 128 + (sig ? (constants.signals[sig] ?? 0) : 0));
    });
  });
  if (code !== 0) throw new SilentExit(code);
}

/** A failure to start the command, as the user should read it. */
function spawnError(cmd: string, e: NodeJS.ErrnoException): FailureError {
  if (e.code === 'ENOENT')
    return Object.assign(new FailureError(`command not found: ${cmd}`), { exitCode: 127 });
  if (e.code === 'E2BIG') {
    return new FailureError(
      `cannot run ${cmd}: its arguments and environment, with the token variables, are larger than the system allows (E2BIG)`,
      'Pass fewer or shorter arguments or environment variables; a token this large cannot be handed over in the environment (use authctl token print to write it to a file).',
      'exec.too_big',
    );
  }
  return new FailureError(`cannot run ${cmd}: ${e.message}`, undefined, 'exec.spawn');
}
