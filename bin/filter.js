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
// The build wraps the bundle in CommonJS's module function, plus the bundle's import.meta.url (defined
// as __bundle_url), so its text is compiled as read, without a second copy of it.
const script = new vm.Script(readFileSync(bundle, 'utf8'), { filename: bundle, cachedData });
const cli = { exports: {} };
const run = script.runInThisContext();
// (this file's own require: the bundle asks it only for Node's modules, which resolve the same anywhere)
run(cli.exports, require, cli, bundle, path.dirname(bundle), pathToFileURL(bundle).href);

cli.exports.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  if (writeCache) writeFileSync(cacheFile, script.createCachedData());
  // Nothing keeps the event loop alive (no write in flight, no open stream): the process would end now
  // anyway. process.exit() skips waiting for V8's background compiler jobs and tearing down the heap,
  // a few milliseconds of every run.
  else if (process.getActiveResourcesInfo().length === 0) process.exit();
});
