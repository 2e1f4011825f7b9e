// Baseline numbers from the system libpcap (bench/libpcap-bench.c), for the benchmark scripts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLibpcapProgram } from '../test/support/cbuild.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = path.join(ROOT, 'bench/libpcap-bench.c');
const BINARY = path.join(ROOT, 'build/libpcap-bench');

export interface LibpcapFilterTiming {
  packets: number;
  repeat: number;
  /** Packets accepted in one pass. */
  matches: number;
  /** Length of the optimized program. */
  insns: number;
  /** Mean bpf_filter() time per packet, packets already in memory. */
  nsPerPacket: number;
  /** Mean time per packet of reading one byte of each packet, same passes: the memory floor. */
  touchNsPerPacket: number;
}

export interface LibpcapCompileTiming {
  repeat: number;
  insns: number;
  /** Mean wall-clock seconds per pcap_compile() call (optimized). */
  seconds: number;
}

function runBench(args: string[]): Record<string, number> {
  const state = buildLibpcapProgram(SOURCE, BINARY);
  if (!state.ok) throw new Error(state.reason);
  const r = spawnSync(BINARY, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`libpcap-bench ${args[0]} failed: ${r.stderr.trim()}`);
  const fields: Record<string, number> = {};
  for (const m of r.stdout.matchAll(/(\w+)=([\d.]+)/g)) fields[m[1]] = Number(m[2]);
  return fields;
}

/** Times libpcap's bpf_filter() with EXPR compiled for FILE's link type over all of FILE's packets, REPEAT times. */
export function libpcapFilterBench(file: string, expr: string, repeat: number): LibpcapFilterTiming {
  const f = runBench(['filter', file, expr, String(repeat)]);
  return { packets: f.packets, repeat: f.repeat, matches: f.matches, insns: f.insns, nsPerPacket: f.ns_per_packet, touchNsPerPacket: f.touch_ns_per_packet };
}

/** Times pcap_compile() (optimized) of EXPR for LINKTYPE (DLT name or number), averaged over REPEAT compiles. */
export function libpcapCompileBench(linktype: string | number, expr: string, repeat = 1): LibpcapCompileTiming {
  const dir = mkdtempSync(path.join(tmpdir(), 'libpcap-bench-'));
  try {
    const exprFile = path.join(dir, 'expr.txt');
    writeFileSync(exprFile, expr);
    const f = runBench(['compile', String(linktype), exprFile, String(repeat)]);
    return { repeat: f.repeat, insns: f.insns, seconds: f.seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
