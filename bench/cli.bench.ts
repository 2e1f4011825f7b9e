// End to end: `filter EXPR big.pcap -w out.pcap` and `filter --count` against tcpdump, wall time (and CPU
// time, user + system, which a busy machine disturbs less) measured in the same run; and the peak resident
// memory of filtering a 2 GB capture.
// Usage: npx tsx bench/cli.bench.ts [--big]   (--big also generates the 2 GB capture for the memory figure)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_FILTERS, benchCapture } from './data.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FILTER_BIN = path.join(ROOT, 'bin/filter.js');
const RUNS = 9;

// NODE_EXTRA_CA_CERTS makes Node read and parse the CA file at every start-up (~50 ms on a shared CI
// machine that sets it), work `filter` never uses and tcpdump never does: time both without it.
const ENV = { ...process.env };
delete ENV.NODE_EXTRA_CA_CERTS;

interface Run {
  seconds: number;
  /** user + system CPU seconds */
  cpu: number;
  maxRssKb: number;
  stdout: string;
}

/** Runs a command under GNU time (for its CPU time and peak RSS); returns wall seconds, CPU seconds and peak RSS. */
function timed(cmd: string, args: string[]): Run {
  const start = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M %U %S', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26, env: ENV });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  const [maxRssKb, user, sys] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { seconds, cpu: user + sys, maxRssKb, stdout: r.stdout };
}

/**
 * Each command RUNS times, taking turns (a machine that slows down for a while slows every command
 * alike): per command the fastest run (wall time), with the least CPU time of its runs.
 */
function best(commands: [string, string[]][]): Run[] {
  const runs = commands.map(() => [] as Run[]);
  for (let i = 0; i < RUNS; i++) commands.forEach(([cmd, args], k) => runs[k].push(timed(cmd, args)));
  return runs.map((r) => ({ ...r.reduce((a, b) => (b.seconds < a.seconds ? b : a)), cpu: Math.min(...r.map((x) => x.cpu)) }));
}

const count = (stdout: string): number => Number(/^(\d+) packets?/m.exec(stdout)?.[1] ?? NaN);

function main(): void {
  const big = process.argv.includes('--big');
  const file = benchCapture(1_000_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'filterjit-cli-bench-'));
  try {
    const ours = path.join(dir, 'ours.pcap');
    const theirs = path.join(dir, 'tcpdump.pcap');
    console.log(`# filter vs tcpdump, 1,000,000 packets (${file}), best of ${RUNS} runs (wall; CPU = user + sys)`);
    if (process.env.NODE_EXTRA_CA_CERTS !== undefined) console.log('(NODE_EXTRA_CA_CERTS is set here: unset for the timed runs)');
    console.log('| filter | mode | filter s | tcpdump s | ratio | filter CPU s | tcpdump CPU s | CPU ratio | matches |');
    console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    const row = (expr: string, mode: string, filter: Run, tcpdump: Run, matches: number): string =>
      `| \`${expr}\` | ${mode} | ${filter.seconds.toFixed(2)} | ${tcpdump.seconds.toFixed(2)} | ${(filter.seconds / tcpdump.seconds).toFixed(2)} | ` +
      `${filter.cpu.toFixed(2)} | ${tcpdump.cpu.toFixed(2)} | ${(filter.cpu / tcpdump.cpu).toFixed(2)} | ${matches} |`;
    for (const expr of BENCH_FILTERS) {
      const [w1, w2, c1, c2] = best([
        [FILTER_BIN, [expr, file, '-w', ours]],
        ['tcpdump', ['-r', file, '-w', theirs, expr]],
        [FILTER_BIN, ['--count', expr, file]],
        ['tcpdump', ['--count', '-r', file, expr]],
      ]);
      if (count(c1.stdout) !== count(c2.stdout)) throw new Error(`count differs for '${expr}': ${c1.stdout} vs ${c2.stdout}`);
      // a microsecond capture in, the same microsecond capture out: tcpdump's file byte for byte
      if (!readFileSync(ours).equals(readFileSync(theirs))) throw new Error(`-w output differs from tcpdump's for '${expr}'`);
      console.log(row(expr, '-w', w1, w2, count(c1.stdout)));
      console.log(row(expr, '--count', c1, c2, count(c1.stdout)));
    }
    if (big) {
      const huge = benchCapture(10_000_000); // about 2.1 GB
      const run = timed(FILTER_BIN, ['tcp port 80', huge, '-w', ours]);
      console.log(`\npeak RSS filtering ${huge} (-w): ${(run.maxRssKb / 1024).toFixed(0)} MB in ${run.seconds.toFixed(1)} s (${run.cpu.toFixed(1)} s CPU)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
