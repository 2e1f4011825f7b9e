// Bad input is normal input: random text, slots and programs give results or typed errors, never crashes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assembleEbpf, EbpfAsmError } from '../../src/ebpf/asm.js';
import { decodeEbpf } from '../../src/ebpf/encode.js';
import { translateCbpf } from '../../src/ebpf/translate.js';
import { verifyEbpf } from '../../src/ebpf/verifier.js';
import { EbpfRuntimeError, runEbpf, runEbpfFilter } from '../../src/ebpf/vm.js';

const slots = fc.uint8Array({ minLength: 8, maxLength: 96 }).map((b) => decodeEbpf(b.slice(0, b.length - (b.length % 8))));

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
    fc.assert(
      fc.property(slots, fc.uint8Array({ maxLength: 32 }), (prog, mem) => {
        if (verifyEbpf(prog, { initialized: [1, 2, 10] }).length > 0) return;
        try {
          runEbpf(prog, { mem, budget: 10_000 });
        } catch (e) {
          expect((e as Error).message).toMatch(/out of bounds|no valid pointer|budget|read-only|unknown helper|call depth/);
        }
      }),
      { numRuns: 3000 },
    );
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
