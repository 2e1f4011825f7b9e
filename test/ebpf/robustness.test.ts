// Bad input is normal input: random text, slots and programs give results or typed errors, never crashes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assembleEbpf, EbpfAsmError } from '../../src/ebpf/asm.js';
import { decodeEbpf } from '../../src/ebpf/encode.js';
import {
  EBPF_ALU, EBPF_ALU64, EBPF_B, EBPF_DW, EBPF_H, EBPF_JMP, EBPF_K, EBPF_LDX, EBPF_MEM, EBPF_MOV, EBPF_OP_EXIT,
  EBPF_ST, EBPF_STX, EBPF_W, EBPF_X, ebpf, type EbpfInsn,
} from '../../src/ebpf/insn.js';
import { translateCbpf } from '../../src/ebpf/translate.js';
import { verifyEbpf } from '../../src/ebpf/verifier.js';
import { EbpfRuntimeError, runEbpf, runEbpfFilter } from '../../src/ebpf/vm.js';

const slots = fc.uint8Array({ minLength: 8, maxLength: 96 }).map((b) => decodeEbpf(b.slice(0, b.length - (b.length % 8))));

/**
 * Programs built from well-formed ALU, load, store and forward-jump instructions over r0-r3 (r1 and r2 set
 * on entry, r0 and r3 set first) and through r1 or r10, ending in `exit`: unlike random slots, a good share
 * of them pass the verifier.
 */
const register = fc.nat(3);
const pointer = fc.constantFrom(1, 10);
const size = fc.constantFrom(EBPF_B, EBPF_H, EBPF_W, EBPF_DW);
const offset = fc.integer({ min: -520, max: 40 });
const wellFormed: fc.Arbitrary<EbpfInsn> = fc.oneof(
  fc.record({ cls: fc.constantFrom(EBPF_ALU, EBPF_ALU64), op: fc.nat(12), x: fc.boolean(), dst: register, src: register, imm: fc.integer() })
    .filter(({ op }) => op !== 8) // 0x80 is NEG, which takes no operand
    .map(({ cls, op, x, dst, src, imm }) => (x ? ebpf(cls | (op << 4) | EBPF_X, dst, src) : ebpf(cls | (op << 4) | EBPF_K, dst, 0, 0, imm))),
  fc.record({ size, dst: register, src: pointer, off: offset }).map(({ size, dst, src, off }) => ebpf(EBPF_LDX | EBPF_MEM | size, dst, src, off)),
  fc.record({ size, dst: pointer, off: offset, imm: fc.integer() }).map(({ size, dst, off, imm }) => ebpf(EBPF_ST | EBPF_MEM | size, dst, 0, off, imm)),
  fc.record({ size, dst: pointer, src: register, off: offset }).map(({ size, dst, src, off }) => ebpf(EBPF_STX | EBPF_MEM | size, dst, src, off)),
  fc.record({ op: fc.integer({ min: 1, max: 7 }), dst: register, off: fc.nat(3), imm: fc.integer() })
    .map(({ op, dst, off, imm }) => ebpf(EBPF_JMP | (op << 4) | EBPF_K, dst, 0, off, imm)),
);
const verifiable = fc.array(wellFormed, { maxLength: 12 }).map((body) => [
  ebpf(EBPF_ALU64 | EBPF_MOV | EBPF_K, 0),
  ebpf(EBPF_ALU64 | EBPF_MOV | EBPF_K, 3),
  ...body,
  ebpf(EBPF_OP_EXIT),
]);

describe('robustness', () => {
  it('the assembler throws only EbpfAsmError on random text', () => {
    const token = fc.constantFrom('mov', 'lddw', 'lock', 'fetch', 'call', 'local', 'ja', 'jeq32', '%r1', 'r11', '[%r1+', ']', ',', '0x', '-', '+3', 'x:', '#', '\n', ' ', '99999999999', 'exit', '.raw');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(token).map((t) => t.join(''))), (text) => {
        try {
          assembleEbpf(text);
        } catch (e) {
          expect(e).toBeInstanceOf(EbpfAsmError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('the verifier and the VM take any slots: problems, results or EbpfRuntimeError', () => {
    fc.assert(
      fc.property(slots, fc.uint8Array({ maxLength: 32 }), (prog, mem) => {
        expect(Array.isArray(verifyEbpf(prog))).toBe(true);
        for (const run of [() => runEbpf(prog, { mem, budget: 10_000 }), () => runEbpfFilter(prog, mem, mem.length, { budget: 10_000 })]) {
          try {
            run();
          } catch (e) {
            expect(e).toBeInstanceOf(EbpfRuntimeError);
          }
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('programs the verifier accepts do not fault on the VM except by memory bounds or budget', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof(slots, verifiable), fc.uint8Array({ maxLength: 32 }), (prog, mem) => {
        if (verifyEbpf(prog, { initialized: [1, 2, 10] }).length > 0) return;
        accepted++;
        try {
          runEbpf(prog, { mem, budget: 10_000 });
        } catch (e) {
          expect((e as Error).message).toMatch(/out of bounds|no valid pointer|budget|read-only|unknown helper|call depth/);
        }
      }),
      { numRuns: 3000 },
    );
    // random slots almost never verify: without the well-formed programs this would check nothing
    expect(accepted).toBeGreaterThan(300);
  });

  it('translation takes any classic instructions', () => {
    const cbpf = fc.array(fc.record({ code: fc.nat(0xffff), jt: fc.nat(255), jf: fc.nat(255), k: fc.nat(0xffffffff) }), { maxLength: 30 });
    fc.assert(
      fc.property(cbpf, fc.uint8Array({ maxLength: 64 }), (prog, packet) => {
        const ebpf = translateCbpf(prog);
        expect(verifyEbpf(ebpf)).toEqual([]);
        expect(runEbpfFilter(ebpf, packet)).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 2000 },
    );
  });
});
