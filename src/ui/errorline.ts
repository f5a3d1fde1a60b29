/**
 * The one `error:` line a failing command prints. One style everywhere:
 * `error: <what happened>. <what to do next>.` — the message loses any trailing period, the
 * hint ends with one (unless it ends with a command to paste), and an error thrown without a hint
 * gets its class's next step.
 */
import { AuthctlError, ExitCode } from '../errors.js';

/** The next step for an error that carries no hint of its own, by exit code and kind. */
function defaultHint(err: AuthctlError, commandPath: string): string {
  switch (err.exitCode) {
    case ExitCode.usage:
      return `Run '${commandPath} --help' for usage.`;
    case ExitCode.refused:
      return 'Nothing was saved; run the command again if that was not intended.';
    case ExitCode.noToken:
      return "Run 'authctl token list' to see the saved profiles, or log in again.";
    case ExitCode.timeout:
      return 'Run the command again, or pass a longer --timeout.';
    case ExitCode.interrupted:
    case ExitCode.terminated:
      return 'Nothing was saved; run the command again when ready.';
  }
  if (err.code.startsWith('store')) return 'Check the token store file and its permissions, then try again.';
  if (err.code.startsWith('protocol'))
    return 'Check that the URL points at the right service; run with --verbose to see the requests.';
  return 'Try again; run with --verbose to see the requests.';
}

/** `s` without trailing periods or spaces. */
function sentence(s: string): string {
  return s.replace(/[.\s]+$/, '');
}

/**
 * A hint as the last sentence: ends with a period, except when it ends with a command to paste
 * ("Run: authctl pryv request …"), where a period would become part of the last argument.
 */
function lastSentence(hint: string): string {
  const h = hint.trim();
  if (/[.?!]$/.test(h)) return h;
  // "Run: authctl …", "or run: AUTHCTL_CLIENT_SECRET=… authctl …": the hint ends with the command.
  return /(^|:\s)([A-Z_]+=\S*\s+)*authctl\s/.test(h) ? h : `${h}.`;
}

/** One line for the user: what happened, and what to do next. */
export function errorLine(
  err: unknown,
  verbose: boolean,
  commandPath = 'authctl',
): { line: string; code: number } {
  if (err instanceof AuthctlError) {
    const hint = err.hint?.trim() ? err.hint : defaultHint(err, commandPath);
    return { line: `error: ${sentence(err.message)}. ${lastSentence(hint)}`, code: err.exitCode };
  }
  const e = err as { name?: string; message?: string; stack?: string };
  // Inquirer: Ctrl-C inside a prompt.
  if (e?.name === 'ExitPromptError' || e?.name === 'AbortPromptError') {
    return {
      line: 'error: Interrupted. Nothing was saved; run the command again when ready.',
      code: ExitCode.interrupted,
    };
  }
  const detail = verbose && e?.stack ? `\n${e.stack}` : '';
  return {
    line: `error: unexpected failure: ${sentence(e?.message ?? String(err))}${detail}. This is a bug in authctl; please report it (run with --verbose for details).`,
    code: ExitCode.failure,
  };
}
