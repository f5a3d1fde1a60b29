#!/usr/bin/env node
/**
 * Post-suite secrets check (docs/security.md: never print a token, key, code, verifier or
 * secret, except the token on stdout of token print/header/export and --print). test/run.mjs runs
 * the suite with AUTHCTL_TEST_LEAK_DIR set, so the fakes record every secret they issued or received
 * and runCli / testContext record everything authctl wrote (test/helpers/leaks.ts); this script
 * then fails where a secret appears outside the places the contract allows:
 *
 * - stderr (with or without --verbose, error lines included): no secret of any kind. The one
 *   exception is the Pryv consent URL, which carries the poll key and must be shown to the user.
 * - stdout: an access token only for `token print|header|export`, `exec`, `--print` and
 *   `token inspect --show-token`; ID tokens with `--show-token`, `token print --id-token` and
 *   `token export`/`exec` (AUTHCTL_ID_TOKEN); refresh tokens only with `--show-token`; a Pryv poll key
 *   only with `pryv request --no-wait` (its JSON names the key); client secrets, authorization codes
 *   and PKCE verifiers never. In-process flow tests (no argv) may print access tokens and keys.
 *
 * Usage: node test/reliability/leak-check.mjs <dir>
 */
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
if (!dir || !fs.existsSync(dir)) {
  console.error('leak check: no record directory given');
  process.exit(2);
}

const readJsonl = (prefix) =>
  fs
    .readdirSync(dir)
    .filter((f) => f.startsWith(prefix))
    .flatMap((f) =>
      fs
        .readFileSync(path.join(dir, f), 'utf8')
        .split('\n')
        .filter(Boolean)
        .flatMap((l) => {
          try {
            return [JSON.parse(l)];
          } catch {
            return [];
          }
        }),
    );

/**
 * Per test file (each runs in its own process with its own fakes and stores, so a secret can only
 * reach outputs of the same file; matching across files gives false alarms such as one file's
 * client secret 'refresh-secret' inside another file's hand-written 'refresh-secret-value-1234'):
 * value → the kinds it was recorded as (an access token also echoed as `token` stays an access token).
 */
const secretsByTest = new Map();
const consentBases = new Set();
let secretCount = 0;
for (const s of readJsonl('secrets-')) {
  if (s.kind === 'consentUrl') {
    consentBases.add(String(s.value).split(/[?#]/)[0]);
    continue;
  }
  const secrets = secretsByTest.get(s.test) ?? new Map();
  secretsByTest.set(s.test, secrets);
  const e = secrets.get(s.value) ?? { kinds: new Set(), sources: new Set() };
  if (!secrets.has(s.value)) secretCount++;
  e.kinds.add(s.kind);
  e.sources.add(s.source);
  secrets.set(s.value, e);
}
const outputs = readJsonl('outputs-');

/** The strictest reading that is still consistent: a value ever issued as an access token is one. */
function kindOf(kinds) {
  for (const k of ['access', 'id', 'refresh', 'pollKey', 'code', 'verifier', 'clientSecret'])
    if (kinds.has(k)) return k;
  return 'clientSecret';
}

function stdoutAllows(kind, o) {
  const a = o.args ?? [];
  const has = (f) => a.includes(f);
  if (o.via === 'context') return kind === 'access' || kind === 'pollKey' || kind === 'id';
  switch (kind) {
    case 'access':
      return (
        (a[0] === 'token' && ['print', 'header', 'export'].includes(a[1])) ||
        a[0] === 'exec' ||
        has('--print') ||
        has('--show-token')
      );
    case 'id':
      // `token print --id-token` prints it; `token export` and `exec` carry it as AUTHCTL_ID_TOKEN.
      return (
        has('--show-token') ||
        (a[0] === 'token' && a[1] === 'print' && has('--id-token')) ||
        (a[0] === 'token' && a[1] === 'export') ||
        a[0] === 'exec'
      );
    case 'refresh':
      return has('--show-token');
    case 'pollKey':
      return has('--no-wait');
    default:
      return false;
  }
}

const mask = (v) => (v.length <= 12 ? '***' : `${v.slice(0, 4)}…${v.slice(-4)}`);
const violations = [];
for (const o of outputs) {
  const stderr = String(o.stderr ?? '').replace(/https?:\/\/\S+/g, (u) =>
    [...consentBases].some((b) => u.startsWith(b)) ? '<consent-url>' : u,
  );
  const stdout = String(o.stdout ?? '');
  for (const [value, e] of secretsByTest.get(o.test) ?? []) {
    const kind = kindOf(e.kinds);
    for (const [stream, text] of [
      ['stderr', stderr],
      ['stdout', stdout],
    ]) {
      if (!text.includes(value)) continue;
      if (stream === 'stdout' && stdoutAllows(kind, o)) continue;
      const line = text.split('\n').find((l) => l.includes(value)) ?? '';
      violations.push({
        test: o.test,
        via: o.via,
        args: o.args,
        kind,
        stream,
        secret: mask(value),
        line: line.replaceAll(value, `<${kind}>`).slice(0, 300),
      });
    }
  }
}

const byKind = {};
for (const secrets of secretsByTest.values()) {
  for (const e of secrets.values()) {
    const k = kindOf(e.kinds);
    byKind[k] = (byKind[k] ?? 0) + 1;
  }
}
const cli = outputs.filter((o) => o.via === 'cli').length;
const summary = `${outputs.length} outputs checked (${cli} CLI runs, ${outputs.length - cli} in-process contexts) against ${secretCount} secrets from ${secretsByTest.size} test files (${Object.entries(
  byKind,
)
  .map(([k, n]) => `${n} ${k}`)
  .join(', ')})`;
if (violations.length) {
  console.error(`\n✖ leak check: ${violations.length} secret(s) where the contract forbids them; ${summary}`);
  for (const v of violations.slice(0, 50)) {
    console.error(
      `  ${v.test}: ${v.via}${v.args ? ` \`authctl ${v.args.join(' ')}\`` : ''}: ${v.kind} ${v.secret} on ${v.stream}: ${v.line}`,
    );
  }
  process.exit(1);
}
console.error(`\n✔ leak check: no secret where the contract forbids it; ${summary}`);
