/**
 * No silent surprises with profiles, through the built binary: a login never replaces a profile of
 * another provider, flow, client or account unless the name was typed with --profile or --replace
 * is passed (and it refuses before any request or browser step); the same login again is renewal;
 * provider commands pick the only profile of their provider; AUTHCTL_PROFILE errors name the
 * variable; logins say how renewal will work.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  actigraphArgs,
  actigraphEnv,
  DEFAULT_IDS_CLIENTS,
  useIdentityServer,
} from '../fakes/identityserver.js';
import { useFakeLauncher } from '../fakes/safe-launcher.js';
import { oauthLoginArgs } from '../helpers/args.js';
import { configDirPerTest, readStore, runCli, sampleProfile, writeStore } from '../helpers/cli.js';

const [CI, LIMITED] = [DEFAULT_IDS_CLIENTS[0]!, DEFAULT_IDS_CLIENTS[1]!];
const ids = useIdentityServer();
const launcher = useFakeLauncher();
const configDir = configDirPerTest();
const run = (args: string[], env: Record<string, string | undefined> = {}) =>
  runCli(args, { configDir: configDir(), env });

const refusal =
  /^error: profile 'actigraph' holds another login \(actigraph client_credentials, client ci-client\); this one \(actigraph client_credentials, client limited-client\) would replace it\. Pass --profile <name> to save it under another name, or --replace to overwrite 'actigraph'\.\n$/;

test('actigraph token with another --client-id: exit 2 naming --profile and --replace, before any request', async () => {
  const first = await run(actigraphArgs(ids().tokenUrl, [], CI), actigraphEnv(CI));
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /renewal needs AUTHCTL_CLIENT_SECRET \(the secret was not saved\)\.\n$/);
  const saved = readStore(configDir()).profiles.actigraph;
  const requests = ids().requests.length;

  const second = await run(
    actigraphArgs(ids().tokenUrl, [], { id: 'limited-client' }),
    actigraphEnv(LIMITED),
  );
  assert.equal(second.code, 2, second.stderr);
  assert.match(second.stderr, refusal);
  assert.equal(second.stdout, '');
  assert.equal(ids().requests.length, requests, 'no request was sent');
  assert.deepEqual(readStore(configDir()).profiles.actigraph, saved, 'the profile is untouched');

  // The same client again is renewal: silent (--force fetches anew).
  const again = await run(actigraphArgs(ids().tokenUrl, ['--force'], CI), actigraphEnv(CI));
  assert.equal(again.code, 0, again.stderr);
  assert.doesNotMatch(again.stderr, /error/);
});

test('the name typed with --profile, or --replace, lets a login overwrite another kind of profile', async () => {
  assert.equal((await run(actigraphArgs(ids().tokenUrl, [], CI), actigraphEnv(CI))).code, 0);
  const typed = await run(
    actigraphArgs(ids().tokenUrl, ['--profile', 'actigraph', '--save-secret'], LIMITED),
    actigraphEnv(LIMITED),
  );
  assert.equal(typed.code, 0, typed.stderr);
  assert.match(typed.stderr, /authctl will renew it with the saved client secret\.\n$/);
  assert.equal(readStore(configDir()).profiles.actigraph!.subject, LIMITED.id);
  const replaced = await run(actigraphArgs(ids().tokenUrl, ['--replace'], CI), actigraphEnv(CI));
  assert.equal(replaced.code, 0, replaced.stderr);
  assert.equal(readStore(configDir()).profiles.actigraph!.subject, CI.id);
});

test('oauth login over an oauth client-credentials profile: refused before the browser step', async () => {
  writeStore(configDir(), {
    version: 1,
    profiles: { oauth: sampleProfile({ params: { clientId: 'svc' } }) },
  });
  const r = await run(oauthLoginArgs('cli-app', null, '--no-open'));
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /^error: profile 'oauth' holds another login \(oauth client_credentials, client svc\); this one \(oauth authorization_code, client cli-app\) would replace it\. Pass --profile <name> .* or --replace to overwrite 'oauth'\.\n$/,
  );
  assert.doesNotMatch(r.stderr, /Open this URL/);
});

test('safe status without a name picks the only SAFE profile, whatever else is saved', async () => {
  const app = { name: 'UX', id: 'net.example.ux', version: '1', vendor: 'Example' };
  const token = launcher().mint(app, ['SAFE_DRIVE_ACCESS']);
  writeStore(configDir(), {
    version: 1,
    profiles: {
      ci: sampleProfile(),
      mine: sampleProfile({
        provider: 'safe',
        flow: 'safe-launcher',
        token,
        subject: app.id,
        params: { launcherUrl: launcher().url, appId: app.id },
      }),
    },
  });
  const r = await run(['safe', 'status']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /token of profile 'mine'/);
  // The token commands keep the global rule: two profiles, no name → exit 2.
  const t = await run(['token', 'inspect']);
  assert.equal(t.code, 2);
  assert.match(t.stderr, /several profiles exist \(ci, mine\)/);
});

test('liveperson logout without a name picks the only LivePerson profile', async () => {
  writeStore(configDir(), {
    version: 1,
    profiles: {
      ci: sampleProfile(),
      lp: sampleProfile({
        provider: 'liveperson',
        flow: 'authorization_code',
        params: { account: '12345678', clientId: 'c', domain: 'sentinel.example.com' },
      }),
    },
  });
  const r = await run(['liveperson', 'logout', '--yes'], { AUTHCTL_CLIENT_SECRET: 'x' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Deleted profile 'lp'/);
  assert.deepEqual(Object.keys(readStore(configDir()).profiles), ['ci']);
});

test('AUTHCTL_PROFILE naming no profile: the error says the name came from the variable', async () => {
  writeStore(configDir(), { version: 1, profiles: { ci: sampleProfile() } });
  for (const args of [
    ['token', 'print'],
    ['token', 'inspect'],
    ['exec', '--', 'true'],
  ]) {
    const r = await run(args, { AUTHCTL_PROFILE: 'nope' });
    assert.equal(r.code, 4, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(
      r.stderr,
      "error: no profile named 'nope' (the name comes from AUTHCTL_PROFILE). Set AUTHCTL_PROFILE to one of ci, or unset it.\n",
    );
  }
});
