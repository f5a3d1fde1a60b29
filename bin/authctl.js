#!/usr/bin/env node
// authctl's launcher (CommonJS, see bin/package.json). dist/hot.cjs answers the hot commands (a
// fresh `token print|header|export`, --version, --help on a pipe) in a few KB; otherwise it names
// the bundle to run: dist/ci.cjs (`actigraph token`'s CI forms) or the full CLI, dist/authctl.cjs.
// No compile cache: docs/performance.md says why.
'use strict';
const modules = process.env.AUTHCTL_DEBUG_MODULES;
if (modules) {
  // Test hook (test/e2e/startup.test.ts): at exit, write the files and built-ins this run loaded.
  process.on('exit', () => {
    const loaded = { files: Object.keys(require.cache), builtins: process.moduleLoadList };
    require('node:fs').writeFileSync(modules, JSON.stringify(loaded));
  });
}
const next = require('../dist/hot.cjs').run(process.argv.slice(2));
if (next === 'ci') require('../dist/ci.cjs');
else if (next) require('../dist/authctl.cjs');
