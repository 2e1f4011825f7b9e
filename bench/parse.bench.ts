// Parse-time benchmark of the grammar stage: a typical expression and a 1,000-term
// `host a or host b or ...` expression (which must stay under 100 ms). Run: npx tsx bench/parse.bench.ts
// Reports wall time and CPU time (user + system) per parse: on a busy machine wall time includes
// waiting for a core, CPU time does not.
import { parse } from '../src/grammar/index.js';

const TYPICAL = 'tcp port 80 and (host 10.0.0.1 or net 192.168.0.0/16) and not ether broadcast and ip[2:2] > 576';
const LONG = Array.from({ length: 1000 }, (_, i) => `host h${i}`).join(' or ');

interface Timing {
  wallMs: number;
  cpuMs: number;
}

function timeOnce(expression: string): Timing {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  parse(expression);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** Medians over `runs` parses, after `warmup` unmeasured ones. */
function median(expression: string, runs: number, warmup: number): Timing {
  for (let i = 0; i < warmup; i++) parse(expression);
  const times = Array.from({ length: runs }, () => timeOnce(expression));
  const mid = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { wallMs: mid(times.map((t) => t.wallMs)), cpuMs: mid(times.map((t) => t.cpuMs)) };
}

const fmt = (t: Timing, digits: number): string => `${t.wallMs.toFixed(digits)} ms wall, ${t.cpuMs.toFixed(digits)} ms CPU`;

const cold = timeOnce(LONG);
const typical = median(TYPICAL, 200, 50);
const long = median(LONG, 20, 3);
console.log(`typical expression (${TYPICAL.length} chars), median: ${fmt(typical, 3)}`);
console.log(`1,000-term 'host hN or ...' (${LONG.length} chars), median: ${fmt(long, 1)}; limit 100 ms`);
console.log(`1,000-term, first parse in a fresh process (JIT cold): ${fmt(cold, 1)}`);
