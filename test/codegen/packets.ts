// Packets for comparing two filter programs: the corpus captures of a link type, and random packets
// made to reach deep into the programs: corpus packets and random bytes with the constants the
// programs compare against written at the offsets they load from (for indexed loads, at the likely
// values of X: IPv4 header lengths, IPv6 header, radio header lengths).
import { BPF_ABS, BPF_B, BPF_CLASS, BPF_H, BPF_IMM, BPF_IND, BPF_JMP, BPF_K, BPF_LD, BPF_LDX, BPF_MODE, BPF_OP, BPF_SIZE, BPF_SRC, type Insn } from '../../src/cbpf/insn.js';
import { readCapture } from '../../src/capture/index.js';
import { differentialCaptures } from '../support/differential.js';
import { steer } from './steer.js';

export interface Packet {
  data: Uint8Array;
  wirelen: number;
}

let corpusCache: Map<number, Packet[]> | undefined;

/** Every packet of every readable corpus capture, by DLT. */
export async function corpusByDlt(): Promise<Map<number, Packet[]>> {
  if (corpusCache) return corpusCache;
  const m = new Map<number, Packet[]>();
  for (const c of differentialCaptures()) {
    try {
      for await (const p of readCapture(c.path)) {
        let list = m.get(p.linktype);
        if (!list) m.set(p.linktype, (list = []));
        list.push({ data: p.data, wirelen: p.wirelen });
      }
    } catch {
      // a damaged capture: keep the packets read before the fault
    }
  }
  corpusCache = m;
  return m;
}

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Probe {
  offset: number;
  indexed: boolean;
  size: 1 | 2 | 4;
  value: number;
}

interface ProgramHints {
  probes: Probe[];
  /** likely values of X for indexed loads: header lengths, and the program's immediates (`proto[N]` indexes) */
  xs: number[];
}

const X_GUESSES = [0, 20, 24, 40, 14, 18, 8, 26, 32, 60, 64, 144, 16, 22, 36, 44];

/**
 * (load, compared value) pairs of a program: what a packet must hold to take its branches. Loads whose
 * value is compared through registers (`ip[0xab] == 0xcd`) are paired with the program's immediates.
 */
function hints(prog: readonly Insn[]): ProgramHints {
  const imms = new Set<number>();
  for (const i of prog) {
    if (i.code === (BPF_LD | BPF_IMM) || i.code === (BPF_LDX | BPF_IMM)) imms.add(i.k);
  }
  const out: Probe[] = [];
  let last: Omit<Probe, 'value'> | null = null;
  const pairWith = (l: Omit<Probe, 'value'>, v: number): void => {
    out.push({ ...l, value: v }, { ...l, value: (v + 1) >>> 0 });
  };
  for (const i of prog) {
    if (BPF_CLASS(i.code) === BPF_LD && (BPF_MODE(i.code) === BPF_ABS || BPF_MODE(i.code) === BPF_IND)) {
      if (last) for (const v of imms) pairWith(last, v);
      const sz = BPF_SIZE(i.code);
      last = { offset: i.k, indexed: BPF_MODE(i.code) === BPF_IND, size: sz === BPF_B ? 1 : sz === BPF_H ? 2 : 4 };
    } else if (BPF_CLASS(i.code) === BPF_JMP && BPF_OP(i.code) !== 0 && last) {
      if (BPF_SRC(i.code) === BPF_K) pairWith(last, i.k);
      else for (const v of imms) pairWith(last, v);
      last = null;
    }
  }
  if (last) for (const v of imms) pairWith(last, v);
  return { probes: out, xs: [...X_GUESSES, ...[...imms].filter((v) => v < 4096)] };
}

function write(buf: Uint8Array, off: number, size: number, v: number): void {
  if (off < 0 || off + size > buf.length) return;
  for (let i = size - 1; i >= 0; i--) {
    buf[off + i] = v & 0xff;
    v = Math.floor(v / 256);
  }
}

/**
 * `count` packets: corpus-based and random ones with the programs' probes written in, steered into
 * other branches of the programs (see steer.ts).
 */
export function craftedPackets(corpus: Packet[], progs: Array<readonly Insn[]>, count: number, seed: number): Packet[] {
  const rand = rng(seed);
  const hs = progs.map(hints);
  const all = hs.flatMap((h) => h.probes);
  const xs = [...new Set(hs.flatMap((h) => h.xs))];
  const out: Packet[] = [];
  for (let n = 0; n < count; n++) {
    let data: Uint8Array;
    const r = rand();
    if (out.length && r < 0.4) {
      // a random walk: one more branch flipped on an earlier packet reaches ever deeper paths
      data = new Uint8Array(out[Math.floor(rand() * out.length)].data);
      steer(progs[Math.floor(rand() * progs.length)], data, 1, rand);
      out.push({ data, wirelen: rand() < 0.8 ? data.length : data.length + Math.floor(rand() * 1500) });
      continue;
    }
    if (corpus.length && r < 0.7) {
      const src = corpus[Math.floor(rand() * corpus.length)].data;
      data = new Uint8Array(src);
    } else {
      const r2 = rand();
      const len = r2 < 0.2 ? Math.floor(rand() * 64) : r2 < 0.6 ? 40 + Math.floor(rand() * 200) : 240 + Math.floor(rand() * 300);
      data = new Uint8Array(len);
      if (rand() < 0.5) for (let i = 0; i < len; i++) data[i] = Math.floor(rand() * 256);
    }
    // typical header values: IPv4 version/IHL
    const writes = Math.floor(rand() * Math.min(all.length + 1, 12));
    for (let w = 0; w < writes && all.length; w++) {
      const p = all[Math.floor(rand() * all.length)];
      const x = p.indexed ? xs[Math.floor(rand() * xs.length)] + (rand() < 0.3 ? xs[Math.floor(rand() * xs.length)] : 0) : 0;
      write(data, p.offset + x, p.size, p.value);
    }
    // a few random byte flips
    const flips = Math.floor(rand() * 3);
    for (let f = 0; f < flips && data.length; f++) data[Math.floor(rand() * data.length)] = Math.floor(rand() * 256);
    // walk the packet into deeper paths of one of the programs
    if (rand() < 0.3) steer(progs[Math.floor(rand() * progs.length)], data, 1 + Math.floor(rand() * 3), rand);
    // sometimes truncate
    if (rand() < 0.1 && data.length) data = data.subarray(0, Math.floor(rand() * data.length));
    const wirelen = rand() < 0.8 ? data.length : data.length + Math.floor(rand() * 1500);
    out.push({ data, wirelen });
  }
  return out;
}
