/**
 * `authctl setup-git --host <host> --profile <name>`: make git ask authctl for the credentials of
 * one host, as `gh auth setup-git` does: in git's global config, an empty
 * `credential.<url>.helper` (dropping helpers inherited from other config files for that URL)
 * followed by `!<authctl> git-credential --profile <name>`. The URL is https://<host>, or
 * http://<host> for a loopback host (git matches the scheme, and local servers speak http).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { Context } from '../context.js';
import { FailureError, UsageError } from '../errors.js';
import { isLoopbackHost } from '../http/url.js';
import { quotePosix } from '../lib/shell.js';

type Opts = Record<string, unknown>;

/** The credential URL for `host` (host or host:port, no scheme or path). */
export function credentialUrl(host: string): string {
  let u: URL;
  try {
    if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(host) && !/^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host)) throw 0;
    u = new URL(`https://${host}`);
  } catch {
    throw new UsageError(
      `--host: '${host}' is not a host name`,
      'Give the host (and port) only, e.g. --host git.example.com or --host 127.0.0.1:8080.',
    );
  }
  const bare = u.hostname.replace(/^\[|\]$/g, '');
  return `${isLoopbackHost(bare) ? 'http' : 'https'}://${host.toLowerCase()}`;
}

/** The helper command git runs (`!` = through the shell, with the action appended). */
export function helperCommand(profile: string, argv1 = process.argv[1]): string {
  // The running authctl by absolute path, as gh does, so git finds the same install.
  const self = argv1 ? path.resolve(argv1) : 'authctl';
  return `!${quotePosix(self)} git-credential --profile ${quotePosix(profile)}`;
}

function git(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { env }, (err, _out, stderr) => {
      if (!err) return resolve();
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      reject(
        new FailureError(
          missing
            ? 'git is not installed (or not on PATH)'
            : `git config failed: ${stderr.trim() || err.message}`,
          undefined,
          missing ? 'git.missing' : 'git.config_failed',
        ),
      );
    });
  });
}

export async function setupGit(ctx: Context, o: Opts): Promise<void> {
  const host = String(o.host);
  const profile = String(o.profile);
  const url = credentialUrl(host);
  // The profile must exist now, or the first `git fetch` would fail far from here.
  ctx.store.get(profile);
  const key = `credential.${url}.helper`;
  const helper = helperCommand(profile);
  const manual = `git config --global ${key} '' && git config --global --add ${key} ${quotePosix(helper)}`;
  try {
    await git(['config', '--global', '--replace-all', key, ''], ctx.env);
    await git(['config', '--global', '--add', key, helper], ctx.env);
  } catch (e) {
    if (e instanceof FailureError) e.hint = `To set it up by hand, run: ${manual}`;
    throw e;
  }
  ctx.io.err(`Configured git to use profile '${profile}' for ${url} (${key} in git's global config).\n`);
}
