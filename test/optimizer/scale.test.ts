// Big disjunctions: `host A or host B ...` with 1,000 hosts and `port N or ...` with 500 ports
// fit the kernel's 4,096-instruction limit, search instead of scanning, and keep every verdict.
// (Compile time is measured by bench/compile.bench.ts, not here.)
import { beforeAll, describe, expect, it } from 'vitest';
import { runCbpf } from '../../src/cbpf/interpreter.js';
import { BPF_MAXINSNS, type Insn } from '../../src/cbpf/insn.js';
import { validateCbpf } from '../../src/cbpf/validate.js';
import { compileFilter } from '../../src/codegen/index.js';
import { optimize } from '../../src/codegen/optimizer/index.js';
import { corpusByDlt, craftedPackets, type Packet } from '../codegen/packets.js';
import { linktypeValue } from '../support/corpus.js';
import { libpcapCompile } from '../support/oracle.js';
import { firstDifference, hex, longestBranchPath, runnable, sample } from './support.js';

const HOSTS = Array.from({ length: 1000 }, (_, i) => [10, (i >> 8) & 255, i & 255, ((i * 37) % 254) + 1]);
const PORTS = Array.from({ length: 500 }, (_, i) => i * 7 + 1);
const CASES = [
  { name: '1,000 hosts', expr: HOSTS.map((h) => `host ${h.join('.')}`).join(' or ') },
  { name: '500 ports', expr: PORTS.map((p) => `port ${p}`).join(' or ') },
];

/** Ethernet frames that hit (and narrowly miss) the sets: IPv4 with TCP/UDP, ARP, IPv6 with UDP. */
function setPackets(): Packet[] {
  const out: Packet[] = [];
  const frame = (type: number, len: number): Uint8Array => {
    const d = new Uint8Array(len);
    d[12] = type >> 8;
    d[13] = type & 255;
    return d;
  };
  for (let i = 0; i < HOSTS.length; i += 37) {
    for (const delta of [0, 1]) {
      const addr = [...HOSTS[i].slice(0, 3), (HOSTS[i][3] + delta) & 255];
      const ip = frame(0x0800, 54);
      ip[14] = 0x45;
      ip[23] = 6;
      ip.set(addr, delta ? 30 : 26);
      const arp = frame(0x0806, 42);
      arp.set(addr, 38);
      out.push({ data: ip, wirelen: 54 }, { data: arp, wirelen: 42 }, { data: ip.subarray(0, 32), wirelen: 54 });
    }
  }
  for (let i = 0; i < PORTS.length; i += 13) {
    for (const delta of [0, 1]) {
      const port = PORTS[i] + delta;
      const v4 = frame(0x0800, 54);
      v4[14] = 0x45;
      v4[23] = 17;
      v4[36] = port >> 8;
      v4[37] = port & 255;
      const v6 = frame(0x86dd, 62);
      v6[20] = 17;
      v6[54] = port >> 8;
      v6[55] = port & 255;
      out.push({ data: v4, wirelen: 54 }, { data: v6, wirelen: 62 }, { data: v4.subarray(0, 36), wirelen: 54 });
    }
  }
  return out;
}

describe('big disjunctions', () => {
  let packets: Packet[];
  const libpcapUnopt: Insn[][] = [];

  beforeAll(async () => {
    const corpus = sample((await corpusByDlt()).get(linktypeValue('EN10MB')) ?? [], 500);
    for (const r of libpcapCompile(CASES.map((c) => ({ expr: c.expr, linktype: 'EN10MB', optimize: false })))) {
      if (!r.ok) throw new Error(r.error);
      libpcapUnopt.push(r.program);
    }
    packets = [...setPackets(), ...corpus, ...craftedPackets(corpus, libpcapUnopt, 2000, 99)];
  });

  CASES.forEach((c, n) => {
    it(`${c.name}: libpcap's unoptimized program, optimized, fits, searches and keeps every verdict`, () => {
      const unopt = libpcapUnopt[n];
      const ours = runnable(optimize(unopt));
      console.log(`${c.name}: libpcap unoptimized ${unopt.length} instructions, optimized by us ${ours.length}, at most ${longestBranchPath(ours)} comparisons per packet`);
      expect(ours.length).toBeLessThanOrEqual(BPF_MAXINSNS);
      expect(validateCbpf(ours)).toEqual([]);
      expect(longestBranchPath(ours)).toBeLessThanOrEqual(40);
      const accepted = packets.filter((p) => runCbpf(unopt, p.data, p.wirelen) !== 0).length;
      expect(accepted).toBeGreaterThan(20);
      const d = firstDifference(unopt, ours, packets);
      expect(d && `packet ${hex(d[0])}: unoptimized ${d[1]}, optimized ${d[2]}`).toBeUndefined();
    });

    it(`${c.name}: our code generator's program fits and agrees with its unoptimized program`, () => {
      const unopt = compileFilter(c.expr, { linktype: 'EN10MB', optimize: false }).program;
      const ours = compileFilter(c.expr, { linktype: 'EN10MB' }).program;
      console.log(`${c.name}: our pipeline ${ours.length} instructions (unoptimized ${unopt.length}), at most ${longestBranchPath(ours)} comparisons per packet`);
      expect(ours.length).toBeLessThanOrEqual(BPF_MAXINSNS);
      expect(validateCbpf(ours)).toEqual([]);
      expect(longestBranchPath(ours)).toBeLessThanOrEqual(40);
      const d = firstDifference(unopt, ours, packets);
      expect(d && `packet ${hex(d[0])}: unoptimized ${d[1]}, optimized ${d[2]}`).toBeUndefined();
    });
  });
});
