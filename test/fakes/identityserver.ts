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
