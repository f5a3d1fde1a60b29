/**
 * Opening the consent URL: BROWSER run directly with the URL as last argument (no shell, not
 * awaited), else the `open` package. The caller prints the URL to stderr first (for SSH users).
 */
import { existsSync } from 'node:fs';
import { childEnv, isSecretEnvVar } from '../lib/secrets.js';

/** Opens URLs; resolves to false when no browser could be started (so callers can fall back). */
export interface Browser {
  open(url: string): Promise<boolean>;
}

/** Whether `browser` opened `url`; an opener that throws counts as not opened. */
export async function tryOpen(browser: Browser, url: string): Promise<boolean> {
  try {
    return await browser.open(url);
  } catch {
    return false;
  }
}

/** Split a BROWSER value into a command and its arguments: a path that exists is taken whole. */
export function browserCommand(value: string): [string, string[]] {
  const v = value.trim();
  if (existsSync(v)) return [v, []];
  const parts = v.split(/\s+/).filter(Boolean);
  return [parts[0] ?? v, parts.slice(1)];
}

/** True when no graphical browser can be expected (Linux without a display, e.g. over SSH). */
export function headless(env: NodeJS.ProcessEnv): boolean {
  if (process.platform !== 'linux') return false;
  if (env.DISPLAY || env.WAYLAND_DISPLAY || env.MIR_SOCKET) return false;
  // WSL opens the Windows browser without a Linux display.
  return !(env.WSL_DISTRO_NAME || env.WSL_INTEROP);
}

/** The real browser launcher. */
export function createBrowser(env: NodeJS.ProcessEnv, debug: (s: string) => void): Browser {
  return {
    async open(raw) {
      // Hand the browser the parsed, normalised URL (percent-encoded; no control characters),
      // never a server's text as sent.
      let url: string;
      try {
        url = new URL(raw).href;
      } catch {
        debug('not opening a browser: the URL does not parse');
        return false;
      }
      const configured = env.BROWSER?.trim();
      if (configured) {
        const [cmd, args] = browserCommand(configured);
        return new Promise<boolean>((resolve) => {
          try {
            const { spawn } = process.getBuiltinModule('node:child_process');
            // The browser needs no credentials of authctl's (AUTHCTL_CLIENT_SECRET…).
            const child = spawn(cmd, [...args, url], {
              stdio: 'ignore',
              detached: true,
              shell: false,
              env: childEnv(process.env),
            });
            child.once('error', (e) => {
              debug(`BROWSER command failed to start: ${e.message}`);
              resolve(false);
            });
            child.once('spawn', () => {
              child.unref();
              resolve(true);
            });
          } catch (e) {
            debug(`BROWSER command failed to start: ${(e as Error).message}`);
            resolve(false);
          }
        });
      }
      if (headless(env)) return false;
      try {
        const { default: open } = await import('open');
        // `open` spawns xdg-open & co. with process.env and takes no env option: set authctl's
        // secret inputs aside while it starts the opener, then put them back.
        const aside = Object.entries(process.env).filter(([k]) => isSecretEnvVar(k));
        for (const [k] of aside) delete process.env[k];
        let child: Awaited<ReturnType<typeof open>>;
        try {
          child = await open(url, { wait: false });
        } finally {
          for (const [k, v] of aside) process.env[k] = v;
        }
        child.once('error', () => {});
        child.unref();
        return true;
      } catch (e) {
        debug(`could not open a browser: ${(e as Error).message}`);
        return false;
      }
    },
  };
}
