#!/usr/bin/env node
// authctl's launcher (CommonJS, see bin/package.json). A hot entry of a few KB answers first — a
// fresh `token print|header|export`, --version, --help on a pipe (dist/hot.cjs), a reusable
// `actigraph token` (dist/hot-actigraph.cjs) — or names the bundle to run: dist/ci.cjs
// (`actigraph token`'s CI forms) or the full CLI, dist/authctl.cjs. docs/performance.md says why.
'use strict';
const modules = process.env.AUTHCTL_DEBUG_MODULES;
if (modules) {
  // Test hook (test/e2e/startup.test.ts): at exit, write the files and built-ins this run loaded.
  process.on('exit', () => {
    const loaded = { files: Object.keys(require.cache), builtins: process.moduleLoadList };
    require('node:fs').writeFileSync(modules, JSON.stringify(loaded));
  });
}
const argv = process.argv.slice(2);
const hot = argv[0] === 'actigraph' ? '../dist/hot-actigraph.cjs' : '../dist/hot.cjs';
const next = require(hot).run(argv);
if (next === 'ci') require('../dist/ci.cjs');
else if (next) require('../dist/authctl.cjs');
