/**
 * A store writer to be SIGKILLed at random moments (test/reliability/crash.test.ts), bundled with
 * esbuild so each copy starts fast. It saves profiles p0…p{count-1} one after the other, each save a
 * full atomic rewrite of a ~100 KB store through the real TokenStore, with token `g<gen>-p<i>`.
 *
 * argv: <configDir> <generation> <count>
 */
import type { Profile } from '../../src/store/profile.js';
import { TokenStore } from '../../src/store/store.js';

const [dir, gen, count] = process.argv.slice(2) as [string, string, string];
const store = new TokenStore({ AUTHCTL_CONFIG_DIR: dir });
// Bulk, so that each write takes long enough for a kill to land inside it.
const filler = 'x'.repeat(3000);
process.stdout.write('ready\n');
for (let i = 0; i < Number(count); i++) {
  const profile: Profile = {
    provider: 'oauth',
    flow: 'client_credentials',
    token: `g${gen}-p${i}`,
    tokenType: 'Bearer',
    obtainedAt: '2026-01-01T00:00:00Z',
    expiresAt: null,
    subject: `p${i}`,
    scopes: [],
    params: {},
    unknownParams: { filler, generation: Number(gen) },
  };
  await store.save(`p${i}`, profile);
}
process.stdout.write('done\n');
