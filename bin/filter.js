#!/usr/bin/env node
// The `filter` command: runs the CLI from dist/ (built by `npm install` through the prepare script).
// The build bundles the CLI into one file (loading ~90 modules one by one costs more than filtering a large
// capture), without comments and blanks (less to read and hash at every start; names stay), and, by one run
// with FILTERJIT_WRITE_CODE_CACHE set, stores V8's compiled code of that file,
// so a run skips parsing and compiling most of the compiler. A cache V8 refuses (another Node version)
// only costs that time back. This file is CommonJS (bin/package.json): Node starts an ES module entry
// point measurably slower.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const vm = require('node:vm');

const bundle = path.join(__dirname, '../dist/cli/bundle.cjs');
const cacheFile = `${bundle}.cache`;
const writeCache = process.env.FILTERJIT_WRITE_CODE_CACHE !== undefined;

let cachedData;
try {
  if (!writeCache) cachedData = readFileSync(cacheFile);
} catch {
  // no cache: compile from source
}
// CommonJS's module wrapper, plus the bundle's import.meta.url (the build defines it as __bundle_url).
const source = readFileSync(bundle, 'utf8');
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __bundle_url) {${source}\n})`, {
  filename: bundle,
  cachedData,
});
const cli = { exports: {} };
const run = script.runInThisContext();
run(cli.exports, createRequire(bundle), cli, bundle, path.dirname(bundle), pathToFileURL(bundle).href);

cli.exports.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  if (writeCache) writeFileSync(cacheFile, script.createCachedData());
});
