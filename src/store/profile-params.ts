/**
 * The parameters a profile keeps, per flow: one declarative table (key → kind) from which both the
 * TypeScript types and the validation done once when the store is read are derived. A leaf module
 * (no imports): it runs on the hot path of `token print`.
 */

/** The flows authctl knows how to run. */
export type Flow =
  | 'pryv-access'
  | 'safe-launcher'
  | 'authorization_code'
  | 'client_credentials'
  | 'device_code'
  | 'token_exchange';

/** The flows run by the OAuth engine (generic profiles and the LivePerson and ActiGraph presets). */
export type OAuthFlow = Exclude<Flow, 'pryv-access' | 'safe-launcher'>;

/** A scalar or list parameter as it is kept in the store file. */
export type ParamValue = string | number | boolean | null | string[];

/**
 * How a parameter is kept in the file and what it is in memory:
 * - `string`, `number`, `boolean`, `list` (of strings): the same in both;
 * - `words`: a space-separated string in the file (`scope`; a list is read too), a list of words in memory;
 * - `uris`: a string or a list in the file (one `resource` was saved as a string), a list in memory.
 */
type Kind = 'string' | 'number' | 'boolean' | 'list' | 'words' | 'uris';
type Table = Readonly<Record<string, Kind>>;
type KindType<K> = K extends 'string'
  ? string
  : K extends 'number'
    ? number
    : K extends 'boolean'
      ? boolean
      : string[];
/** The typed parameters of a table: every key optional (older profiles lack newer keys). */
type Typed<T> = { -readonly [K in keyof T]?: KindType<T[K]> };

/** What every OAuth profile may keep to be used and renewed (non-secret: URLs, names, paths). */
const OAUTH = {
  issuer: 'string',
  tokenUrl: 'string',
  clientId: 'string',
  // How the client authenticates (src/oauth/params.ts clientParams): paths and names, never keys.
  authMethod: 'string',
  privateKeyFile: 'string',
  keyId: 'string',
  signingAlg: 'string',
  certFile: 'string',
  keyFile: 'string',
  clientAssertionFile: 'string',
  clientAssertionEnv: 'string',
  confidential: 'boolean',
  scope: 'words',
  resource: 'uris',
  audience: 'string',
  tokenParams: 'list',
  caFile: 'string',
  jwksUri: 'string',
  // A preset's documented lifetime, for a server that omits expires_in (LivePerson: 30 minutes).
  defaultExpiresIn: 'number',
} as const satisfies Table;

const AUTHORIZATION_CODE = {
  ...OAUTH,
  authorizeUrl: 'string',
  redirectUri: 'string',
  par: 'boolean',
} as const satisfies Table;

const DEVICE_CODE = { ...OAUTH, deviceUrl: 'string' } as const satisfies Table;

const TOKEN_EXCHANGE = {
  ...OAUTH,
  subjectTokenType: 'string',
  subjectTokenFile: 'string',
  subjectTokenEnv: 'string',
  actorTokenFile: 'string',
  actorTokenEnv: 'string',
  actorTokenType: 'string',
  requestedTokenType: 'string',
  issuedTokenType: 'string',
} as const satisfies Table;

/** LivePerson Sentinel logins (provider 'liveperson', authorization code) add their account's keys. */
const LIVEPERSON = {
  ...AUTHORIZATION_CODE,
  account: 'string',
  domain: 'string',
  revokeUrl: 'string',
  // `--domain` as typed (no domain discovery on re-login), else the domain API used.
  domainFlag: 'string',
  domainApi: 'string',
} as const satisfies Table;

const PRYV = {
  apiEndpoint: 'string',
  username: 'string',
  serviceInfoUrl: 'string',
  appId: 'string',
  // The --permission values asked for (not what the server added on its own).
  permissions: 'list',
} as const satisfies Table;

const SAFE = {
  launcherUrl: 'string',
  appName: 'string',
  appId: 'string',
  appVersion: 'string',
  appVendor: 'string',
} as const satisfies Table;

export type OAuthParams = Typed<typeof OAUTH>;
export type AuthorizationCodeParams = Typed<typeof AUTHORIZATION_CODE>;
export type DeviceCodeParams = Typed<typeof DEVICE_CODE>;
export type ClientCredentialsParams = OAuthParams;
export type TokenExchangeParams = Typed<typeof TOKEN_EXCHANGE>;
export type LivePersonParams = Typed<typeof LIVEPERSON>;
export type PryvParams = Typed<typeof PRYV>;
export type SafeParams = Typed<typeof SAFE>;

const TABLES: Readonly<Record<Flow, Table>> = {
  'pryv-access': PRYV,
  'safe-launcher': SAFE,
  authorization_code: AUTHORIZATION_CODE,
  client_credentials: OAUTH,
  device_code: DEVICE_CODE,
  token_exchange: TOKEN_EXCHANGE,
};

/** The table of a profile: its flow's, or its provider's where the provider adds keys. */
function tableOf(flow: Flow, provider: string): Table {
  return provider === 'liveperson' && flow === 'authorization_code' ? LIVEPERSON : TABLES[flow];
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const words = (v: string | string[]): string[] =>
  (typeof v === 'string' ? [v] : v).flatMap((s) => s.split(' ')).filter(Boolean);

/** The in-memory value of a present, non-null, non-empty value of `kind`, or undefined when it is of another type. */
function convert(kind: Kind, v: unknown): unknown {
  switch (kind) {
    case 'string':
      return typeof v === 'string' ? v : undefined;
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
    case 'boolean':
      return typeof v === 'boolean' ? v : undefined;
    case 'list':
      return isStrings(v) ? v : undefined;
    case 'words':
    case 'uris':
      return typeof v === 'string' || isStrings(v) ? words(v) : undefined;
  }
}

function isParam(v: unknown): v is ParamValue {
  return (
    v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || isStrings(v)
  );
}

/** What parseParams makes of a profile's `params`. */
export type ParsedParams =
  | { ok: true; params: Record<string, unknown>; unknown: Record<string, ParamValue> | undefined }
  | { ok: false; field: string };

/**
 * Validate a profile's stored `params` against its table. A known key of another type is an error
 * naming it (`params.tokenUrl`); `null` and `''` in a known key mean absent (older versions wrote
 * `username: null`, and an empty string was always read as absent), except `''` for `words`, which
 * is the empty list (`scope: ''`: no scopes asked for). Keys the table does not know
 * (a newer authctl's) are returned apart, as they are, never among the typed ones.
 */
export function parseParams(flow: Flow, provider: string, raw: Record<string, unknown>): ParsedParams {
  const table = tableOf(flow, provider);
  const typed: Array<[string, unknown]> = [];
  const unknown: Array<[string, ParamValue]> = [];
  for (const [k, v] of Object.entries(raw)) {
    const kind = Object.hasOwn(table, k) ? table[k] : undefined;
    if (kind === undefined) {
      if (!isParam(v)) return { ok: false, field: 'params' };
      unknown.push([k, v]);
      continue;
    }
    // `scope: ''` is no scopes asked for (what older versions wrote then): an empty list.
    if (v === null || (v === '' && kind !== 'words')) continue;
    const t = convert(kind, v);
    if (t === undefined) return { ok: false, field: `params.${k}` };
    // No resources is the same as none recorded.
    if (kind === 'uris' && (t as string[]).length === 0) continue;
    typed.push([k, t]);
  }
  return {
    ok: true,
    params: Object.fromEntries(typed),
    unknown: unknown.length ? Object.fromEntries(unknown) : undefined,
  };
}

/**
 * The parameters as the store file keeps them (version 1's shapes): `scope` space-joined, one
 * resource as a string, then the keys this build does not know, unchanged. What is saved, and what
 * `token inspect` and the JSON summaries show.
 */
export function storedParams(
  flow: Flow,
  provider: string,
  params: object,
  unknown: Record<string, ParamValue> | undefined,
): Record<string, ParamValue> {
  const table = tableOf(flow, provider);
  const out: Array<[string, ParamValue]> = [];
  for (const [k, v] of Object.entries(params) as Array<[string, ParamValue | undefined]>) {
    if (v === undefined) continue;
    const kind = Object.hasOwn(table, k) ? table[k] : undefined;
    if (kind === 'words' && Array.isArray(v)) out.push([k, v.join(' ')]);
    else if (kind === 'uris' && Array.isArray(v) && v.length === 0) continue;
    else if (kind === 'uris' && Array.isArray(v) && v.length === 1) out.push([k, v[0]!]);
    else out.push([k, v]);
  }
  for (const [k, v] of Object.entries(unknown ?? {})) if (!Object.hasOwn(params, k)) out.push([k, v]);
  return Object.fromEntries(out);
}
