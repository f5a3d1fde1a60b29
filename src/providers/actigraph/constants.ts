/**
 * ActiGraph CentrePoint preset: the token endpoint, the documented scopes and how the service wants
 * the client to authenticate. Pure constants and checks. Sources: docs/protocol-notes/actigraph.md.
 */

/** Token endpoint: the README's authorization base URL + `/connect/token` (`sections/authorization.md`). */
export const ACTIGRAPH_TOKEN_URL = 'https://auth.actigraphcorp.com/connect/token';

/** Credentials go in the form body, as `sections/authorization.md` shows. */
export const ACTIGRAPH_AUTH_METHOD = 'client_secret_post';

/** The four documented scopes (`sections/scopes.md`); names are case-sensitive. */
export const ACTIGRAPH_SCOPES = ['CentrePoint', 'DataAccess', 'Analytics', 'DataRetrieval'] as const;

/**
 * Warnings for scopes outside the documented list. They are still sent — the server decides
 * (ActiGraph may add scopes) — but a case slip such as `centrepoint` is pointed out.
 */
export function scopeWarnings(scopes: readonly string[]): string[] {
  const known: readonly string[] = ACTIGRAPH_SCOPES;
  const out: string[] = [];
  for (const s of scopes) {
    if (known.includes(s)) continue;
    const near = known.find((k) => k.toLowerCase() === s.toLowerCase());
    out.push(
      `'${s}' is not one of ActiGraph's documented scopes (${known.join(', ')})` +
        (near ? `; scope names are case-sensitive — did you mean '${near}'?` : '') +
        '; sending it anyway, the server decides.',
    );
  }
  return out;
}
