/** Spinner on stderr (ora, loaded lazily) — only when interactive; otherwise plain status lines. */
import { terminalSafe } from '../lib/text.js';
import type { IO } from './io.js';

/** What flows use to show progress. */
export interface Spinner {
  start(text: string): void;
  update(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
  stop(): void;
}

/** A spinner for this IO: ora on an interactive stderr, one plain line per state otherwise. */
export async function createSpinner(io: IO): Promise<Spinner> {
  if (!io.interactive) {
    return {
      start: (t) => io.err(`${t}\n`),
      update: () => {},
      succeed: (t) => io.err(`${t}\n`),
      fail: (t) => io.err(`${t}\n`),
      stop: () => {},
    };
  }
  const { default: ora } = await import('ora');
  // discardStdin: false — ora's default puts stdin in raw mode while it spins, so the terminal no
  // longer turns Ctrl-C into SIGINT and ^C arrives as a plain byte that nobody reads: the command
  // could not be interrupted (and a login could complete after the user pressed Ctrl-C).
  const s = ora({
    stream: process.stderr,
    color: io.color ? 'cyan' : false,
    isEnabled: true,
    discardStdin: false,
  });
  return {
    // ora writes to the stream itself, past io.err: sanitise here (the same one sanitiser).
    start: (t) => {
      s.start(terminalSafe(t));
    },
    update: (t) => {
      s.text = terminalSafe(t);
    },
    succeed: (t) => {
      s.succeed(terminalSafe(t));
    },
    fail: (t) => {
      s.fail(terminalSafe(t));
    },
    stop: () => {
      s.stop();
    },
  };
}
