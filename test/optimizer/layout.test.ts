// layout(): wide programs (conditional offsets beyond 255) become valid classic BPF that gives
// the same verdict on every packet.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCbpf } from '../../src/cbpf/interpreter.js';
import { BPF_ABS, BPF_H, BPF_JEQ, BPF_JMP, BPF_K, BPF_LD, BPF_RET, type Insn } from '../../src/cbpf/insn.js';
import { validateCbpf } from '../../src/cbpf/validate.js';
import { layout } from '../../src/codegen/optimizer/index.js';
import { programArb, spelledOut } from './programs.js';

describe('layout', () => {
  it('makes every offset fit in 8 bits and keeps every verdict', () => {
    let longest = 0;
    fc.assert(
      fc.property(programArb(25, 400), fc.array(fc.uint8Array({ maxLength: 64 }), { minLength: 20, maxLength: 20 }), (wide, packets) => {
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

  it('returns a program with a jump out of range unchanged', () => {
    const prog: Insn[] = [
      { code: BPF_JMP | BPF_JEQ | BPF_K, jt: 300, jf: 0, k: 0 },
      { code: BPF_RET | BPF_K, jt: 0, jf: 0, k: 0 },
    ];
    expect(layout(prog)).toEqual(prog);
  });
});
