/** Spinner on stderr (ora, loaded lazily) — only when interactive; otherwise plain status lines. */
import { terminalSafe } from '../lib/text.js';
import { claimTerminal } from './activity.js';
import type { IO } from './io.js';
import { loadStyle } from './style.js';

/** What flows use to show progress. */
export interface Spinner {
  start(text: string): void;
  update(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
  stop(): void;
}

/**
 * A spinner for this IO: ora on an interactive stderr, one plain line per state otherwise. While
 * it runs it owns the status line (src/ui/activity.ts), so slow-request notices stay away.
 */
export async function createSpinner(io: IO): Promise<Spinner> {
  let release: (() => void) | undefined;
  const claim = () => {
    release?.();
    release = claimTerminal();
  };
  const done = () => {
    release?.();
    release = undefined;
  };
  if (!io.interactive) {
    return {
      start: (t) => {
        claim();
        io.err(`${t}\n`);
      },
      update: () => {},
      succeed: (t) => {
        done();
        io.err(`${t}\n`);
      },
      fail: (t) => {
        done();
        io.err(`${t}\n`);
      },
      stop: done,
    };
  }
  const [{ default: ora }, style] = await Promise.all([import('ora'), loadStyle(io.color)]);
  // discardStdin: false — ora's default puts stdin in raw mode while it spins, so the terminal no
  // longer turns Ctrl-C into SIGINT and ^C arrives as a plain byte that nobody reads: the command
  // could not be interrupted (and a login could complete after the user pressed Ctrl-C).
  const s = ora({
    stream: process.stderr,
    color: io.color ? 'cyan' : false,
    isEnabled: true,
    discardStdin: false,
  });
  // ora's own ✔/✖ come coloured from its log-symbols dependency, which knows nothing of --no-color:
  // draw the symbols with authctl's style (plain without colour).
  return {
    // ora writes to the stream itself, past io.err: sanitise here (the same one sanitiser).
    start: (t) => {
      claim();
      s.start(terminalSafe(t));
    },
    update: (t) => {
      s.text = terminalSafe(t);
    },
    succeed: (t) => {
      s.stopAndPersist({ symbol: style.green('✔'), text: terminalSafe(t) });
      done();
    },
    fail: (t) => {
      s.stopAndPersist({ symbol: style.red('✖'), text: terminalSafe(t) });
      done();
    },
    stop: () => {
      s.stop();
      done();
    },
  };
}
