#!/usr/bin/env node
// The `filter` command: runs the CLI from dist/ (built by `npm install` through the prepare script) as one
// bundled file, since loading the ~90 modules one by one costs more than a run on a big capture.
import { main } from '../dist/cli/bundle.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
