/**
 * Property tests (fast-check) on the flag parsers and the shell quoting of `token export`: random
 * input gives a valid value or a usage error (exit 2), never another exception; quoted values
 * survive `eval` in a real bash byte for byte and run nothing, whatever bytes a token holds (the
 * store refuses such tokens, so this is checked on the quoting functions themselves).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { parseDuration, parseProfileName, parseScopes } from '../../src/cli/parse.js';
import { ExitCode, UsageError } from '../../src/errors.js';
import { quoteDotenv, quotePosix, renderExports, type ShellKind } from '../../src/lib/shell.js';
import { validateAccount } from '../../src/providers/liveperson/protocol.js';
import { PERMISSION_LEVELS } from '../../src/providers/pryv/constants.js';
import { parsePermission, parsePermissions } from '../../src/providers/pryv/protocol.js';
import { checkApp, checkLauncherUrl, checkPermissions } from '../../src/providers/safe/protocol.js';
import { findShell, runShell } from '../helpers/shells.js';
import { codedOrValid, hostileString, RUNS } from '../reliability/arbitraries.js';

/** A usage error (exit 2) or a value `check` accepts. */
function usageOrValid<T>(fn: () => T, check?: (v: T) => void): void {
  codedOrValid(
    () => {
      try {
        return fn();
      } catch (e) {
        if (e instanceof UsageError) assert.equal(e.exitCode, ExitCode.usage);
        else throw e;
        throw e;
      }
    },
    check,
    false,
  );
}

const durationish = fc.oneof(
  hostileString,
  fc.stringMatching(/^(\d{1,25}(\.\d{1,3})?(ms|h|m|s)){1,4}$/),
  fc.stringMatching(/^\s?\d{1,400}(\.\d+)?\s?$/),
  fc.constantFrom(
    '1h30m',
    '90s',
    '0',
    '0s',
    '250ms',
    '1.5h',
    'h',
    '1x',
    '-1s',
    '1e3',
    'Infinity',
    '9'.repeat(400),
  ),
);

test('parseDuration: a finite, non-negative whole number of ms, or exit 2', () => {
  fc.assert(
    fc.property(durationish, (v) => {
      usageOrValid(
        () => parseDuration(v),
        (ms) => {
          // Timers take at most 2^31-1 ms, but flows clamp; the value itself must be a real number.
          assert.ok(Number.isSafeInteger(ms) && ms >= 0, `${JSON.stringify(v)} → ${ms}`);
        },
      );
    }),
    { numRuns: RUNS * 2 },
  );
});

test('parseDuration agrees with the units: XhYmZs = the sum', () => {
  fc.assert(
    fc.property(fc.nat(99), fc.nat(59), fc.nat(59), (h, m, s) => {
      assert.equal(parseDuration(`${h}h${m}m${s}s`), ((h * 60 + m) * 60 + s) * 1000);
      assert.equal(parseDuration(String(s)), s * 1000);
    }),
    { numRuns: RUNS },
  );
});

test('parseScopes: no empty, duplicate or whitespace-holding scope; joining and re-parsing is stable', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(hostileString, fc.constantFrom('a b', ' a  b ', 'a\tb', 'x'))),
      (values) => {
        const out = parseScopes(values);
        assert.equal(new Set(out).size, out.length);
        for (const s of out) assert.ok(s !== '' && !/\s/.test(s), JSON.stringify(s));
        assert.deepEqual(parseScopes([out.join(' ')]), out);
      },
    ),
    { numRuns: RUNS },
  );
});

test('parseProfileName: a name safe as a file-name part and a JSON key, or exit 2', () => {
  fc.assert(
    fc.property(
      fc.oneof(hostileString, fc.constantFrom('..', '.', '-x', 'a/b', '__proto__', 'a'.repeat(65))),
      (v) => {
        usageOrValid(
          () => parseProfileName(v),
          (name) => {
            assert.equal(name, v);
            assert.match(name, /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);
            assert.ok(!name.includes('/') && name !== '..');
          },
        );
      },
    ),
    { numRuns: RUNS },
  );
});

test('pryv --permission: parsed or exit 2; streamId:level:defaultName round-trips', () => {
  const level = fc.constantFrom(...PERMISSION_LEVELS);
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(
          hostileString,
          fc.constantFrom(':read', 'a:', 'a:write', ':_system:account:read', 'a:read:'),
        ),
        {
          maxLength: 4,
        },
      ),
      (values) => {
        usageOrValid(
          () => parsePermissions(values),
          (perms) => {
            assert.ok(perms.length >= 1);
            for (const p of perms) {
              assert.ok(PERMISSION_LEVELS.includes(p.level));
              assert.ok(p.streamId.trim() !== '' && p.defaultName.trim() !== '');
            }
          },
        );
      },
    ),
    { numRuns: RUNS },
  );
  fc.assert(
    fc.property(
      fc.stringMatching(/^[a-zA-Z0-9_-]{1,12}$/),
      level,
      fc.option(
        fc.string({ minLength: 1 }).filter((s) => s.trim() !== ''),
        { nil: undefined },
      ),
      (streamId, lvl, name) => {
        const p = parsePermission(name === undefined ? `${streamId}:${lvl}` : `${streamId}:${lvl}:${name}`);
        assert.deepEqual(p, { streamId, level: lvl, defaultName: name ?? streamId });
      },
    ),
    { numRuns: RUNS },
  );
});

test('safe --permission/--app-* and --launcher-url, liveperson --account: valid or exit 2', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(hostileString, fc.constantFrom('SAFE_DRIVE_ACCESS', 'LOW_LEVEL_API', 'safe_drive_access')),
      ),
      fc.dictionary(fc.constantFrom('name', 'id', 'version', 'vendor'), hostileString),
      fc.oneof(hostileString, fc.webUrl(), fc.constantFrom('http://localhost:8100', 'http://10.0.0.1:8100')),
      fc.boolean(),
      (perms, app, url, insecure) => {
        usageOrValid(() => checkPermissions(perms));
        usageOrValid(() => checkApp(app));
        usageOrValid(
          () => checkLauncherUrl(url, insecure),
          (base) => {
            const u = new URL(base);
            assert.ok(!base.endsWith('/') && u.search === '' && u.username === '');
          },
        );
        usageOrValid(
          () => validateAccount(url),
          (a) => assert.match(a, /^[A-Za-z0-9]{1,64}$/),
        );
      },
    ),
    { numRuns: RUNS },
  );
});

// ---------------------------------------------------------------------------------------------
// Shell quoting, evaluated in a real bash (bounded: 100 + 50 bash runs).

const bash = findShell('bash');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'authctl-quote-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const canary = path.join(tmp, 'pwned');

/** Any bytes a token could hold (no NUL: no environment variable can), and command-substitution bait. */
const tokenBytes = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({
      unit: fc.constantFrom(
        "'",
        '"',
        '\\',
        '$',
        '`',
        '!',
        '\n',
        '\r',
        ' ',
        '\t',
        '*',
        '~',
        '#',
        ';',
        '&',
        '|',
        '%',
        '^',
        'a',
        'é',
        '\x1b',
      ),
      maxLength: 30,
    }),
    fc.constantFrom(
      `$(touch ${canary})`,
      `\`touch ${canary}\``,
      `'; touch ${canary}; '`,
      `"$(touch ${canary})"`,
    ),
  )
  .map((s) => s.replace(/\0/g, ''));

test('bash export: eval "$(export …)" gives back every value byte for byte and runs nothing', {
  skip: !bash && 'bash not installed',
}, () => {
  fc.assert(
    fc.property(tokenBytes, tokenBytes, (token, header) => {
      const out = renderExports(
        [
          ['AUTHCTL_TOKEN', token],
          ['AUTHCTL_AUTHORIZATION', `Bearer ${header}`],
        ],
        'bash',
      );
      const file = path.join(tmp, 'exports.sh');
      fs.writeFileSync(file, out);
      // printf %s with a separator that the generator never produces, then split.
      const r = runShell(
        bash!,
        `eval "$(cat '${file}')"; printf '%s\\0%s' "$AUTHCTL_TOKEN" "$AUTHCTL_AUTHORIZATION"`,
      );
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.stdout.split('\0'), [token, `Bearer ${header}`]);
      assert.equal(fs.existsSync(canary), false, 'a command ran during eval');
      assert.ok(quotePosix(token).startsWith("'") && quotePosix(token).endsWith("'"));
    }),
    { numRuns: 100 },
  );
});

test('dotenv: a value is either refused (exit 2) or read back verbatim by `set -a; . ./.env`', {
  skip: !bash && 'bash not installed',
}, () => {
  fc.assert(
    fc.property(tokenBytes, (v) => {
      let line: string;
      try {
        line = `V=${quoteDotenv(v, 'V')}\n`;
      } catch (e) {
        assert.ok(e instanceof UsageError);
        return;
      }
      const file = path.join(tmp, '.env');
      fs.writeFileSync(file, line);
      const r = runShell(bash!, `set -a; . '${file}'; printf '%s' "$V"`);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, v);
      assert.equal(fs.existsSync(canary), false, 'a command ran while sourcing');
    }),
    { numRuns: 50 },
  );
});

test('every shell: renderExports gives one assignment line per variable or refuses with exit 2', () => {
  const shells: ShellKind[] = ['bash', 'zsh', 'fish', 'powershell', 'cmd', 'dotenv'];
  fc.assert(
    fc.property(tokenBytes, fc.constantFrom(...shells), (v, shell) => {
      usageOrValid(
        () => renderExports([['AUTHCTL_TOKEN', v]], shell),
        (out) => {
          assert.ok(out.endsWith('\n'));
          // A line break inside a value is only ever inside quotes: the first line starts the assignment.
          assert.match(out, /^(export |set -gx |\$env:|set "|)AUTHCTL_TOKEN/);
        },
      );
    }),
    { numRuns: RUNS },
  );
});
