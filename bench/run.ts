// `npm run bench`: every benchmark in turn, each in its own process so one's memory and JIT state do
// not skew the next. Figures are printed next to libpcap/tcpdump measured in the same run.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BENCHES = ['parse', 'compile', 'capture', 'jit', 'cli'];

let failed = false;
for (const name of BENCHES) {
  console.log(`\n## ${name}\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', `${name}.bench.ts`), ...process.argv.slice(2)], {
    stdio: 'inherit',
    cwd: ROOT,
  });
  if (r.status !== 0) {
    console.log(`(${name} benchmark failed with status ${r.status})`);
    failed = true;
  }
}
process.exitCode = failed ? 1 : 0;
