// Assembler and disassembler beyond the conformance files: any slot sequence round-trips, errors name lines.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assembleEbpf, EbpfAsmError } from '../../src/ebpf/asm.js';
import { ebpfToAssembly } from '../../src/ebpf/disasm.js';
import { decodeEbpf, ebpfToDecimal, encodeEbpf, EbpfDecodeError, slotToU64, u64ToSlot } from '../../src/ebpf/encode.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('encoding', () => {
  it('lays out a slot as RFC 9669 says: opcode, dst low nibble, src high nibble, s16 offset, s32 imm, little-endian', () => {
    // stxw [%r10-4], %r7: opcode 0x63, dst 10, src 7, off -4, imm 0
    expect(hex(encodeEbpf([{ opcode: 0x63, dst: 10, src: 7, off: -4, imm: 0 }]))).toBe('637afcff00000000');
    expect(decodeEbpf(Uint8Array.from(Buffer.from('b4000000ffffffff', 'hex')))).toEqual([{ opcode: 0xb4, dst: 0, src: 0, off: 0, imm: -1 }]);
  });

  it('reads the `-- raw` 64-bit notation (opcode in the low byte)', () => {
    expect(u64ToSlot(0x5566778800000018n)).toEqual({ opcode: 0x18, dst: 0, src: 0, off: 0, imm: 0x55667788 });
    expect(slotToU64({ opcode: 0x18, dst: 0, src: 0, off: 0, imm: 0x55667788 })).toBe(0x5566778800000018n);
  });

  it('refuses an image that is not whole slots', () => {
    expect(() => decodeEbpf(new Uint8Array(12))).toThrow(EbpfDecodeError);
  });

  it('round-trips random byte images', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }).map((b) => b.slice(0, b.length - (b.length % 8))), (bytes) => {
        expect(hex(encodeEbpf(decodeEbpf(bytes)))).toBe(hex(bytes));
      }),
    );
  });

  it('dumps decimal as `-ddd` style: a count, then opcode dst src offset imm per slot', () => {
    const prog = assembleEbpf('lddw %r1, 0x100000002\nstxw [%r10-4], %r1\nexit');
    expect(ebpfToDecimal(prog)).toBe('4\n24 1 0 0 2\n0 0 0 0 1\n99 10 1 -4 0\n149 0 0 0 0\n');
  });
});

describe('assembler', () => {
  it('accepts bare and %-prefixed registers, labels, +N/-N targets and the implicit exit label', () => {
    const a = assembleEbpf('mov r0, 1\njeq r1, 0x10, +1\nja exit\nexit');
    const b = assembleEbpf('mov %r0, 1\njeq %r1, 16, done\nja done\ndone:\nexit');
    expect(hex(encodeEbpf(a))).toBe(hex(encodeEbpf(b)));
    expect(a[2]).toEqual({ opcode: 0x05, dst: 0, src: 0, off: 0, imm: 0 });
  });

  it('counts lddw as two slots when resolving labels', () => {
    const p = assembleEbpf('ja end\nlddw %r0, 1\nend:\nexit');
    expect(p[0]!.off).toBe(2);
  });

  it('assembles the legacy packet loads and .raw slots (our extensions)', () => {
    expect(assembleEbpf('ldabsh 12\nldindb %r7, 14\n.raw 0x0000000000000095')).toEqual([
      { opcode: 0x28, dst: 0, src: 0, off: 0, imm: 12 },
      { opcode: 0x50, dst: 0, src: 7, off: 0, imm: 14 },
      { opcode: 0x95, dst: 0, src: 0, off: 0, imm: 0 },
    ]);
  });

  it.each([
    ['mov %r0, 1\nfoo %r1\nexit', 2, /unknown mnemonic/],
    ['mov %r11, 1', 1, /invalid register/],
    ['exit\nx:\nx:\nexit', 3, /defined twice/],
    ['ldxw %r0, [%r1+40000]', 1, /16 bits/],
    ['lddw %r0, 0x10000000000000000', 1, /64-bit immediate/],
    ['lock fetch nand [%r1], %r2', 1, /atomic operation/],
    ['call local nowhere', 1, /undefined label/],
  ])('refuses %j at line %i', (text, line, message) => {
    try {
      assembleEbpf(text);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(EbpfAsmError);
      expect((e as EbpfAsmError).line).toBe(line);
      expect((e as Error).message).toMatch(message);
    }
  });
});

describe('disassembler', () => {
  it('gives text that assembles back to the same bytes, for any slots', () => {
    const slot = fc.record({
      opcode: fc.oneof(fc.nat(255), fc.constantFrom(0x18, 0x85, 0x95, 0xc3, 0xdb, 0xd4, 0xdc, 0xd7, 0xbc, 0x3f, 0x9f, 0x20, 0x50)),
      dst: fc.oneof(fc.nat(10), fc.nat(15)),
      src: fc.oneof(fc.constant(0), fc.nat(10), fc.nat(15)),
      off: fc.oneof(fc.constant(0), fc.constantFrom(1, 8, 16, 32), fc.integer({ min: -32768, max: 32767 })),
      imm: fc.oneof(fc.constant(0), fc.constantFrom(16, 32, 64, 1, 0xe1, 0xf1, 0x41), fc.integer({ min: -0x80000000, max: 0x7fffffff })),
    });
    fc.assert(
      fc.property(fc.array(slot, { minLength: 1, maxLength: 12 }), (prog) => {
        const bytes = encodeEbpf(prog);
        expect(hex(encodeEbpf(assembleEbpf(ebpfToAssembly(decodeEbpf(bytes)))))).toBe(hex(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it('writes readable mnemonics for common instructions', () => {
    const text = ebpfToAssembly(assembleEbpf('ldxw %r2, [%r1+4]\nlock fetch add32 [%r10-8], %r1\nsdiv32 %r0, -3\nbe16 %r0\ncall local +0\nexit'));
    expect(text).toBe('ldxw %r2, [%r1+4]\nlock fetch add32 [%r10-8], %r1\nsdiv32 %r0, -3\nbe16 %r0\ncall local +0\nexit\n');
  });
});
