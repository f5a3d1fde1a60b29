/**
 * The authorization-code flow with a loopback redirect (RFC 6749 §4.1, RFC 8252, RFC 7636), shared by
 * `oauth login` and the LivePerson preset: listen on the loopback interface, open the browser (or let
 * the user paste the redirected URL), check the callback, exchange the code before the browser is
 * told anything succeeded, and check the ID token when OpenID Connect was asked for.
 */
import type { Context } from '../../context.js';
import {
  AuthctlError,
  asInterrupted,
  InterruptedError,
  ProtocolError,
  TimeoutError,
  throwIfAborted,
  UsageError,
} from '../../errors.js';
import { formatDuration } from '../../lib/format.js';
import { decodeJwt } from '../../lib/jwt.js';
import { registerSecret } from '../../lib/secrets.js';
import { type LoopbackServer, listenLoopback } from '../../server/loopback.js';
import { alreadyFinishedPage, errorPage, type Page, successPage } from '../../server/pages.js';
import type { Spinner } from '../../ui/spinner.js';
import {
  authorizeParams,
  buildAuthorizeUrl,
  buildParAuthorizeUrl,
  DEFAULT_REDIRECT_URI,
  parseCallback,
  parsePastedUrl,
  parseRedirectUri,
  redirectUriWithPort,
} from '../authorize.js';
import { checkIdToken } from '../idtoken.js';
import { needsSignatureCheck, verifyIdTokenSignature } from '../idtoken-signature.js';
import { pushAuthorizationRequest } from '../par.js';
import { createAuthorizationSecrets } from '../pkce.js';
import type { TokenSet } from '../protocol.js';
import { type OAuthClient, requestToken } from '../token-endpoint.js';

export { formatDuration };

/** Everything one authorization-code login needs. */
export interface AuthCodeConfig {
  /** May already carry query parameters (e.g. LivePerson `v=1.0`); they are kept. */
  authorizeUrl: string;
  /** May carry query parameters (LivePerson `v=2.0`). */
  tokenUrl: string;
  client: OAuthClient;
  scopes: string[];
  /** RFC 8707 resource indicators, all sent in the authorization and token requests. */
  resource?: readonly string[] | undefined;
  /** undefined → http://127.0.0.1:<free port>/callback; `:0` or no port → a free port. */
  redirectUri?: string | undefined;
  /** Send a PKCE S256 challenge (always for `oauth login`). */
  pkce: boolean;
  /** Set when `openid` is requested: a nonce is sent and the ID token must come back and check out. */
  openid?: { issuer?: string | undefined } | undefined;
  /** The issuer from discovery, when known: an `iss` on the callback must match it (RFC 9207). */
  issuer?: string | undefined;
  /** Discovery advertised authorization_response_iss_parameter_supported: `iss` must come back. */
  issRequired?: boolean | undefined;
  /** Extra authorization parameters (audience, prompt, login_hint, --param…), in order. */
  extraAuthorizeParams?: ReadonlyArray<readonly [string, string]> | undefined;
  /** --token-param pairs for the code exchange. */
  tokenParams?: ReadonlyArray<readonly [string, string]> | undefined;
  /** Push the authorization request to this PAR endpoint first (RFC 9126). */
  parUrl?: string | undefined;
  /** The provider's JWKS, for ID tokens that arrive over plain http to another host. */
  jwksUri?: string | undefined;
  /** false for --no-open. */
  open: boolean;
  /** --manual: print the URL and read the pasted redirected URL (needs a TTY). */
  manual: boolean;
  /** Give up after this long (exit 5); 0 = no limit. */
  timeoutMs: number;
  /** "LivePerson", "the authorization server": for messages and pages. */
  providerLabel: string;
  caFile?: string | undefined;
  /** The flag that sets the redirect URI, for messages (default --redirect-uri). */
  redirectFlag?: string | undefined;
}

/** What a successful login returns. */
export interface AuthCodeResult {
  tokens: TokenSet;
  /** The checked claims (openid), or the decoded claims of an ID token sent without openid. */
  idTokenClaims?: Record<string, unknown>;
  /** The redirect URI used in both requests (with the real port). */
  redirectUri: string;
}

/** Run the whole login; resolves once tokens were obtained and checked. Nothing is saved here. */
export async function authorizationCodeLogin(ctx: Context, cfg: AuthCodeConfig): Promise<AuthCodeResult> {
  throwIfAborted(ctx.signal);
  const flag = cfg.redirectFlag ?? '--redirect-uri';
  if (cfg.manual && !ctx.io.interactive) {
    throw new UsageError(
      '--manual needs a terminal to paste the redirected URL into',
      'Run it in an interactive terminal, or drop --manual and finish the login in a browser on this machine.',
    );
  }
  const target = parseRedirectUri(cfg.redirectUri ?? DEFAULT_REDIRECT_URI, { manual: cfg.manual, flag });
  const secrets = createAuthorizationSecrets(ctx.random, { pkce: cfg.pkce, nonce: Boolean(cfg.openid) });
  const issuer = cfg.openid?.issuer ?? cfg.issuer;

  // The login settles once: the first callback (or paste) to arrive, the timeout, or Ctrl-C.
  let settled = false;
  let resolveOutcome!: (r: AuthCodeResult) => void;
  let rejectOutcome!: (e: unknown) => void;
  const outcome = new Promise<AuthCodeResult>((res, rej) => {
    resolveOutcome = res;
    rejectOutcome = rej;
  });
  outcome.catch(() => {});
  let redirectUri = target.raw;

  /** Validate a redirected URL, exchange its code, check the ID token. */
  const exchange = async (url: URL): Promise<AuthCodeResult> => {
    const { code } = parseCallback(url, {
      state: secrets.state,
      issuer: cfg.issuer ?? issuer,
      issRequired: cfg.issRequired,
      providerLabel: cfg.providerLabel,
    });
    // A server that echoes the request in an error must not get the code or verifier printed.
    registerSecret(code);
    registerSecret(secrets.verifier);
    ctx.io.debug('authorization code received; exchanging it for tokens');
    const tokens = await requestToken(ctx, {
      tokenUrl: cfg.tokenUrl,
      client: cfg.client,
      params: {
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        code_verifier: secrets.verifier,
        resource: cfg.resource,
      },
      extraParams: cfg.tokenParams,
      caFile: cfg.caFile,
      // Codes are single-use (RFC 6749 §4.1.2): never replay one.
      retries: 0,
    });
    const result: AuthCodeResult = { tokens, redirectUri };
    if (cfg.openid) {
      if (!tokens.idToken) {
        throw new ProtocolError(
          `the token response from ${cfg.providerLabel} has no 'id_token' although 'openid' was requested; nothing was saved`,
        );
      }
      if (needsSignatureCheck(cfg.tokenUrl)) {
        await verifyIdTokenSignature(ctx, tokens.idToken, cfg.jwksUri, cfg.caFile);
      }
      result.idTokenClaims = checkIdToken(tokens.idToken, {
        clientId: cfg.client.clientId,
        issuer,
        nonce: secrets.nonce,
        nowMs: ctx.now(),
      });
    } else if (tokens.idToken) {
      const jwt = decodeJwt(tokens.idToken);
      if (jwt) result.idTokenClaims = jwt.payload;
    }
    return result;
  };

  /** Handle one redirected URL (from the listener or pasted) and choose the page to show. */
  const complete = async (url: URL): Promise<Page> => {
    if (settled) return alreadyFinishedPage();
    settled = true;
    try {
      // The code is exchanged before the browser hears that anything worked.
      resolveOutcome(await exchange(url));
      return successPage(cfg.providerLabel);
    } catch (e) {
      const err = ctx.signal.aborted ? asInterrupted(ctx.signal) : e;
      rejectOutcome(err);
      return err instanceof AuthctlError
        ? errorPage(err.message, err.hint)
        : errorPage('authctl failed while finishing the login.');
    }
  };

  let server: LoopbackServer | undefined;
  if (target.listenable) {
    try {
      // Listen before the browser opens, so the redirect cannot beat the listener.
      server = await listenLoopback({
        hostname: target.hostname,
        port: target.port,
        path: target.path,
        onCallback: complete,
        redirectUri: target.raw,
        flag,
        debug: (l) => ctx.io.debug(l),
      });
    } catch (e) {
      // With --manual the listener is only a convenience when the port is fixed.
      if (!cfg.manual || target.port === 0) throw e;
      ctx.io.debug(`not listening for the redirect: ${(e as Error).message}`);
    }
    redirectUri = redirectUriWithPort(target, server?.port ?? target.port);
  }

  const cancelPrompt = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    settled = true;
    rejectOutcome(asInterrupted(ctx.signal));
  };
  let spinner: Spinner | undefined;
  try {
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    if (ctx.signal.aborted) onAbort();
    // 0 = no limit, as for the other waiting commands.
    if (cfg.timeoutMs > 0) {
      timer = setTimeout(
        () => {
          if (settled) return;
          settled = true;
          rejectOutcome(
            new TimeoutError(
              `the login was not finished within ${formatDuration(cfg.timeoutMs)}`,
              'If the browser shows an error about the redirect URI or client, check --redirect-uri / --client-id; otherwise run the login again and finish it in the browser, or pass a longer --timeout.',
            ),
          );
        },
        Math.min(cfg.timeoutMs, 2 ** 31 - 1),
      );
    }

    const request = {
      clientId: cfg.client.clientId,
      redirectUri,
      state: secrets.state,
      scopes: cfg.scopes,
      codeChallenge: secrets.challenge,
      nonce: secrets.nonce,
      resource: cfg.resource,
      extra: cfg.extraAuthorizeParams,
    };
    const authorizeUrl = cfg.parUrl
      ? buildParAuthorizeUrl(
          cfg.authorizeUrl,
          cfg.client.clientId,
          await pushAuthorizationRequest(ctx, {
            parUrl: cfg.parUrl,
            client: cfg.client,
            params: authorizeParams(request),
            caFile: cfg.caFile,
          }),
        )
      : buildAuthorizeUrl(cfg.authorizeUrl, request);
    // The URL goes to stderr first in every case, so a user on SSH can copy it.
    ctx.io.err(`Open this URL in a browser to log in to ${cfg.providerLabel}:\n\n  ${authorizeUrl}\n\n`);

    let prompting = false;
    const askForPaste = (why: string) => {
      prompting = true;
      ctx.io.err(
        `${why}\nAfter you approve, the browser is sent to ${redirectUri}?… — it may fail to load there; copy the full URL from the address bar and paste it here.\n`,
      );
      void pasteLoop();
    };
    const pasteLoop = async () => {
      for (;;) {
        let answer: string;
        try {
          answer = await ctx.prompter.input(
            'Paste the redirected URL:',
            'a browser on this machine (drop --manual)',
            cancelPrompt.signal,
          );
        } catch (e) {
          if (cancelPrompt.signal.aborted || settled) return;
          const name = (e as { name?: string }).name;
          settled = true;
          rejectOutcome(
            name === 'ExitPromptError' || name === 'AbortPromptError' ? new InterruptedError() : e,
          );
          return;
        }
        if (settled) return;
        let url: URL;
        try {
          url = parsePastedUrl(answer, redirectUri);
        } catch (e) {
          ctx.io.err(`${(e as Error).message}. Try again.\n`);
          continue;
        }
        await complete(url);
        return;
      }
    };

    if (cfg.manual) {
      askForPaste('Open it in any browser (it can be on another machine).');
    } else if (cfg.open) {
      const opened = await ctx.browser.open(authorizeUrl);
      if (!opened && ctx.io.interactive && !settled) {
        askForPaste(
          `Could not open a browser here (no display?). Open the URL in a browser on any machine.${
            server
              ? ` If that browser runs on this machine, authctl will receive the redirect by itself.`
              : ''
          }`,
        );
      } else if (!opened) {
        const port = server?.port ?? target.port;
        const host = target.hostname.includes(':') ? `[${target.hostname}]` : target.hostname;
        ctx.io.err(
          `Could not open a browser here. Open the URL in a browser that can reach ${redirectUri} (on this machine, or through ssh -L ${port}:${host}:${port}); or run again on a terminal with --manual.\n`,
        );
      }
    }
    // A spinner would scribble over the paste prompt, so only when nobody is typing.
    if (server && !prompting && !settled) {
      spinner = await ctx.spinner();
      spinner.start(
        `Waiting for the browser to return to ${redirectUri} (Ctrl-C to cancel)… If the browser shows an error about the redirect URI or client, check --redirect-uri / --client-id.`,
      );
    }
    return await outcome;
  } finally {
    spinner?.stop();
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onAbort);
    cancelPrompt.abort();
    await server?.close();
  }
}
