/**
 * Corrupt or foreign stores on the login path (the token commands are covered in
 * test/e2e/token.test.ts, the store itself in test/store/store.test.ts): a login against an
 * unparseable, truncated, non-object or newer-schema store fails with exit 1 and one line naming
 * the file, leaves the file byte for byte, and leaves no lock or temp file; a damaged profile
 * survives a login to another profile; a login through a group-readable store and directory
 * tightens them to 0600/0700 with a warning on stderr only.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  actigraphArgs,
  actigraphEnv,
  DEFAULT_IDS_CLIENTS,
  useIdentityServer,
} from '../fakes/identityserver.js';
import { useFakeLauncher } from '../fakes/safe-launcher.js';
import { safeAuthorizeArgs } from '../helpers/args.js';
import { assertFailure } from '../helpers/assert.js';
import { readStore, runCli, sampleProfile, tempConfigDir, writeStore } from '../helpers/cli.js';

const CI = DEFAULT_IDS_CLIENTS[0]!;
const ids = useIdentityServer();
const launcher = useFakeLauncher({ policy: 'allow' });

const healthy = JSON.stringify({ version: 1, profiles: { keep: sampleProfile() } }, null, 2);
const corruptions: Array<[string, string, RegExp]> = [
  ['unparseable', 'this is { not json', /is not valid JSON/],
  ['truncated', healthy.slice(0, Math.floor(healthy.length / 2)), /is not valid JSON/],
  ['a JSON array', '[{"version":1}]', /is not a JSON object/],
  ['profiles not an object', '{"version":1,"profiles":"x"}', /invalid 'profiles' field/],
  [
    'a newer schema',
    '{"version":99,"profiles":{"keep":{"future":true}}}',
    /written by a newer authctl \(schema 99/,
  ],
];

const logins: Array<[string, () => string[], Record<string, string>]> = [
  ['actigraph token', () => actigraphArgs(ids().tokenUrl, [], CI), actigraphEnv(CI)],
  [
    'oauth client-credentials',
    () => ['oauth', 'client-credentials', '--token-url', ids().tokenUrl, '--client-id', CI.id, '--print'],
    { AUTHCTL_CLIENT_SECRET: CI.secret },
  ],
  ['safe authorize', () => safeAuthorizeArgs(launcher().url), {}],
];

for (const [what, text, message] of corruptions) {
  test(`a login against ${what} store: exit 1 naming the file, file byte for byte, nothing else written`, async (t) => {
    const { dir, cleanup } = tempConfigDir();
    try {
      const file = writeStore(dir, text);
      const before = fs.readFileSync(file);
      const tokenRequests = ids().requests.length;
      const posts = launcher().requestsTo('POST', '/auth').length;
      const results = await Promise.all(
        logins.map(([, args, env]) => runCli([...args(), '--verbose'], { configDir: dir, env })),
      );
      for (const [i, r] of results.entries()) {
        const line = assertFailure(r, 1, message);
        assert.ok(line.includes(file), `${logins[i]![0]}: ${line}`);
      }
      assert.deepEqual(fs.readFileSync(file), before, 'the store is left byte for byte');
      assert.deepEqual(fs.readdirSync(dir), ['config.json'], 'no lock or temp file');
      // The client-credentials logins read the store (cache check) before any request.
      assert.equal(ids().requests.length, tokenRequests, 'no token was requested only to be thrown away');
      t.diagnostic(
        `safe authorize reached the Launcher ${launcher().requestsTo('POST', '/auth').length - posts} time(s)`,
      );
    } finally {
      cleanup();
    }
  });
}

test('a damaged profile survives logins to other profiles; a login to its name replaces it', async () => {
  const { dir, cleanup } = tempConfigDir();
  try {
    const damaged = {
      provider: 'oauth',
      flow: 'client_credentials',
      tokenType: 'Bearer',
      note: 'no token field',
    };
    const future = sampleProfile({
      params: { fromAFutureBuild: ['x'] },
      details: { anything: { nested: 1 } },
    });
    writeStore(dir, { version: 1, profiles: { damaged, future } });
    const args = actigraphArgs(ids().tokenUrl, [], CI);
    const env = actigraphEnv(CI);
    const r = await runCli([...args, '--profile', 'fresh', '--print'], { configDir: dir, env });
    assert.equal(r.code, 0, r.stderr);
    let store = readStore(dir);
    assert.deepEqual(store.profiles.damaged, damaged, 'kept exactly as it was');
    assert.deepEqual(store.profiles.future, future);
    assert.equal(store.profiles.fresh?.token, r.stdout.trim());

    const list = await runCli(['token', 'list', '--json'], { configDir: dir });
    assert.equal(list.code, 0, list.stderr);
    const names = (JSON.parse(list.stdout) as Array<{ profile: string }>).map((p) => p.profile).sort();
    assert.deepEqual(names, ['fresh', 'future']);
    assert.match(list.stderr, /damaged/);

    const again = await runCli([...args, '--profile', 'damaged'], { configDir: dir, env });
    assert.equal(again.code, 0, again.stderr);
    store = readStore(dir);
    assert.equal(typeof store.profiles.damaged?.token, 'string', 'the login replaced the damaged profile');
    assert.deepEqual(store.profiles.future, future);
  } finally {
    cleanup();
  }
});

test('a login through a group/other-readable store and directory tightens them to 0600/0700, warning on stderr only', async () => {
  const { dir, cleanup } = tempConfigDir();
  try {
    const file = writeStore(dir, { version: 1, profiles: { keep: sampleProfile() } });
    fs.chmodSync(file, 0o644);
    fs.chmodSync(dir, 0o755);
    const r = await runCli(actigraphArgs(ids().tokenUrl, ['--print'], CI), {
      configDir: dir,
      env: actigraphEnv(CI),
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^[\x21-\x7e]+\n$/, 'stdout is the token only');
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning:'));
    assert.ok(
      warnings.some((w) => w.includes(file) && /0?600/.test(w)),
      `a warning names the store: ${r.stderr}`,
    );
    assert.ok(
      warnings.some((w) => w.includes(`${dir} `) && /0?700/.test(w)),
      `a warning names the directory: ${r.stderr}`,
    );
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    assert.deepEqual(Object.keys(readStore(dir).profiles).sort(), ['actigraph', 'keep']);
    assert.deepEqual(fs.readdirSync(dir).sort(), [path.basename(file)]);
  } finally {
    cleanup();
  }
});
