/** `authctl exec -- cmd args…`: run a command with the token variables in its environment only. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { constants } from 'node:os';
import type { Context } from '../context.js';
import { FailureError, SilentExit, UsageError } from '../errors.js';
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

/** Run `argv` with the profile's variables; exits with the child's code (128+n when killed by signal n). */
export async function exec(ctx: Context, argv: string[], o: Record<string, unknown>): Promise<void> {
  if (!argv.length)
    throw new UsageError('no command given', 'Usage: authctl exec [--profile <name>] -- <command> [args...]');
  const name = ctx.store.resolveName(o.profile as string | undefined, ctx.env);
  const p = await usableProfile(ctx, name, typeof o.minTtl === 'number' ? o.minTtl : 30_000);
  const env = { ...process.env, ...Object.fromEntries(exportVars(p, 'AUTHCTL_')) };
  const [cmd, ...args] = argv as [string, ...string[]];
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'inherit', env, shell: false });
    const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
    // Ctrl-C on a terminal already signals the whole foreground process group, child included:
    // forwarding it too made the child see two SIGINTs (many programs treat a second one as "force
    // quit"). Forward SIGINT only without a controlling terminal (a runner signalling authctl alone).
    const onInt = hasControllingTerminal() ? () => {} : forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    child.once('error', (e: NodeJS.ErrnoException) => {
      reject(
        e.code === 'ENOENT'
          ? Object.assign(new FailureError(`command not found: ${cmd}`), { exitCode: 127 })
          : new FailureError(`cannot run ${cmd}: ${e.message}`),
      );
    });
    child.once('exit', (c, sig) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(c ?? 128 + (sig ? (constants.signals[sig] ?? 0) : 0));
    });
  });
  if (code !== 0) throw new SilentExit(code);
}
