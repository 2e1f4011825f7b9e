// The optimizer on random programs (every statement kind, scratch memory, X operands, divisions,
// `ret a`, big offsets): the verdict never changes, and bad input comes back unchanged.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCbpf } from '../../src/cbpf/interpreter.js';
import { BPF_JA, BPF_JMP, BPF_RET, BPF_K, type Insn } from '../../src/cbpf/insn.js';
import { optimize, RejectsAllPacketsError } from '../../src/codegen/optimizer/index.js';
import { programArb, spelledOut } from './programs.js';
import { runnable } from './support.js';

function optimizedOrRejecting(wide: Insn[]): Insn[] {
  try {
    return runnable(optimize(wide));
  } catch (err) {
    if (err instanceof RejectsAllPacketsError) return err.program;
    throw err;
  }
}

/** Packets drawn from a few byte patterns, so that loads compare equal to the programs' small constants. */
const packetArb = fc.array(fc.oneof(fc.constantFrom(0, 1, 2, 4, 6, 8, 20), fc.nat(255)), { maxLength: 48 }).map((b) => Uint8Array.from(b));

describe('optimizer on random programs', () => {
  it('keeps every verdict', () => {
    let shrunk = 0;
    let total = 0;
    fc.assert(
      fc.property(programArb(12, 0), fc.array(packetArb, { minLength: 30, maxLength: 30 }), (wide, packets) => {
        const opt = optimizedOrRejecting(wide);
        const reference = spelledOut(wide);
        total += wide.length;
        shrunk += opt.length;
        for (const p of packets) expect(runCbpf(opt, p)).toBe(runCbpf(reference, p));
      }),
      { numRuns: 4000, seed: 66 },
    );
    // the optimizer does something on these programs
    expect(shrunk).toBeLessThan(total * 0.8);
  });

  it('returns programs it cannot rebuild unchanged', () => {
    const backward: Insn[] = [
      { code: BPF_JMP | BPF_JA, jt: 0, jf: 0, k: 1 },
      { code: BPF_RET | BPF_K, jt: 0, jf: 0, k: 1 },
      { code: BPF_JMP | BPF_JA, jt: 0, jf: 0, k: -3 >>> 0 },
    ];
    const outOfRange: Insn[] = [{ code: BPF_JMP | BPF_JA, jt: 0, jf: 0, k: 5 }];
    const unknown: Insn[] = [{ code: 0xff, jt: 0, jf: 0, k: 0 }, { code: BPF_RET | BPF_K, jt: 0, jf: 0, k: 1 }];
    for (const p of [backward, outOfRange, unknown, []]) expect(optimize(p)).toEqual(p);
  });
});
