// Entry point that runs the CLI from the TypeScript sources (tests use it; users run bin/filter.js).
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
