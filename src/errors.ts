/**
 * Typed errors. Each carries its exit code (table below), a stable machine-readable `code` and an
 * optional one-line hint telling the user what to do next. Only main.ts turns them into output.
 */

/**
 * authctl's exit codes: 0 ok, 1 failure, 2 usage (before any request), 3 refused, 4 no usable
 * token, 5 timed out, 130 Ctrl-C, 143 SIGTERM. Scripts rely on them: never renumber.
 */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  refused: 3,
  noToken: 4,
  timeout: 5,
  interrupted: 130,
  terminated: 143,
  /** stdout was closed by its reader (128 + SIGPIPE); nothing is printed. */
  brokenPipe: 141,
} as const;

/** Base class for every error authctl reports on purpose. */
export class AuthctlError extends Error {
  readonly exitCode: number;
  hint: string | undefined;
  /**
   * Set by withRelogin(): the hint is to end with the profile's re-login command, which only the
   * command layer knows (flows do not reach the provider registry).
   */
  reloginLead: string | undefined;
  /**
   * A stable, machine-readable code such as `network.refused`, `store.corrupt` or
   * `oauth.invalid_grant`: what callers branch on (never the message text).
   */
  readonly code: string;
  constructor(message: string, exitCode: number, hint?: string, code = 'failure') {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.hint = hint;
    this.code = code;
    this.reloginLead = undefined;
  }
}

/** Mark `err` so the command layer completes its hint as "<lead>: <the re-login command>". */
export function withRelogin<E extends AuthctlError>(err: E, lead = 'Run'): E {
  err.reloginLead = lead;
  return err;
}

/**
 * An error class with its exit code and default `code`: every kind below takes
 * (message, hint?, code?) the same way. The calls are marked pure (literal arguments only) so that a
 * bundle keeps only the kinds it uses.
 */
function kind(exit: keyof typeof ExitCode, defaultCode: string) {
  const exitCode = ExitCode[exit];
  return class extends AuthctlError {
    constructor(message: string, hint?: string, code = defaultCode) {
      super(message, exitCode, hint, code);
    }
  };
}

/** Exit 1: anything else — network, server error, malformed answer, store unreadable. */
export class FailureError extends /* @__PURE__ */ kind('failure', 'failure') {}

/** A kind of FailureError (exit 1) with its own default `code`. */
function failureKind(defaultCode: string) {
  return class extends FailureError {
    constructor(message: string, hint?: string, code = defaultCode) {
      super(message, hint, code);
    }
  };
}

/** Exit 1: the network or a server failed (unreachable, 5xx, timeout of a single request). */
export class NetworkError extends /* @__PURE__ */ failureKind('network') {}

/** Exit 1: a server answered something that does not follow its protocol. */
export class ProtocolError extends /* @__PURE__ */ failureKind('protocol') {}

/** Exit 1: the token store cannot be read or written. */
export class StoreError extends /* @__PURE__ */ failureKind('store') {}

/** Exit 2: bad flags or values, or a value is missing and there is no TTY to ask on. */
export class UsageError extends /* @__PURE__ */ kind('usage', 'usage') {}

/** Exit 3: the user or the server said no. */
export class RefusedError extends /* @__PURE__ */ kind('refused', 'refused') {}

/** Exit 4: no usable token (missing profile, expired and not renewable, or checked invalid). */
export class NoTokenError extends /* @__PURE__ */ kind('noToken', 'token.unusable') {}

/** Exit 5: the user did not finish in time, or the request expired on the server. */
export class TimeoutError extends /* @__PURE__ */ kind('timeout', 'timeout') {}

/** Exit 130 (SIGINT) or 143 (SIGTERM): interrupted; nothing half-written is left. */
export class InterruptedError extends AuthctlError {
  constructor(signal: 'SIGINT' | 'SIGTERM' = 'SIGINT') {
    super(
      signal === 'SIGINT' ? 'Interrupted.' : 'Terminated.',
      signal === 'SIGINT' ? ExitCode.interrupted : ExitCode.terminated,
      undefined,
      signal === 'SIGINT' ? 'interrupted' : 'terminated',
    );
  }
}

/** Throws the InterruptedError carried by an aborted signal (or a generic one). */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw asInterrupted(signal);
}

/** The error to throw when `signal` was aborted. */
export function asInterrupted(signal: AbortSignal): AuthctlError {
  const reason: unknown = signal.reason;
  return reason instanceof AuthctlError ? reason : new InterruptedError();
}

/** Exit with a given code and print nothing (exec passing on its child's exit status). */
export class SilentExit extends AuthctlError {
  constructor(exitCode: number) {
    super('', exitCode, undefined, 'silent');
  }
}

/** Sleep that rejects with InterruptedError when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(asInterrupted(signal));
    const onAbort = () => {
      clearTimeout(t);
      reject(asInterrupted(signal!));
    };
    // Clamped: Node fires a longer timer after 1 ms, which would turn a huge Retry-After or poll
    // delay into a tight request loop.
    const t = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.min(ms, 2 ** 31 - 1),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
