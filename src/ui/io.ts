/** Terminal I/O: the only place that decides what is interactive and whether colour is on. */
import { writeSync } from 'node:fs';
import { redactSecrets } from '../lib/secrets.js';
import { terminalSafe } from '../lib/text.js';

/** What commands may write and ask; stdout is data only, stderr is for humans. */
export interface IO {
  /** Write data (token, header, export lines, JSON) to stdout. */
  out(text: string): void;
  /** Write a human message to stderr. */
  err(text: string): void;
  /** True when prompts and spinners are allowed: stdin and stderr are TTYs and CI is unset. */
  readonly interactive: boolean;
  /** True when stderr may carry ANSI colour. */
  readonly color: boolean;
  /** True when `--verbose` was given. */
  readonly verbose: boolean;
  /** Log one verbose line to stderr (never pass secrets). */
  debug(text: string): void;
  /** Read all of stdin as text (for `--client-secret-stdin`). */
  readStdin(): Promise<string>;
}

/** Options that shape the process IO. */
export interface IOOptions {
  verbose?: boolean;
  noColor?: boolean;
}

/** Whether colour is wanted on a stream, following NO_COLOR / FORCE_COLOR and TTY-ness. */
export function colorWanted(env: NodeJS.ProcessEnv, isTTY: boolean, noColorFlag = false): boolean {
  if (noColorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return isTTY && env.TERM !== 'dumb';
}

/** Writes handed to a process stream by the non-blocking fallback and not yet flushed. */
let unflushed = 0;
/** What to do once they are: set by exitAfterFlush(). */
let onFlushed: (() => void) | undefined;

/**
 * Exit now: every write above is synchronous, so only the rare non-blocking fallback can still
 * hold output, and then exit waits for its write callbacks. Exiting this way also skips tearing
 * the whole runtime down, which a short command would otherwise pay on every run.
 */
export function exitAfterFlush(code: number): void {
  if (unflushed === 0) process.exit(code);
  else onFlushed = () => process.exit(code);
}

/**
 * Write to stdout with a plain synchronous write: no stream objects (and no net/tty modules) are
 * loaded on the hot path. Falls back to the stream when the descriptor is non-blocking and full.
 */
export function writeStdout(text: string): void {
  writeAll(1, text);
}

/**
 * Write all of `text` to stdout (1) or stderr (2) with synchronous writes; when the descriptor is
 * non-blocking and full (EAGAIN), the rest goes through the process stream.
 */
export function writeAll(fd: 1 | 2, text: string): void {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  try {
    while (off < buf.length) off += writeSync(fd, buf, off);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    unflushed++;
    (fd === 1 ? process.stdout : process.stderr).write(buf.subarray(off), () => {
      if (--unflushed === 0) onFlushed?.();
    });
  }
}

/** Build the real IO on process streams. TTY checks run on first use (they load tty/net). */
export function processIO(opts: IOOptions = {}): IO {
  const env = process.env;
  const verbose = Boolean(opts.verbose);
  let tty: { stdin: boolean; stderr: boolean } | undefined;
  const ttys = () => {
    if (!tty) {
      const { isatty } = process.getBuiltinModule('node:tty');
      tty = { stdin: isatty(0), stderr: isatty(2) };
    }
    return tty;
  };
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== '0' && env.CI !== 'false';
  // The output boundary: everything authctl writes passes the one sanitiser (src/lib/text.ts), so
  // no server-given string can reach the terminal with control sequences in it. Human output
  // (stderr) also has every secret authctl holds for this command redacted (src/lib/secrets.ts), so
  // a server echoing the request cannot make authctl print it; stdout is the data the user asked
  // for (a token, the --no-wait key) and is never redacted.
  let colour: boolean | undefined;
  return {
    out: (text) => writeStdout(terminalSafe(text)),
    err: (text) => {
      colour ??= colorWanted(env, ttys().stderr, opts.noColor);
      process.stderr.write(terminalSafe(redactSecrets(text), colour));
    },
    get interactive() {
      return ttys().stderr && ttys().stdin && !ci;
    },
    get color() {
      return colorWanted(env, ttys().stderr, opts.noColor);
    },
    verbose,
    debug: (text) => {
      if (verbose) process.stderr.write(`[verbose] ${terminalSafe(redactSecrets(text))}\n`);
    },
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}
