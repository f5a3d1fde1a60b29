/**
 * The sandbox as a whole: flag and --clients parsing (usage errors before anything listens), the
 * fixed port layout of --port, the description `--json` prints, and IdentityServer's error shapes.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { UsageError } from '../../src/errors.js';
import { parseBasePort, parseClients, parseProviders, startSandbox } from '../../src/sandbox/index.js';
import { freePort } from '../../src/sandbox/liveperson.js';

test('--provider, --port and --clients are validated as usage errors', () => {
  assert.deepEqual(parseProviders(undefined), ['pryv', 'safe', 'liveperson', 'actigraph']);
  assert.deepEqual(parseProviders(['actigraph,PRYV', 'pryv']), ['actigraph', 'pryv']);
  assert.throws(
    () => parseProviders(['pryv,okta']),
    (e) => e instanceof UsageError && /unknown provider 'okta'/.test(e.message),
  );
  assert.equal(parseBasePort('9400'), 9400);
  for (const bad of ['0', '65534', 'x', '9.5', '-1'])
    assert.throws(() => parseBasePort(bad), UsageError, bad);
  assert.throws(() => parseClients('{', 'c.json'), /c\.json is not valid JSON/);
  assert.throws(() => parseClients('{"okta":{}}', 'c.json'), /unknown key 'okta'/);
  assert.throws(
    () => parseClients('{"actigraph":{"clients":[{"id":"a"}]}}', 'c.json'),
    /needs a non-empty 'id' and 'secret'/,
  );
  assert.throws(() => parseClients('{"liveperson":{"redirectUris":["not a url"]}}', 'c.json'), /invalid URL/);
  for (const u of ['"x"', '{"login":"a"}', '{"login":"","password":"p"}', '{"login":"a","password":7}'])
    assert.throws(
      () => parseClients(`{"liveperson":{"users":[{"login":"ok","password":"ok"},${u}]}}`, 'c.json'),
      /'liveperson\.users\[1\]' needs a non-empty 'login' and 'password'/,
      u,
    );
  assert.deepEqual(
    parseClients(
      '{"liveperson":{"users":[{"login":"a","password":"p","id":"u-1"},{"login":"b","password":"q"}]}}',
      'c.json',
    ),
    {
      liveperson: {
        users: [
          { login: 'a', password: 'p', id: 'u-1' },
          { login: 'b', password: 'q' },
        ],
      },
    },
  );
  assert.throws(() => parseClients('{"pryv":{"username":"A"}}', 'c.json'), /pryv.username/);
  assert.deepEqual(parseClients('{"actigraph":{"clients":[{"id":"a","secret":"s"}]}}', 'c.json'), {
    actigraph: {
      clients: [
        { id: 'a', secret: 's', scopes: ['CentrePoint', 'DataAccess', 'Analytics', 'DataRetrieval'] },
      ],
    },
  });
});

test('--port B puts pryv, safe, liveperson and actigraph on B..B+3; a taken port is a clear failure', async () => {
  // Four consecutive free ports (retry until found).
  let base = 0;
  for (let i = 0; i < 20 && !base; i++) {
    const p = await freePort();
    if (p > 65000) continue;
    const probes = await Promise.all([1, 2, 3].map((d) => canListen(p + d)));
    if (probes.every(Boolean)) base = p;
  }
  assert.ok(base, 'found four free ports');
  const sb = await startSandbox({ providers: ['actigraph', 'pryv'], basePort: base, approve: 'auto' });
  try {
    const d = sb.describe();
    assert.equal(d.pryv?.url, `http://127.0.0.1:${base}`);
    assert.equal(d.actigraph?.url, `http://127.0.0.1:${base + 3}`);
    assert.equal(d.safe, undefined);
    const again = startSandbox({ providers: ['pryv'], basePort: base, approve: 'auto' });
    await assert.rejects(again, /cannot listen on 127\.0\.0\.1:\d+ for pryv \(the port is in use\)/);
  } finally {
    await sb.close();
  }
  assert.ok(await canListen(base), 'closed: the port is free again');
});

test('IdentityServer: invalid_client is HTTP 400 JSON; an omitted scope grants all the client may have', async () => {
  const sb = await startSandbox({
    providers: ['actigraph'],
    approve: 'auto',
    clients: {
      actigraph: { clients: [{ id: 'ci', secret: 'ci-secret-1', scopes: ['CentrePoint', 'Analytics'] }] },
    },
  });
  try {
    const url = sb.describe().actigraph!.tokenUrl;
    const post = (body: string) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const bad = await post('grant_type=client_credentials&client_id=ci&client_secret=wrong');
    assert.equal(bad.status, 400);
    assert.deepEqual(await bad.json(), { error: 'invalid_client' });
    assert.equal(bad.headers.get('cache-control'), 'no-store, no-cache, max-age=0');
    const scope = await post(
      'grant_type=client_credentials&client_id=ci&client_secret=ci-secret-1&scope=DataAccess',
    );
    assert.deepEqual(await scope.json(), { error: 'invalid_scope' });
    const all = (await (
      await post('grant_type=client_credentials&client_id=ci&client_secret=ci-secret-1')
    ).json()) as Record<string, unknown>;
    assert.equal(all.scope, 'CentrePoint Analytics');
    assert.equal(all.expires_in, 3600);
    assert.equal(all.token_type, 'Bearer');
  } finally {
    await sb.close();
  }
});

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}
