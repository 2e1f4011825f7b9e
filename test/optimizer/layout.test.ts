// layout(): wide programs (conditional offsets beyond 255) become valid classic BPF that gives
// the same verdict on every packet.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCbpf } from '../../src/cbpf/interpreter.js';
import {
  BPF_ABS, BPF_ADD, BPF_ALU, BPF_B, BPF_H, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_JSET, BPF_K, BPF_LD, BPF_RET, BPF_W,
  BPF_JA, type Insn,
} from '../../src/cbpf/insn.js';
import { validateCbpf } from '../../src/cbpf/validate.js';
import { layout } from '../../src/codegen/optimizer/index.js';

interface BlockSpec {
  filler: number;
  load: number;
  op: number;
  k: number;
  /** targets as fractions of the remaining blocks (ret blocks at the end) */
  t: number;
  f: number;
  /** a goto instead of a branch */
  jump: boolean;
}

const blockArb: fc.Arbitrary<BlockSpec> = fc.record({
  filler: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 100, max: 400 })),
  load: fc.integer({ min: 0, max: 60 }),
  op: fc.constantFrom(BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET),
  k: fc.integer({ min: 0, max: 255 }),
  t: fc.double({ min: 0, max: 1, noNaN: true }),
  f: fc.double({ min: 0, max: 1, noNaN: true }),
  jump: fc.boolean(),
});

/** A forward-only program: blocks of filler arithmetic, a byte load and a branch; then three returns. */
function wideProgram(blocks: BlockSpec[]): Insn[] {
  const rets = [0, 1, 262144];
  const starts: number[] = [];
  let pc = 0;
  for (const b of blocks) {
    starts.push(pc);
    pc += b.filler + 2;
  }
  const retAt = rets.map((_, i) => pc + i);
  const out: Insn[] = [];
  blocks.forEach((b, i) => {
    for (let j = 0; j < b.filler; j++) out.push({ code: BPF_ALU | BPF_ADD | BPF_K, jt: 0, jf: 0, k: j & 7 });
    out.push({ code: BPF_LD | [BPF_B, BPF_H, BPF_W][b.load % 3] | BPF_ABS, jt: 0, jf: 0, k: b.load });
    const later = [...starts.slice(i + 1), ...retAt];
    const pick = (x: number): number => later[Math.min(later.length - 1, Math.floor(x * later.length))] - out.length - 1;
    if (b.jump) out.push({ code: BPF_JMP | BPF_JA, jt: 0, jf: 0, k: pick(b.t) });
    else out.push({ code: BPF_JMP | b.op | BPF_K, jt: pick(b.t), jf: pick(b.f), k: b.k });
  });
  for (const r of rets) out.push({ code: BPF_RET | BPF_K, jt: 0, jf: 0, k: r });
  return out;
}

/**
 * The obvious translation, as the reference: every conditional jump becomes `jxx jt 0 jf 1`
 * followed by a `ja` to each target (ja offsets are 32-bit). The interpreter, like the kernel,
 * reads only 8 bits of jt/jf, so wide programs cannot be run as they are.
 */
function spelledOut(wide: Insn[]): Insn[] {
  const isCond = (i: Insn): boolean => (i.code & 0x07) === BPF_JMP && (i.code & 0xf0) !== BPF_JA;
  const at: number[] = [];
  let pc = 0;
  for (const i of wide) {
    at.push(pc);
    pc += isCond(i) ? 3 : 1;
  }
  return wide.flatMap((i, n): Insn[] => {
    const ja = (from: number, to: number): Insn => ({ code: BPF_JMP | BPF_JA, jt: 0, jf: 0, k: (at[to] - from - 1) >>> 0 });
    if (isCond(i)) return [{ ...i, jt: 0, jf: 1 }, ja(at[n] + 1, n + 1 + i.jt), ja(at[n] + 2, n + 1 + i.jf)];
    if (i.code === (BPF_JMP | BPF_JA)) return [ja(at[n], n + 1 + i.k)];
    return [i];
  });
}

describe('layout', () => {
  it('makes every offset fit in 8 bits and keeps every verdict', () => {
    let longest = 0;
    fc.assert(
      fc.property(fc.array(blockArb, { minLength: 1, maxLength: 25 }), fc.array(fc.uint8Array({ maxLength: 80 }), { minLength: 20, maxLength: 20 }), (blocks, packets) => {
        const wide = wideProgram(blocks);
        longest = Math.max(longest, ...wide.map((i) => Math.max(i.jt, i.jf)));
        const laid = layout(wide);
        expect(validateCbpf(laid, { libpcapOnly: true })).toEqual([]);
        const reference = spelledOut(wide);
        for (const p of packets) expect(runCbpf(laid, p)).toBe(runCbpf(reference, p));
      }),
      { numRuns: 300, seed: 6 },
    );
    // the generator does produce offsets beyond 255
    expect(longest).toBeGreaterThan(1000);
  });

  it('leaves a program whose offsets fit unchanged', () => {
    const prog: Insn[] = [
      { code: BPF_LD | BPF_H | BPF_ABS, jt: 0, jf: 0, k: 12 },
      { code: BPF_JMP | BPF_JEQ | BPF_K, jt: 0, jf: 1, k: 0x800 },
      { code: BPF_RET | BPF_K, jt: 0, jf: 0, k: 262144 },
      { code: BPF_RET | BPF_K, jt: 0, jf: 0, k: 0 },
    ];
    expect(layout(prog)).toEqual(prog);
  });
});
