// The verifier: the 45 must-reject programs of the conformance suite, and one program per rule.
import { describe, expect, it } from 'vitest';
import { assembleEbpf } from '../../src/ebpf/asm.js';
import { assertVerifiedEbpf, EbpfVerifierError, verifyEbpf } from '../../src/ebpf/verifier.js';
import { ebpfConformanceNegatives, ebpfConformanceTests, programOf } from '../support/ebpf-conformance.js';

// the conformance harness sets r1, r2 (the mem length) and r10
const HARNESS = { initialized: [1, 2, 10] };

describe('conformance suite', () => {
  const unused = ebpfConformanceNegatives().filter((n) => n.name.startsWith('negative/unused-'));

  it('has the 45 unused-field programs', () => {
    expect(unused).toHaveLength(45);
  });

  it.each(unused.map((n) => [n.name, n] as const))('refuses %s, naming the instruction and the field', (_, file) => {
    const problems = verifyEbpf(programOf(file), HARNESS);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]!.pc).toBe(0); // every one of them has the bad field in its first instruction
    expect(problems[0]!.message).toMatch(/reserved field|offset \d+ is not allowed/);
  });

  it('accepts every positive test except callx (0x8d is not RFC 9669)', () => {
    const refused = ebpfConformanceTests()
      .filter((t) => verifyEbpf(programOf(t), HARNESS).length > 0)
      .map((t) => t.name);
    expect(refused).toEqual(['callx']);
  });
});

describe('rules', () => {
  it.each([
    ['unknown opcode', '.raw 0x00000000000000ff\nexit', 0, /unknown opcode 0xff/],
    ['destination register beyond r10', '.raw 0x0000000000000bbc\nmov %r0, 0\nexit', 0, /register r11 does not exist/],
    ['source register beyond r10', '.raw 0x000000000000b0bc\nmov %r0, 0\nexit', 0, /register r11 does not exist/],
    ['jump out of the program', 'mov %r0, 0\nja +5\nexit', 1, /outside the program/],
    ['jump backwards out of the program', 'mov %r0, 0\nja -3\nexit', 1, /outside the program/],
    ['jump into the second slot of lddw', 'ja +1\nlddw %r0, 1\nexit', 0, /second slot of an lddw/],
    ['write to r10', 'mov %r10, 0\nmov %r0, 0\nexit', 0, /r10/],
    ['fetch into r10', 'lock fetch add [%r10-8], %r10\nmov %r0, 0\nexit', 0, /r10/],
    ['stack access below 512 bytes', 'mov %r0, 0\nstw [%r10-516], 0\nexit', 1, /outside the 512-byte stack/],
    ['stack access above r10', 'mov %r0, 0\nldxw %r0, [%r10-2]\nexit', 1, /outside the 512-byte stack/],
    ['stack access through a copy of r10', 'mov %r0, 0\nmov %r2, %r10\nadd %r2, -600\nstb [%r2+80], 1\nexit', 3, /r10-520 \(through r2\)/],
    ['stack access through a moved copy of r10', 'mov %r0, 0\nmov %r2, %r10\nsub %r2, 8\nmov %r3, %r2\nstdw [%r3-508], 1\nexit', 4, /r10-516/],
    ['read of a register never written', 'mov %r0, %r3\nexit', 0, /reads r3/],
    ['exit without r0', 'exit', 0, /reads r0/],
    ['read written on one path only', 'jeq %r1, 0, +1\nmov %r4, 1\nmov %r0, %r4\nexit', 2, /reads r4/],
    ['r1-r5 after a helper call', 'mov %r1, 1\ncall 5\nmov %r0, %r1\nexit', 2, /reads r1/],
    ['r1-r5 after a legacy packet load', 'mov %r6, %r1\nmov %r2, 1\nldabsb 0\nmov %r0, %r2\nexit', 3, /reads r2/],
    ['legacy packet load without r6', 'ldabsb 0\nexit', 0, /reads r6/],
    ['falling off the end', 'mov %r0, 0\njeq %r0, 0, +1\nexit\nmov %r0, 1', 3, /falls off the end/],
    ['lddw without its second slot', '.raw 0x0000000000000018', 0, /second slot/],
    ['lddw from a map', '.raw 0x0000000000001018\n.raw 0\nexit', 0, /src 1/],
    ['runtime call', 'call runtime 1\nmov %r0, 0\nexit', 0, /src 2/],
    ['byte swap of width 8', '.raw 0x00000008000000dc\nmov %r0, 0\nexit', 0, /width 8/],
  ])('%s', (_, text, pc, message) => {
    const problems = verifyEbpf(assembleEbpf(text));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]!.pc).toBe(pc);
    expect(problems[0]!.message).toMatch(message);
  });

  it('does not check stack accesses through a register whose frame offset differs between paths', () => {
    expect(verifyEbpf(assembleEbpf('mov %r0, 0\nmov %r2, %r10\njeq %r1, 0, +1\nmov %r2, %r1\nstw [%r2-4], 1\nexit'))).toEqual([]);
  });

  it('accepts loops, local calls and registers written on every path', () => {
    const text = 'mov %r0, 0\nmov %r3, 3\nloop:\nadd %r0, 1\njlt %r0, %r3, loop\njeq %r0, 9, +2\nmov %r4, 1\nja +1\nmov %r4, 2\nadd %r0, %r4\nmov %r1, %r0\ncall local f\nexit\nf:\nmov %r0, %r1\nexit';
    expect(verifyEbpf(assembleEbpf(text))).toEqual([]);
  });

  it('throws a typed error listing the problems', () => {
    expect(() => assertVerifiedEbpf(assembleEbpf('mov %r0, %r3\nexit'))).toThrow(EbpfVerifierError);
    expect(() => assertVerifiedEbpf(assembleEbpf('mov %r0, %r3\nexit'))).toThrow(/instruction 0: reads r3/);
    expect(verifyEbpf([])).toEqual([{ pc: 0, message: 'the program is empty' }]);
  });
});
