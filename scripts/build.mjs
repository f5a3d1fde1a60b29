#!/usr/bin/env node
/**
 * Build (esbuild; type checking is `tsc --noEmit`, npm run check):
 * - dist/hot.cjs: the command itself (package.json "bin"; src/hot/main.ts), a few KB. It answers
 *   the hot paths — `token print|header|export` with a fresh token, `--version`, pre-rendered
 *   `--help`, `__complete profiles`, a reusable `actigraph token` — and otherwise requires one of:
 *   - dist/ci.cjs: src/main.ts for `actigraph token`'s CI forms that need a request.
 *   - dist/authctl.cjs: the whole CLI (src/main.ts), for everything else. CommonJS loads faster
 *     than an ESM graph on Node 20 (an esbuild ESM split measured slower: docs/performance.md).
 *     The heavy, ESM-only dependencies stay external and are loaded with import() only where used.
 * - dist/help.json: every `<command> --help` text, rendered by running dist/authctl.cjs with stdout
 *   on a pipe (80 columns, no colour), so the hot entry prints commander's exact bytes.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const version = JSON.parse(readFileSync(`${root}package.json`, 'utf8')).version;

// commander is bundled into the full CLI: only that file loads it.
const external = ['ora', 'open', '@inquirer/prompts', 'chalk', 'uqr', 'jose'];

/** What this build writes under dist/: anything else there is an older build's output. */
const built = new Set(['help.json']);

/** Build one entry to a temp file and rename it into place (a test running the CLI meanwhile never sees half a file). */
async function bundle(entry, outName, extra = {}) {
  built.add(outName);
  const out = `${root}dist/${outName}`;
  const tmp = `${out}.${process.pid}.tmp`;
  await build({
    entryPoints: [`${root}src/${entry}`],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20.18',
    external,
    // import.meta.url has no CommonJS equivalent; give it one (used to find package.json).
    define: { 'import.meta.url': '__authctl_import_meta_url', __AUTHCTL_VERSION__: JSON.stringify(version) },
    banner: { js: 'const __authctl_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
    legalComments: 'none',
    // No comments or indentation for V8 to read and scan on every start (the full bundle is read
    // whole even when one command runs); names are kept for readable stack traces.
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
    ...extra,
  });
  renameSync(tmp, out);
  return out;
}

/**
 * A plugin that leaves out of a bundle each provider's commands.js (commander declarations: an
 * empty register() instead), with `noRelogin` each provider's relogin.js (re-login hints: a
 * loginCommand() that throws), and every import() that `drop(importPath, importer)` names (an
 * import() of a module that throws instead), so that a small entry keeps the provider registry without the code behind it.
 */
const without = (name, drop, { noRelogin = false } = {}) => ({
  name,
  setup(b) {
    // A left-out import() stays a native import() of a module that only throws: no bundled stub and
    // no CommonJS interop helpers at the top of the file; never reached on the paths the entry serves.
    const leftOut = `data:text/javascript,${encodeURIComponent(`throw Error('left out of dist/${name}.cjs')`)}`;
    b.onResolve({ filter: /.*/ }, (args) =>
      args.kind === 'dynamic-import' && drop(args.path, args.importer)
        ? { path: leftOut, external: true }
        : undefined,
    );
    b.onResolve({ filter: /^\.\/commands\.js$/ }, (args) =>
      /[\\/]src[\\/]providers[\\/]/.test(args.importer)
        ? { path: args.path, namespace: 'no-commands' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'no-commands' }, () => ({
      contents: 'export const register = () => {};',
      loader: 'js',
    }));
    if (noRelogin) {
      b.onResolve({ filter: /^\.\/relogin\.js$/ }, (args) =>
        /[\\/]src[\\/]providers[\\/][a-z]+[\\/]index\.ts$/.test(args.importer)
          ? { path: args.path, namespace: 'no-relogin' }
          : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'no-relogin' }, () => ({
        contents: `export const loginCommand = () => { throw new Error("left out of dist/${name}.cjs"); };`,
        loader: 'js',
      }));
    }
  },
});

/**
 * Compile up front what `token print|header|export` call. V8 compiles a function on its first call:
 * reading the file it only pre-parses the body, and the call parses it again in full. A function
 * written `(function …)` is compiled with the file instead (V8's guess for a function called at
 * once), which saves the second pass. So the build runs the entry for those three commands with
 * `--log-function-events`, takes the top-level function declarations that ran, and moves each to
 * the top of the file as `var f=(function(…){…});` — initialised before any other statement runs,
 * as a hoisted declaration was. About 1 % of those commands' instructions (docs/performance.md).
 * Anything unexpected (no function found in the log, another output after the rewrite) fails the build.
 */
async function compileHotFunctionsEagerly(file) {
  const ts = (await import('typescript')).default;
  const dir = mkdtempSync(join(tmpdir(), 'authctl-build-'));
  try {
    const inADay = new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const profile = {
      provider: 'oauth',
      flow: 'client_credentials',
      token: 'build-time-placeholder',
      tokenType: 'Bearer',
      obtainedAt: '2026-01-01T00:00:00Z',
      expiresAt: inADay,
      subject: 'ci',
      scopes: ['read'],
      params: {
        tokenUrl: 'https://id.example/token',
        clientId: 'ci',
        authMethod: 'client_secret_basic',
        scope: 'read',
      },
    };
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ version: 1, profiles: { ci: profile } }), {
      mode: 0o600,
    });
    const env = { PATH: process.env.PATH ?? '', HOME: dir, AUTHCTL_CONFIG_DIR: dir };
    const commands = ['print', 'header', 'export'];
    /** stdout of `token <cmd> ci` run from `path`, with Node flags `flags`. */
    const output = (path, cmd, flags = []) => {
      const r = spawnSync(process.execPath, [...flags, path, 'token', cmd, 'ci'], { env, encoding: 'utf8' });
      if (r.status !== 0 || !r.stdout) throw new Error(`token ${cmd}: exit ${r.status} ${r.stderr}`);
      return r.stdout;
    };
    const starts = new Set();
    const before = commands.map((cmd) => {
      const log = join(dir, `${cmd}.log`);
      const out = output(file, cmd, [
        '--log-function-events',
        `--logfile=${log}`,
        '--no-logfile-per-isolate',
      ]);
      const lines = readFileSync(log, 'utf8')
        .split('\n')
        .map((l) => l.split(','));
      const id = lines.find((f) => f[0] === 'script-details' && f[2] === file)?.[1];
      // A function parsed in full ran (it was compiled lazily, on its first call); older V8s also
      // log its first execution.
      for (const f of lines)
        if (f[0] === 'function' && (f[1] === 'full-parse' || f[1] === 'first-execution') && f[2] === id)
          starts.add(Number(f[3]));
      return out;
    });
    const src = readFileSync(file, 'utf8');
    const sf = ts.createSourceFile(file, src, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
    // V8 logs a function from its parameter list: `(` right after the name.
    const ran = sf.statements.filter(
      (st) =>
        ts.isFunctionDeclaration(st) &&
        st.name &&
        !st.asteriskToken &&
        !st.modifiers &&
        starts.has(st.name.end),
    );
    if (ran.length < 10)
      throw new Error(`eager compile: only ${ran.length} hot functions found in the V8 log`);
    let body = src;
    for (const st of [...ran].reverse()) body = body.slice(0, st.getStart(sf)) + body.slice(st.end);
    const eager = ran
      .map((st) => `var ${st.name.text}=(function${src.slice(st.name.end, st.end)});`)
      .join('');
    const head = /^#![^\n]*\n"use strict";/.exec(body)?.[0];
    if (!head) throw new Error('eager compile: the bundle does not start with a hashbang and "use strict"');
    const tmp = file.replace(/\.cjs$/, `.${process.pid}.tmp.cjs`);
    writeFileSync(tmp, head + eager + body.slice(head.length));
    const after = commands.map((cmd) => output(tmp, cmd));
    if (after.join() !== before.join())
      throw new Error('eager compile: the rewritten entry prints something else');
    renameSync(tmp, file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const hotOptions = {
  // The hot entry uses the provider registry (names, Authorization values, export variables) but
  // never declares commands, runs a flow or prints a re-login hint (any error hands over): no
  // commands.js, no relogin.js, and no import() at all (a flow loaded on demand: revocation…), so
  // neither commander nor any flow lands in dist/hot.cjs.
  plugins: [
    without('hot', () => true, { noRelogin: true }),
    {
      // The bundles src/hot/main.ts hands over to: files beside dist/hot.cjs, required only then.
      name: 'next-bundles',
      setup(b) {
        b.onResolve({ filter: /^\.\/(ci|authctl)\.cjs$/ }, (args) => ({ path: args.path, external: true }));
      },
    },
  ],
  // The hot entry has no import.meta.url, and must not pay for node:url.
  define: { __AUTHCTL_VERSION__: JSON.stringify(version) },
  banner: {},
  // Fewer bytes and tokens for V8 to scan on every `token print`. Names may go too: any error in
  // the hot entry is caught and the full CLI does the job.
  minify: true,
};
const hot = await bundle('hot/main.ts', 'hot.cjs', hotOptions);
await compileHotFunctionsEagerly(hot);
// It is the installed command (package.json "bin"): git's credential helper and kubectl run it by path.
chmodSync(hot, 0o755);

// commander gets its own file, dist/commander.cjs, loaded only when the full program is built:
// the paths that skip commander (actigraph's CI forms, renewals) then do not even parse it.
const commanderPatch = {
  // commander requires node:child_process at load time, only for executable subcommands, which
  // authctl does not use; loading it (with net, dgram and streams) is ~3 ms of every --help.
  name: 'lazy-child-process-in-commander',
  setup(b) {
    b.onLoad({ filter: /commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      if (!text.includes(eager)) throw new Error('commander changed: update the lazy child_process patch');
      const lazy = "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };";
      return { contents: text.replace(eager, lazy), loader: 'js' };
    });
  },
};
await bundle('../node_modules/commander/index.js', 'commander.cjs', { plugins: [commanderPatch] });
// dist/ci.cjs: src/main.ts for `actigraph token`'s CI forms only (dist/hot.cjs runs it when it
// parsed such a form and a request is due): without the commander program, the token
// commands, completion, the other providers' flows behind the registry (revocation, status) and
// the client authentication methods ActiGraph does not use, it is about a quarter of the full bundle, which is what such a run would otherwise read and parse.
await bundle('main.ts', 'ci.cjs', {
  plugins: [
    without(
      'ci',
      (p, importer) =>
        (/[\\/]src[\\/]main\.ts$/.test(importer) && p !== './context.js' && !p.includes('actigraph')) ||
        /[\\/]src[\\/]providers[\\/][a-z]+[\\/]index\.ts$/.test(importer) ||
        // ActiGraph authenticates with client_secret_post (ACTIGRAPH_AUTH_METHOD), and its CI forms
        // take no key, certificate or assertion: the other client authentication methods stay out.
        (/[\\/]src[\\/]oauth[\\/]client-auth[\\/]index\.ts$/.test(importer) && p !== './secret-post.js') ||
        // Nor discovery: they name the token endpoint (--token-url or ActiGraph's), never an issuer.
        (/[\\/]src[\\/]oauth[\\/]cli[\\/]obtain\.ts$/.test(importer) && p === '../discovery.js'),
    ),
  ],
});
const full = await bundle('main.ts', 'authctl.cjs', {
  plugins: [
    {
      name: 'commander-apart',
      setup(b) {
        b.onResolve({ filter: /^commander$/ }, () => ({ path: './commander.cjs', external: true }));
      },
    },
  ],
});

// ---- dist/help.json: commander's own help for every command path, as a pipe receives it ----
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', AUTHCTL_NO_FAST_PATH: '1' };
const helpOf = (words) => {
  const r = spawnSync(process.execPath, [full, ...words, '--help'], { env, encoding: 'utf8' });
  if (r.status !== 0 || r.stderr !== '') throw new Error(`${words.join(' ')} --help failed: ${r.stderr}`);
  return r.stdout;
};
/** Subcommand names listed under "Commands:" in a help text (commander's layout). */
const subcommands = (text) => {
  const at = text.indexOf('\nCommands:\n');
  if (at < 0) return [];
  const names = [];
  for (const line of text.slice(at + 11).split('\n')) {
    if (line === '' || !line.startsWith(' ')) break;
    const m = /^ {2}([a-z][\w-]*)/.exec(line);
    if (m && m[1] !== 'help') names.push(m[1]);
  }
  return names;
};
const texts = {};
const walk = (words) => {
  const text = helpOf(words);
  texts[words.join(' ')] = text;
  for (const name of subcommands(text)) walk([...words, name]);
};
walk([]);
const helpFile = `${root}dist/help.json`;
// Non-ASCII written as \u escapes: an ASCII file is read as a one-byte string, which V8 scans faster.
const ascii = JSON.stringify(texts).replace(
  /[\u007f-\uffff]/g,
  (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
);
writeFileSync(`${helpFile}.${process.pid}.tmp`, ascii);
renameSync(`${helpFile}.${process.pid}.tmp`, helpFile);

// Outputs of older builds (dist/hot-actigraph.cjs…) must not reach the package: "files" takes dist/*.cjs.
for (const f of readdirSync(`${root}dist`))
  if (!built.has(f) && !f.endsWith('.tmp')) rmSync(`${root}dist/${f}`);
