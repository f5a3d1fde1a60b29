/** Run the built CLI on a real pseudo-terminal (test/helpers/pty.py) and type at it. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { binPath, cliEnv, collectOutput, repoRoot } from './cli.js';
import { recordOutput } from './leaks.js';
import { findShell } from './shells.js';

/** One step of a terminal session: wait for text on screen, type, or pause. */
export type PtyStep = { expect: string; timeout?: number } | { send: string } | { sleep: number };

/** What a terminal session left behind. */
export interface PtyResult {
  status: number;
  timedOut: boolean;
  /** Everything the program wrote to the terminal (stdout and stderr interleaved, as on screen). */
  output: string;
  /** Index of an `expect` step that never matched, or null. */
  failedStep: number | null;
  msAfterLastSend: number | null;
  /** Terminal modes after the program exited: a program that leaves raw mode behind breaks the shell. */
  lflag: { ISIG: boolean; ICANON: boolean; ECHO: boolean };
}

/** python3, whose pty module gives a real terminal line discipline; null when not installed. */
export const ptyPython = findShell('python3');

/** Ctrl-C as typed on a keyboard: the byte the terminal turns into SIGINT. */
export const CTRL_C = '\u0003';

/** Run `authctl args…` on a pty as a person would (no CI variable, a TERM, a TTY on every stream). */
export async function runOnPty(
  args: string[],
  steps: PtyStep[],
  opts: { configDir: string; env?: Record<string, string | undefined>; cols?: number; rows?: number },
): Promise<PtyResult> {
  const env = cliEnv(opts.configDir, { CI: undefined, TERM: 'xterm-256color', ...opts.env });
  if (opts.cols) env.PTY_COLS = String(opts.cols);
  if (opts.rows) env.PTY_ROWS = String(opts.rows);
  // Asynchronous: the fake servers the command talks to run in this test process.
  const child = spawn(
    ptyPython!,
    [
      path.join(repoRoot, 'test', 'helpers', 'pty.py'),
      JSON.stringify(steps),
      '--',
      process.execPath,
      binPath,
      ...args,
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const out = collectOutput(child);
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`pty.py failed (${code}): ${out.stderr()}`);
  const res = JSON.parse(out.stdout()) as PtyResult;
  // The terminal shows stdout and stderr together; judge it by the stricter stderr rules' opposite:
  // what a person sees is what stderr may show.
  recordOutput('cli', '', res.output, args);
  return res;
}

/** The cursor was hidden at some point and shown again afterwards (or never hidden). */
export function cursorRestored(output: string): boolean {
  const hide = output.lastIndexOf('\u001b[?25l');
  return hide === -1 || output.lastIndexOf('\u001b[?25h') > hide;
}

/** The text of terminal output without its escape sequences (colours, cursor moves). */
export function stripAnsi(text: string): string {
  return text.replace(/\u001b(\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(\u0007|\u001b\\)|[@-Z\\-_])/g, '');
}
