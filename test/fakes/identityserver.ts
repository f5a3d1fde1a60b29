/**
 * The ActiGraph-style IdentityServer emulator of `authctl sandbox` (src/sandbox/actigraph.ts) under
 * the names the tests use, with fixed test clients and the leak-check hook (test/helpers/leaks.ts)
 * recording every secret it issues or receives; plus the CI recipe's argv and environment.
 */
import {
  type ActiGraphClient,
  type ActiGraphOptions,
  type ActiGraphSandbox,
  startActiGraph,
} from '../../src/sandbox/actigraph.js';
import { type CliResult, runCli, sampleProfile } from '../helpers/cli.js';
import { useServer } from '../helpers/fixture.js';
import { recordSecret } from '../helpers/leaks.js';

export type { Injected, RecordedRequest } from '../../src/sandbox/actigraph.js';

/** A registered client. */
export type IdsClient = ActiGraphClient;
/** Options of startIdentityServer. */
export type IdsOptions = ActiGraphOptions;
/** A running emulator. */
export type IdsFake = ActiGraphSandbox;

/** Default clients: `ci-client` may use every ActiGraph scope; `limited` only CentrePoint. */
export const DEFAULT_IDS_CLIENTS: IdsClient[] = [
  {
    id: 'ci-client',
    secret: 'ci-s3cret:with+odd/chars=%',
    scopes: ['CentrePoint', 'DataAccess', 'Analytics', 'DataRetrieval'],
  },
  { id: 'limited', secret: 'limited-secret', scopes: ['CentrePoint'] },
  { id: 'no-cc', secret: 'no-cc-secret', scopes: ['CentrePoint'], grantTypes: ['authorization_code'] },
];

/**
 * The CI recipe's argv against this emulator (or any token URL):
 * `actigraph token --client-id <id> --scope CentrePoint --token-url <tokenUrl> …extra`.
 */
export function actigraphArgs(
  tokenUrl: string,
  extra: string[] = [],
  client: Pick<IdsClient, 'id'> = DEFAULT_IDS_CLIENTS[0]!,
): string[] {
  return [
    'actigraph',
    'token',
    '--client-id',
    client.id,
    '--scope',
    'CentrePoint',
    '--token-url',
    tokenUrl,
    ...extra,
  ];
}

/** The environment that hands the recipe its secret: `{ AUTHCTL_CLIENT_SECRET: <secret> }`. */
export function actigraphEnv(client: Pick<IdsClient, 'secret'> = DEFAULT_IDS_CLIENTS[0]!): {
  AUTHCTL_CLIENT_SECRET: string;
} {
  return { AUTHCTL_CLIENT_SECRET: client.secret };
}

/** Start the emulator on 127.0.0.1 with a free port. */
export function startIdentityServer(opts: IdsOptions = {}): Promise<IdsFake> {
  return startActiGraph({
    clients: DEFAULT_IDS_CLIENTS,
    onSecret: (kind, value) => recordSecret(kind, value, 'identityserver'),
    ...opts,
  });
}

/** Fixture: the emulator started before the file's tests (or a describe's) and stopped after; its getter. */
export function useIdentityServer(opts: IdsOptions = {}): () => IdsFake {
  return useServer(() => startIdentityServer(opts));
}

/**
 * The CI recipe against a fixture emulator, spawned as the built binary in a per-test store:
 * `recipe(extra)` is its argv, `run(args, env?, input?)` runs any command with the recipe's secret
 * in the environment unless `env` is given, `tokenRequests()` counts the token requests so far.
 */
export function recipeRunner(
  ids: () => IdsFake,
  configDir: () => string,
  client: IdsClient = DEFAULT_IDS_CLIENTS[0]!,
): {
  env: { AUTHCTL_CLIENT_SECRET: string };
  recipe: (extra?: string[]) => string[];
  run: (args: string[], env?: Record<string, string | undefined>, input?: string) => Promise<CliResult>;
  tokenRequests: () => number;
} {
  const env = actigraphEnv(client);
  return {
    env,
    recipe: (extra = []) => actigraphArgs(ids().tokenUrl, extra, client),
    run: (args, e = env, input) =>
      runCli(args, { configDir: configDir(), env: e, ...(input !== undefined ? { input } : {}) }),
    tokenRequests: () => ids().requests.length,
  };
}

/**
 * A stored ActiGraph profile of `clientId` at `tokenUrl` whose token expired in 2020, so the next
 * `token print` renews it (client_secret_post, scope CentrePoint); `over` replaces fields.
 */
export function expiredActigraphProfile(
  tokenUrl: string,
  clientId: string,
  over: Record<string, unknown> = {},
): Record<string, unknown> {
  return sampleProfile({
    provider: 'actigraph',
    token: 'expired-token-value',
    obtainedAt: '2020-01-01T00:00:00Z',
    expiresAt: '2020-01-01T01:00:00Z',
    subject: clientId,
    params: { tokenUrl, clientId, authMethod: 'client_secret_post', scope: 'CentrePoint' },
    ...over,
  });
}
