// VM behaviour the conformance suite does not cover (its README lists these gaps), and its faults.
import { describe, expect, it } from 'vitest';
import { assembleEbpf } from '../../src/ebpf/asm.js';
import { EbpfRuntimeError, runEbpf, runEbpfFilter } from '../../src/ebpf/vm.js';

const run = (text: string, mem?: Uint8Array): bigint => runEbpf(assembleEbpf(text), { mem });
const filter = (text: string, packet: number[], wirelen?: number): number =>
  runEbpfFilter(assembleEbpf(text), Uint8Array.from(packet), wirelen);

describe('RFC 9669 details', () => {
  it('ALU32 modulo by zero keeps the low 32 bits of dst and zeroes the high ones (s4.1)', () => {
    expect(run('lddw %r0, 0x1234567800000009\nmov32 %r1, 0\nmod32 %r0, %r1\nexit')).toBe(9n);
  });

  it('64-bit modulo by zero leaves dst unchanged; division by zero gives 0', () => {
    expect(run('lddw %r0, 0x1234567800000009\nmov %r1, 0\nmod %r0, %r1\nexit')).toBe(0x1234567800000009n);
    expect(run('lddw %r0, 0x1234567800000009\nmov %r1, 0\ndiv %r0, %r1\nexit')).toBe(0n);
  });

  it('stdw sign-extends a negative immediate', () => {
    expect(run('stdw [%r10-8], -2\nldxdw %r0, [%r10-8]\nexit')).toBe(0xfffffffffffffffen);
  });

  it('ALU64 add and sub carry between the 32-bit halves', () => {
    expect(run('mov32 %r0, -1\nadd %r0, 1\nexit')).toBe(0x100000000n);
    expect(run('mov %r0, 0\nsub %r0, 1\nexit')).toBe(0xffffffffffffffffn);
    expect(run('lddw %r0, 0x100000000\nneg %r0\nexit')).toBe(0xffffffff00000000n);
  });

  it('local calls get a fresh 512-byte frame and restore r6-r9', () => {
    const text = 'mov %r6, 7\nstw [%r10-4], 1\ncall local f\nldxw %r0, [%r10-4]\nadd %r0, %r6\nexit\nf:\nstw [%r10-4], 100\nmov %r6, 0\nexit';
    expect(run(text)).toBe(8n);
  });
});

describe('legacy packet loads (LD_ABS / LD_IND) and the packet context', () => {
  const packet = [0x45, 0x00, 0x01, 0x02, 0xaa, 0xbb];

  it('load big-endian into r0', () => {
    expect(filter('ldabsw 0\nexit', packet)).toBe(0x45000102);
    expect(filter('ldabsh 2\nexit', packet)).toBe(0x0102);
    expect(filter('mov %r7, 4\nldindb %r7, 1\nexit', packet)).toBe(0xbb);
  });

  it('end the program with 0 when the bytes lie outside the packet, without wrapping src + imm', () => {
    expect(filter('mov32 %r0, 9\nldabsh 5\nmov32 %r0, 1\nexit', packet)).toBe(0);
    expect(filter('mov32 %r7, -1\nldindb %r7, 2\nmov32 %r0, 1\nexit', packet)).toBe(0);
  });

  it('give the wire length in the context`s len field (offset 0), read-only', () => {
    expect(filter('ldxw %r0, [%r1+0]\nexit', packet, 1500)).toBe(1500);
    expect(() => filter('stw [%r1+0], 1\nexit', packet)).toThrow(/read-only context/);
  });
});

describe('faults are typed and name the instruction', () => {
  it.each([
    ['mov %r0, 0\nldxw %r0, [%r10+0]\nexit', 1, /out of bounds/],
    ['ldxb %r0, [%r1-89]\nexit', 0, /out of bounds/],
    ['ldxdw %r0, [%r10-4100]\nexit', 0, /out of bounds/],
    ['mov %r2, 5\nldxb %r0, [%r2+0]\nexit', 1, /no valid pointer/],
    ['mov %r0, 0\nja -1', 1, /budget/],
    ['call 99\nexit', 0, /unknown helper 99/],
    ['mov %r0, 0', 1, /outside the program/],
    ['.raw 0x00000000000000ff\nexit', 0, /unknown opcode/],
    ['f:\ncall local f\nexit', 0, /call depth/],
  ])('%j faults at instruction %i', (text, pc, message) => {
    try {
      runEbpf(assembleEbpf(text), { budget: 10_000 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(EbpfRuntimeError);
      expect((e as EbpfRuntimeError).pc).toBe(pc);
      expect((e as Error).message).toMatch(message);
    }
  });

  it('stops on unwind (helper 5) returning 0, with r0 = 0', () => {
    expect(run('mov %r1, 0\ncall 5\nmov %r0, 2\nexit')).toBe(0n);
  });
});
