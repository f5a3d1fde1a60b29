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

/** FNV-1a of the bundle: the cache must never be applied to different code of the same length. */
function fingerprint(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16);
}

/** The per-user cache directory (as env-paths resolves it), or null when none can be named. */
function cacheDir() {
  const env = process.env;
  const home = require('node:os').homedir();
  if (env.AUTHCTL_CACHE_DIR) return env.AUTHCTL_CACHE_DIR;
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Caches', 'authctl');
  if (process.platform === 'win32')
    return path.join(env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), 'authctl', 'Cache');
  return path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'authctl');
}

let cacheFile = null;
let cachedData;
if (!process.env.AUTHCTL_NO_COMPILE_CACHE) {
  try {
    const dir = cacheDir();
    cacheFile = path.join(
      dir,
      `v8-${process.version}-${process.arch}-${source.length}-${fingerprint(source)}.bin`,
    );
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
  // Written at exit, so the cache also holds the functions this run compiled. Temp file + rename:
  // a concurrent reader sees the old file or the new one, never half of one.
  process.once('exit', () => {
    try {
      const dir = path.dirname(cacheFile);
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
      fs.renameSync(tmp, cacheFile);
      // Caches of earlier builds or Node versions are dead weight.
      for (const name of fs.readdirSync(dir)) {
        if (name.startsWith('v8-') && name.endsWith('.bin') && name !== path.basename(cacheFile)) {
          fs.rmSync(path.join(dir, name), { force: true });
        }
      }
    } catch {
      // A read-only or missing cache directory only costs speed.
    }
  });
}

const mod = { exports: {} };
// The bundle's import() calls go through this function: Node 20 loses importModuleDynamically for
// code restored from cachedData (see bin/build.mjs), but this module's own import() always works.
script.runInThisContext()(
  mod.exports,
  require,
  mod,
  file,
  path.dirname(file),
  (specifier) => import(specifier),
);
