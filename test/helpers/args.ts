/**
 * The command lines many tests run, built in one place: a change of a flag is one edit here, and a
 * test says only what differs (`...extra`).
 */

/** `pryv request --app-id my-app-id --permission diary:read --service-info <url> …extra`. */
export const pryvRequestArgs = (serviceInfoUrl: string, ...extra: string[]): string[] => [
  'pryv',
  'request',
  '--app-id',
  'my-app-id',
  '--permission',
  'diary:read',
  '--service-info',
  serviceInfoUrl,
  ...extra,
];

/** `safe authorize` for the app net.example.a (version 1, vendor V) at `launcherUrl` …extra. */
export const safeAuthorizeArgs = (launcherUrl: string, ...extra: string[]): string[] => [
  'safe',
  'authorize',
  '--app-name',
  'A',
  '--app-id',
  'net.example.a',
  '--app-version',
  '1',
  '--app-vendor',
  'V',
  '--launcher-url',
  launcherUrl,
  ...extra,
];

/**
 * `oauth login` with `clientId` against an authorization server that cannot be reached
 * (127.0.0.1:1), redirecting to the loopback `port` (null: authctl picks one): it waits for a
 * browser that never returns.
 */
export const oauthLoginArgs = (clientId: string, port: number | null, ...extra: string[]): string[] => [
  'oauth',
  'login',
  '--authorize-url',
  'http://127.0.0.1:1/authorize',
  '--token-url',
  'http://127.0.0.1:1/token',
  '--client-id',
  clientId,
  ...(port === null ? [] : ['--redirect-uri', `http://127.0.0.1:${port}/callback`]),
  ...extra,
];

/** `liveperson login --account … --client-id … <domain flag and value> --redirect-uri … …extra`. */
export const livepersonArgs = (
  account: string,
  clientId: string,
  domain: [flag: '--domain' | '--domain-api', value: string],
  redirectUri: string,
  ...extra: string[]
): string[] => [
  'liveperson',
  'login',
  '--account',
  account,
  '--client-id',
  clientId,
  ...domain,
  '--redirect-uri',
  redirectUri,
  ...extra,
];

/** `liveperson login` with `clientId` at a Sentinel emulator, redirecting to localhost:`port`. */
export const livepersonLoginArgs = (
  sentinel: { account: string; url: string },
  clientId: string,
  port: number,
  ...extra: string[]
): string[] =>
  livepersonArgs(
    sentinel.account,
    clientId,
    ['--domain', sentinel.url],
    `http://localhost:${port}/callback`,
    ...extra,
  );

/** `oauth client-credentials --issuer <issuer> --client-id <clientId> …extra`. */
export const clientCredentialsArgs = (issuer: string, clientId: string, ...extra: string[]): string[] => [
  'oauth',
  'client-credentials',
  '--issuer',
  issuer,
  '--client-id',
  clientId,
  ...extra,
];
