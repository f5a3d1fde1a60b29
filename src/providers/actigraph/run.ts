/** `authctl actigraph token`: the CentrePoint client-credentials preset (docs/protocol-notes/actigraph.md). */
import { parseScopes } from '../../cli/parse.js';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { checkUrl } from '../../http/url.js';
import { absoluteCaFile, obtainClientCredentials, runOptions } from '../../oauth/cli/obtain.js';
import { ACTIGRAPH_AUTH_METHOD, ACTIGRAPH_SCOPES, ACTIGRAPH_TOKEN_URL, scopeWarnings } from './constants.js';

type Opts = Record<string, unknown>;

const opt = (o: Opts, k: string): string | undefined =>
  typeof o[k] === 'string' ? (o[k] as string) : undefined;

/** Get (or reuse) a CentrePoint token; credentials go in the form body as ActiGraph documents. */
export async function token(ctx: Context, opts: Opts): Promise<void> {
  const clientId = opt(opts, 'clientId')?.trim();
  if (!clientId) throw new UsageError('--client-id is empty');
  const scopes = parseScopes(opts.scope as string[] | undefined);
  // IdentityServer4 would grant every allowed scope when none is sent ('Omitted scope' in the note), but
  // ActiGraph documents sending one; asking explicitly keeps CI jobs to the least privilege.
  if (scopes.length === 0) {
    throw new UsageError(
      'actigraph token needs at least one --scope',
      `Pass the scopes the job needs: ${ACTIGRAPH_SCOPES.map((s) => `--scope ${s}`).join(', ')}.`,
    );
  }
  for (const w of scopeWarnings(scopes)) ctx.io.err(`warning: ${w}\n`);
  const tokenUrl = opt(opts, 'tokenUrl') ?? ACTIGRAPH_TOKEN_URL;
  const url = checkUrl(tokenUrl, { insecure: ctx.insecure, source: 'flag', label: '--token-url' });
  const run = runOptions(ctx, opts, 'actigraph', clientId);
  await obtainClientCredentials(
    ctx,
    {
      provider: 'actigraph',
      tokenUrl,
      clientId,
      authMethod: ACTIGRAPH_AUTH_METHOD,
      scopes,
      caFile: absoluteCaFile(opt(opts, 'caFile')),
      label: `ActiGraph token endpoint ${url.host}`,
    },
    run,
  );
}
