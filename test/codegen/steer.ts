// Branch steering for test packets: run a program on a packet while tracking which packet bytes the
// accumulator came from, pick one conditional jump on the path and rewrite those bytes so that the
// jump goes the other way. Repeating this walks packets into deep and rarely taken paths.
import {
  BPF_ABS, BPF_ALU, BPF_AND, BPF_B, BPF_CLASS, BPF_H, BPF_IMM, BPF_IND, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT,
  BPF_JMP, BPF_JSET, BPF_LD, BPF_LDX, BPF_LEN, BPF_MEM, BPF_MISC, BPF_MODE, BPF_MSH, BPF_OP, BPF_RET, BPF_SIZE,
  BPF_SRC, BPF_ST, BPF_STX, BPF_TAX, BPF_TXA, BPF_X, type Insn,
} from '../../src/cbpf/insn.js';

/** Where A's value comes from: `size` packet bytes at `addr`, masked. */
interface Source {
  addr: number;
  size: number;
  mask: number;
}

interface Decision {
  src: Source;
  op: number;
  k: number;
  taken: boolean;
}

function load(p: Uint8Array, at: number, size: number): number | null {
  if (at < 0 || at + size > p.length) return null;
  let v = 0;
  for (let i = 0; i < size; i++) v = v * 256 + p[at + i];
  return v >>> 0;
}

/** Decisions on the path a packet takes (only jumps on a value loaded, perhaps masked, from the packet). */
function trace(prog: readonly Insn[], p: Uint8Array): Decision[] {
  const out: Decision[] = [];
  const mem = new Uint32Array(16);
  const memSrc: Array<Source | null> = new Array<Source | null>(16).fill(null);
  let A = 0;
  let X = 0;
  let src: Source | null = null;
  let pc = 0;
  for (let steps = 0; steps < 10_000 && pc < prog.length; steps++) {
    const i = prog[pc++];
    const cls = BPF_CLASS(i.code);
    if (cls === BPF_LD || cls === BPF_LDX) {
      const mode = BPF_MODE(i.code);
      const size = BPF_SIZE(i.code) === BPF_B ? 1 : BPF_SIZE(i.code) === BPF_H ? 2 : 4;
      let v: number | null;
      let s: Source | null = null;
      if (mode === BPF_ABS || mode === BPF_IND) {
        const at = mode === BPF_ABS ? i.k : (X + i.k) >>> 0;
        v = load(p, at, size);
        s = { addr: at, size, mask: 0xffffffff };
      } else if (mode === BPF_MSH) {
        const b = load(p, i.k, 1);
        v = b === null ? null : (b & 0xf) << 2;
      } else if (mode === BPF_IMM) v = i.k;
      else if (mode === BPF_MEM) {
        v = mem[i.k & 15];
        s = memSrc[i.k & 15];
      }
      else if (mode === BPF_LEN) v = p.length;
      else return out;
      if (v === null) return out;
      if (cls === BPF_LD) {
        A = v;
        src = s;
      } else X = v;
    } else if (cls === BPF_ST) {
      mem[i.k & 15] = A;
      memSrc[i.k & 15] = src;
    } else if (cls === BPF_STX) {
      mem[i.k & 15] = X;
      memSrc[i.k & 15] = null;
    } else if (cls === BPF_ALU) {
      const b = BPF_SRC(i.code) === BPF_X ? X : i.k;
      const from = src as Source | null;
      if (BPF_OP(i.code) === BPF_AND && BPF_SRC(i.code) !== BPF_X && from !== null) {
        A = (A & b) >>> 0;
        src = { addr: from.addr, size: from.size, mask: (from.mask & b) >>> 0 };
      } else {
        src = null;
        switch (BPF_OP(i.code)) {
          case 0x00: A = (A + b) >>> 0; break;
          case 0x10: A = (A - b) >>> 0; break;
          case 0x20: A = Math.imul(A, b) >>> 0; break;
          case 0x30: if (b === 0) return out; A = Math.floor(A / b) >>> 0; break;
          case 0x90: if (b === 0) return out; A = (A % b) >>> 0; break;
          case 0x40: A = (A | b) >>> 0; break;
          case 0x50: A = (A & b) >>> 0; break;
          case 0xa0: A = (A ^ b) >>> 0; break;
          case 0x60: A = b >= 32 ? 0 : (A << b) >>> 0; break;
          case 0x70: A = b >= 32 ? 0 : A >>> b; break;
          case 0x80: A = -A >>> 0; break;
          default: return out;
        }
      }
    } else if (cls === BPF_MISC) {
      if (i.code === (BPF_MISC | BPF_TAX)) X = A;
      else if (i.code === (BPF_MISC | BPF_TXA)) {
        A = X;
        src = null;
      }
    } else if (cls === BPF_JMP) {
      if (BPF_OP(i.code) === BPF_JA) {
        pc = (pc + (i.k | 0)) >>> 0;
        continue;
      }
      const k = BPF_SRC(i.code) === BPF_X ? X : i.k;
      let taken: boolean;
      switch (BPF_OP(i.code)) {
        case BPF_JEQ: taken = A === k; break;
        case BPF_JGT: taken = A > k; break;
        case BPF_JGE: taken = A >= k; break;
        case BPF_JSET: taken = (A & k) !== 0; break;
        default: return out;
      }
      if (src) out.push({ src, op: BPF_OP(i.code), k, taken });
      pc += taken ? i.jt : i.jf;
    } else if (cls === BPF_RET) return out;
  }
  return out;
}

function store(p: Uint8Array, s: Source, v: number): void {
  const old = load(p, s.addr, s.size);
  if (old === null) return;
  let w = ((old & ~s.mask) | (v & s.mask)) >>> 0;
  for (let i = s.size - 1; i >= 0; i--) {
    p[s.addr + i] = w & 0xff;
    w = Math.floor(w / 256);
  }
}

/** The value that makes the jump go the other way (for the masked field). */
function flip(d: Decision, rand: () => number): number {
  switch (d.op) {
    case BPF_JEQ: return d.taken ? d.k + 1 + Math.floor(rand() * 3) : d.k;
    case BPF_JGT: return d.taken ? d.k : d.k + 1;
    case BPF_JGE: return d.taken ? Math.max(0, d.k - 1) : d.k;
    default: return d.taken ? 0 : d.k; // jset
  }
}

/** Rewrite `packet` (in place) so that up to `rounds` jumps on its path in `prog` go the other way. */
export function steer(prog: readonly Insn[], packet: Uint8Array, rounds: number, rand: () => number): void {
  for (let r = 0; r < rounds; r++) {
    const path = trace(prog, packet);
    if (!path.length) return;
    // prefer the last decisions: they are the deepest
    const d = path[Math.max(0, path.length - 1 - Math.floor(rand() * Math.min(4, path.length)))];
    store(packet, d.src, flip(d, rand) >>> 0);
  }
}

