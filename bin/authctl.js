#!/usr/bin/env node
// authctl's launcher. CommonJS on purpose (bin/package.json): it starts faster than an ESM entry on
// Node 20. It runs the bundle (dist/authctl.cjs) through a V8 code cache kept in the user's cache
// directory — what Node 22's module.enableCompileCache() does, which Node 20 lacks: compiling the
// bundle is most of authctl's own start-up cost, and `authctl token print` runs in loops.
// Set AUTHCTL_NO_COMPILE_CACHE=1 to bypass it. Any cache problem falls back to a plain compile.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const file = path.join(__dirname, '..', 'dist', 'authctl.cjs');
const source = fs.readFileSync(file, 'utf8');

// The build writes `// authctl-build <hash of the bundle>` as the first line: the cache key, so a
// cache is never applied to other code (V8 itself only checks the source length).
const build = /^\/\/ authctl-build ([0-9a-f]{16})\n/.exec(source)?.[1];

/** The per-user cache directory (as env-paths resolves it). */
function cacheDir() {
  const env = process.env;
  if (env.AUTHCTL_CACHE_DIR) return env.AUTHCTL_CACHE_DIR;
  const home = require('node:os').homedir();
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Caches', 'authctl');
  if (process.platform === 'win32')
    return path.join(env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), 'authctl', 'Cache');
  return path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'authctl');
}

// A V8 cache holds the functions compiled by the run that made it, so there is one cache per
// command (token-print, token-header, help…): each holds just what that command runs, which keeps
// both the load time and the memory of `token print` low.
const command =
  process.argv
    .slice(2)
    .filter((a) => !a.startsWith('-') || a === '--help' || a === '-h')
    .slice(0, 2)
    .map((a) => (a.startsWith('-') ? 'help' : a))
    .join('-') || 'help';

let cacheFile = null;
let cachedData;
if (build && !process.env.AUTHCTL_NO_COMPILE_CACHE && /^[a-z][a-z-]{0,40}$/.test(command)) {
  try {
    cacheFile = path.join(cacheDir(), `v8-${process.version}-${process.arch}-${build}-${command}.bin`);
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
}

const script = new vm.Script(
  `(function (exports, require, module, __filename, __dirname, __authctl_import) {${source}\n})`,
  {
    filename: file,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  },
);

if (cacheFile && (cachedData === undefined || script.cachedDataRejected)) {
  // Written at exit, so the cache holds the functions this run compiled — only after a successful
  // run (a typo makes no cache file). Temp file + rename: a concurrent reader sees the old file or
  // the new one, never half of one.
  process.once('exit', (code) => {
    if (code !== 0) return;
    try {
      const dir = path.dirname(cacheFile);
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
      fs.renameSync(tmp, cacheFile);
      // Caches of earlier builds or Node versions are dead weight.
      const current = `v8-${process.version}-${process.arch}-${build}-`;
      for (const name of fs.readdirSync(dir)) {
        if (name.startsWith('v8-') && !name.startsWith(current))
          fs.rmSync(path.join(dir, name), { force: true });
      }
    } catch {
      // A read-only or missing cache directory only costs speed.
    }
  });
}

const mod = { exports: {} };
// The last argument is how the bundle imports its external ESM packages: Node 20 ignores
// importModuleDynamically for functions restored from a code cache (see bin/build.mjs).
script.runInThisContext()(
  mod.exports,
  require,
  mod,
  file,
  path.dirname(file),
  (specifier) => import(specifier),
);
