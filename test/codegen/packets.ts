// Packets for comparing two filter programs: the corpus captures of a link type, and random packets
// made to reach deep into the programs: corpus packets and random bytes with the constants the
// programs compare against written at the offsets they load from (for indexed loads, at the likely
// values of X: IPv4 header lengths, IPv6 header, radio header lengths).
import { BPF_ABS, BPF_CLASS, BPF_IND, BPF_JMP, BPF_LD, BPF_MODE, BPF_SIZE, BPF_B, BPF_H, BPF_JSET, BPF_OP, BPF_SRC, BPF_K, type Insn } from '../../src/cbpf/insn.js';
import { readCapture } from '../../src/capture/index.js';
import { differentialCaptures } from '../support/differential.js';

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
export function rng(seed: number): () => number {
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

/** (load, compared value) pairs of a program: what a packet must hold to take its branches. */
export function probes(prog: readonly Insn[]): Probe[] {
  const out: Probe[] = [];
  let last: Omit<Probe, 'value'> | null = null;
  for (const i of prog) {
    if (BPF_CLASS(i.code) === BPF_LD && (BPF_MODE(i.code) === BPF_ABS || BPF_MODE(i.code) === BPF_IND)) {
      const sz = BPF_SIZE(i.code);
      last = { offset: i.k, indexed: BPF_MODE(i.code) === BPF_IND, size: sz === BPF_B ? 1 : sz === BPF_H ? 2 : 4 };
    } else if (BPF_CLASS(i.code) === BPF_JMP && BPF_SRC(i.code) === BPF_K && BPF_OP(i.code) !== 0 && last) {
      const v = BPF_OP(i.code) === BPF_JSET ? i.k : i.k;
      out.push({ ...last, value: v });
      out.push({ ...last, value: (v + 1) >>> 0 });
    }
  }
  return out;
}

const X_GUESSES = [0, 20, 24, 40, 14, 18, 8, 26, 32, 60, 64, 144, 16, 22, 36, 44];

function write(buf: Uint8Array, off: number, size: number, v: number): void {
  if (off < 0 || off + size > buf.length) return;
  for (let i = size - 1; i >= 0; i--) {
    buf[off + i] = v & 0xff;
    v = Math.floor(v / 256);
  }
}

/** `count` packets: corpus-based and random, with probes of both programs written in. */
export function craftedPackets(corpus: Packet[], progs: Array<readonly Insn[]>, count: number, seed: number): Packet[] {
  const rand = rng(seed);
  const all = progs.flatMap(probes);
  const out: Packet[] = [];
  for (let n = 0; n < count; n++) {
    let data: Uint8Array;
    const r = rand();
    if (corpus.length && r < 0.5) {
      const src = corpus[Math.floor(rand() * corpus.length)].data;
      data = new Uint8Array(src);
    } else {
      const len = rand() < 0.2 ? Math.floor(rand() * 64) : 40 + Math.floor(rand() * 200);
      data = new Uint8Array(len);
      if (rand() < 0.5) for (let i = 0; i < len; i++) data[i] = Math.floor(rand() * 256);
    }
    // typical header values: IPv4 version/IHL
    const writes = Math.floor(rand() * Math.min(all.length + 1, 12));
    for (let w = 0; w < writes && all.length; w++) {
      const p = all[Math.floor(rand() * all.length)];
      const x = p.indexed ? X_GUESSES[Math.floor(rand() * X_GUESSES.length)] : 0;
      write(data, p.offset + x, p.size, p.value);
    }
    // a few random byte flips
    const flips = Math.floor(rand() * 3);
    for (let f = 0; f < flips && data.length; f++) data[Math.floor(rand() * data.length)] = Math.floor(rand() * 256);
    // sometimes truncate
    if (rand() < 0.1 && data.length) data = data.subarray(0, Math.floor(rand() * data.length));
    const wirelen = rand() < 0.8 ? data.length : data.length + Math.floor(rand() * 1500);
    out.push({ data, wirelen });
  }
  return out;
}
