/**
 * `authctl demo`: the whole Pryv.io flow against an in-process sandbox, without an account or a
 * network. It runs the very `pryv request` command, saves profile `demo`, and shows what to try next.
 */
import type { Context } from '../context.js';
import { headless } from '../ui/browser.js';
import { startPryv } from './pryv.js';

/** The demo's app id and permissions (stream:level:defaultName). */
export const DEMO_APP_ID = 'authctl-demo';
export const DEMO_PERMISSIONS = ['diary:read:Diary', 'notes:contribute:Notes'];
export const DEMO_PROFILE = 'demo';

/** Wait before the automatic approval, so the spinner is seen doing its job. */
const AUTO_APPROVE_DELAY_MS = 300;

/** Run the demo. */
export async function demo(ctx: Context): Promise<void> {
  const browser = Boolean(ctx.env.BROWSER?.trim()) || !headless(ctx.env);
  const auto = !ctx.io.interactive && !browser;
  const pryv = await startPryv({
    approve: auto ? 'auto' : 'manual',
    autoDelayMs: AUTO_APPROVE_DELAY_MS,
    username: 'demo-user',
  });
  try {
    ctx.io.err(
      `authctl demo: a local Pryv.io sandbox runs in this process at ${pryv.base} (it stops when the demo ends).\n`,
    );
    ctx.io.err(
      auto
        ? 'No terminal and no browser: the sandbox approves the request automatically, as if you had clicked Accept.\n\n'
        : browser
          ? 'Click Accept on the consent page that opens in your browser (or Refuse, to see that too).\n\n'
          : 'Open the URL below in a browser on this machine and click Accept.\n\n',
    );
    const { request } = await import('../providers/pryv/run.js');
    await request(ctx, {
      appId: DEMO_APP_ID,
      permission: DEMO_PERMISSIONS,
      serviceInfo: pryv.serviceInfoUrl,
      open: !auto,
      profile: DEMO_PROFILE,
    });
  } finally {
    await pryv.close();
  }
  ctx.io.err(
    `\nThe sandbox has stopped; profile '${DEMO_PROFILE}' stays in your store. Try next:\n\n  authctl token print ${DEMO_PROFILE}\n  authctl token header ${DEMO_PROFILE}\n  eval "$(authctl token export ${DEMO_PROFILE})"\n\nThen the real thing: authctl pryv request --app-id <your-app-id> --permission diary:read (Pryv Lab), or run your own sandbox with authctl sandbox.\n`,
  );
}
