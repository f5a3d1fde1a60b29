/**
 * Who owns the terminal's status line, and the "Contacting <host>…" notice for a slow request.
 *
 * A flow's spinner or a prompt claims the terminal (claimTerminal); while it is claimed, a slow
 * request shows nothing, so nothing scribbles over the spinner or the prompt. Otherwise a request
 * still outstanding after SLOW_REQUEST_MS shows a spinner naming the host on an interactive
 * terminal, or one plain line elsewhere (once per host). Light module: ora loads only when a
 * notice is actually drawn.
 */
import { terminalSafe } from '../lib/text.js';
import type { IO } from './io.js';

/** How long a request may take before authctl says whom it is waiting for. */
export const SLOW_REQUEST_MS = 1000;

/** Spinners and prompts currently on screen. */
let claims = 0;
/** The "Contacting …" spinner while it is drawn, and the hosts it waits for. */
let notice: { stop(): void; text(t: string): void } | undefined;
const waiting = new Map<string, number>();
/** Hosts already announced with a plain line (non-interactive). */
const announced = new Set<string>();
/** While above zero, no plain lines (silent renewal); a terminal still gets the transient spinner. */
let hushed = 0;

/** The delay before the notice; AUTHCTL_NOTICE_AFTER_MS overrides it (the test suite raises it). */
function noticeDelay(): number {
  const v = Number(process.env.AUTHCTL_NOTICE_AFTER_MS);
  return Number.isFinite(v) && v >= 0 ? v : SLOW_REQUEST_MS;
}

/**
 * Keep slow-request notices off non-interactive stderr until the returned function is called:
 * `token print` and friends renew silently, so a script's stderr stays empty.
 */
export function hushLines(): () => void {
  hushed++;
  let done = false;
  return () => {
    if (!done) hushed--;
    done = true;
  };
}

/** True while a spinner or a prompt owns the status line. */
export function terminalClaimed(): boolean {
  return claims > 0;
}

/** Take the status line for a spinner or a prompt; returns the release function (idempotent). */
export function claimTerminal(): () => void {
  claims++;
  clearNotice();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    claims--;
  };
}

function clearNotice(): void {
  notice?.stop();
  notice = undefined;
}

function noticeText(): string {
  const hosts = [...waiting.keys()];
  return `Contacting ${hosts.join(', ')}…`;
}

async function drawNotice(io: IO): Promise<void> {
  const { default: ora } = await import('ora');
  // Everything may have settled (or a spinner claimed the line) while ora loaded.
  if (notice || waiting.size === 0 || terminalClaimed()) return;
  const s = ora({
    stream: process.stderr,
    color: io.color ? 'cyan' : false,
    isEnabled: true,
    // As in spinner.ts: never put stdin in raw mode (Ctrl-C must stay SIGINT).
    discardStdin: false,
    text: terminalSafe(noticeText()),
  }).start();
  notice = {
    // The notice is transient: it is erased when the answer arrives.
    stop: () => s.stop(),
    text: (t) => {
      s.text = terminalSafe(t);
    },
  };
}

/**
 * Watch one request to `host`: after `delayMs` without an answer, say whom authctl is waiting for
 * (unless a spinner or prompt owns the terminal). Call the returned function when it settles.
 */
export function watchRequest(io: IO, host: string, delayMs = noticeDelay()): () => void {
  let shown = false;
  const timer = setTimeout(() => {
    if (terminalClaimed() || (hushed > 0 && !io.interactive)) return;
    shown = true;
    waiting.set(host, (waiting.get(host) ?? 0) + 1);
    if (io.interactive) {
      if (notice) notice.text(noticeText());
      else void drawNotice(io).catch(() => {});
    } else if (!announced.has(host)) {
      announced.add(host);
      io.err(`Contacting ${host}…\n`);
    }
  }, delayMs);
  timer.unref?.();
  return () => {
    clearTimeout(timer);
    if (!shown) return;
    shown = false;
    const n = (waiting.get(host) ?? 1) - 1;
    if (n > 0) waiting.set(host, n);
    else waiting.delete(host);
    if (waiting.size === 0) clearNotice();
    else notice?.text(noticeText());
  };
}
