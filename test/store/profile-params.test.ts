/**
 * Typed profile parameters: each flow's keys are validated once when the store is read (a wrong
 * type names the field), `null` and `''` read as absent, older shapes become the typed ones, and
 * keys a newer authctl wrote are kept apart — out of the typed params, back in what is saved.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Profile, parseProfile, savedParams } from '../../src/store/profile.js';
import { cleanProfile } from '../../src/store/store.js';
import { sampleProfile } from '../helpers/cli.js';

const parsed = (over: Record<string, unknown>): Profile => {
  const r = parseProfile(sampleProfile(over));
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.profile;
};
const reason = (over: Record<string, unknown>) => {
  const r = parseProfile(sampleProfile(over));
  return r.ok ? 'ok' : r.reason;
};

test('a known parameter of the wrong type makes the profile damaged, naming the field', () => {
  const table: Array<[Record<string, unknown>, string]> = [
    [{ params: { tokenUrl: 5 } }, 'params.tokenUrl'],
    [{ params: { clientId: true } }, 'params.clientId'],
    [{ params: { confidential: 'yes' } }, 'params.confidential'],
    [{ params: { scope: 7 } }, 'params.scope'],
    [{ params: { resource: false } }, 'params.resource'],
    [{ params: { tokenParams: 'a=b' } }, 'params.tokenParams'],
    [{ params: { defaultExpiresIn: '1800' } }, 'params.defaultExpiresIn'],
    [{ params: { defaultExpiresIn: Number.NaN } }, 'params.defaultExpiresIn'],
    [{ flow: 'pryv-access', provider: 'pryv', params: { permissions: 'diary:read' } }, 'params.permissions'],
    [{ flow: 'pryv-access', provider: 'pryv', params: { apiEndpoint: ['x'] } }, 'params.apiEndpoint'],
    [{ flow: 'safe-launcher', provider: 'safe', params: { launcherUrl: 8100 } }, 'params.launcherUrl'],
    [{ flow: 'authorization_code', params: { par: 'true' } }, 'params.par'],
    [{ flow: 'device_code', params: { deviceUrl: 1 } }, 'params.deviceUrl'],
    [{ flow: 'token_exchange', params: { subjectTokenFile: {} } }, 'params.subjectTokenFile'],
    [{ flow: 'authorization_code', provider: 'liveperson', params: { account: 12345678 } }, 'params.account'],
  ];
  for (const [over, field] of table) {
    assert.equal(reason(over), `missing or invalid field '${field}'`, JSON.stringify(over));
  }
});

test("null and '' in a known parameter read as absent, not as damage; scope '' is no scopes", () => {
  const pryv = parsed({
    flow: 'pryv-access',
    provider: 'pryv',
    params: { apiEndpoint: 'https://a.example/', username: null, serviceInfoUrl: null, appId: '' },
  });
  assert.deepEqual(pryv.params, { apiEndpoint: 'https://a.example/' });
  const cc = parsed({ params: { clientId: 'svc', tokenUrl: '', scope: '', resource: null, caFile: null } });
  assert.deepEqual(cc.params, { clientId: 'svc', scope: [] });
  // Saved back: '' stays the empty scope 0.1 wrote; absent keys stay absent.
  assert.deepEqual(savedParams(cc), { clientId: 'svc', scope: '' });
});

test('older shapes become typed values and are saved back in the same shapes', () => {
  const one = parsed({ params: { scope: 'a  b', resource: 'urn:one', tokenParams: ['x=1'] } });
  assert.deepEqual(one.params, { scope: ['a', 'b'], resource: ['urn:one'], tokenParams: ['x=1'] });
  assert.deepEqual(savedParams(one), { scope: 'a b', resource: 'urn:one', tokenParams: ['x=1'] });
  const two = parsed({ params: { resource: ['urn:a', 'urn:b'], scope: ['a', 'b'] } });
  assert.deepEqual(two.params, { resource: ['urn:a', 'urn:b'], scope: ['a', 'b'] });
  assert.deepEqual(savedParams(two), { resource: ['urn:a', 'urn:b'], scope: 'a b' });
});

test('keys this build does not know are kept apart: not typed, but saved and shown again', () => {
  const p = parsed({ params: { clientId: 'svc', futureKey: 'v', futureList: ['a'], futureNull: null } });
  assert.deepEqual(p.params, { clientId: 'svc' });
  assert.ok(!('futureKey' in p.params), 'not reachable through the typed params');
  assert.deepEqual(p.unknownParams, { futureKey: 'v', futureList: ['a'], futureNull: null });
  assert.deepEqual(savedParams(p), { clientId: 'svc', futureKey: 'v', futureList: ['a'], futureNull: null });
  // What the store writes: the unknown keys back among the params, no field of their own.
  const stored = cleanProfile(p);
  assert.deepEqual(stored.params, savedParams(p));
  assert.ok(!('unknownParams' in stored));
  // A key known to another flow is unknown to this one (a Pryv key on a client-credentials profile).
  assert.deepEqual(parsed({ params: { apiEndpoint: 'https://a.example/' } }).unknownParams, {
    apiEndpoint: 'https://a.example/',
  });
  // An unknown key must still be a parameter value.
  assert.equal(reason({ params: { futureKey: { nested: 1 } } }), "missing or invalid field 'params'");
});

test('a LivePerson login has its account keys; another provider of the same flow does not', () => {
  const keys = { account: '123', domain: 'lo.example', revokeUrl: 'https://r', domainFlag: 'lo.example' };
  const lp = parsed({ provider: 'liveperson', flow: 'authorization_code', params: keys });
  assert.deepEqual(lp.params, keys);
  assert.equal(lp.unknownParams, undefined);
  const generic = parsed({ provider: 'oauth', flow: 'authorization_code', params: keys });
  assert.deepEqual(generic.params, {});
  assert.deepEqual(generic.unknownParams, keys);
});

test('a parameter named like an Object.prototype member is data, not a prototype', () => {
  const raw = JSON.parse('{"__proto__": "x", "constructor": "y", "clientId": "svc"}');
  const p = parsed({ params: raw });
  assert.deepEqual(p.params, { clientId: 'svc' });
  assert.equal(Object.getPrototypeOf(p.unknownParams), Object.prototype);
  assert.deepEqual(Object.keys(p.unknownParams!), ['__proto__', 'constructor']);
  assert.deepEqual(Object.keys(savedParams(p)), ['clientId', '__proto__', 'constructor']);
});
