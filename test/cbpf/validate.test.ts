// The validator, rule by rule, and on the programs libpcap itself compiles.
import { describe, expect, it } from 'vitest';
import { insn, type Insn } from '../../src/cbpf/insn.js';
import { parseCbpf } from '../../src/cbpf/parse.js';
import {
  CbpfValidationError,
  LIBPCAP_MAXINSNS,
  assertValidCbpf,
  validateCbpf,
  type CbpfRule,
} from '../../src/cbpf/validate.js';
import { loadExpressions } from '../support/differential.js';
import { libpcapCompile, libpcapValidate } from '../support/oracle.js';

const RET0 = insn(0x06, 0);
const RET_A = insn(0x16);

/** Programs breaking one rule each: [rule, program, index, refused by libpcap too]. */
const cases: [CbpfRule, Insn[], number, boolean][] = [
  ['empty-program', [], -1, true],
  ['too-long', Array.from({ length: 4097 }, () => RET0), -1, false],
  ['bad-field', [{ code: 0x06, jt: 0, jf: 0, k: -1 }], 0, true],
  ['bad-field', [{ code: 0x10000, jt: 0, jf: 0, k: 0 }], 0, true],
  ['unknown-opcode', [insn(0x08), RET0], 0, true], // ld with size H and mode IMM
  ['unknown-opcode', [insn(0x0e), RET0], 0, true], // ret x does not exist
  ['jump-out-of-range', [insn(0x15, 0, 0, 1), RET0], 0, true],
  ['jump-out-of-range', [insn(0x05, 1), RET0], 0, true],
  ['jump-out-of-range', [RET0, insn(0x05, -3), RET0], 1, true],
  ['infinite-loop', [RET0, insn(0x05, -1), RET0], 1, true],
  ['backward-jump', [RET0, insn(0x05, -2), RET0], 1, false],
  ['scratch-index', [insn(0x02, 16), RET0], 0, true],
  ['scratch-index', [insn(0x61, 0xffffffff), RET0], 0, true],
  ['division-by-zero', [insn(0x34, 0), RET_A], 0, true],
  ['division-by-zero', [insn(0x94, 0), RET_A], 0, true],
  ['shift-too-large', [insn(0x64, 32), RET_A], 0, true],
  ['shift-too-large', [insn(0x74, 0xffffffff), RET_A], 0, true],
  ['last-not-ret', [RET0, insn(0x00, 1)], 1, true],
  ['unknown-ancillary', [insn(0x20, 0xfffff040), RET_A], 0, false],
  ['unknown-ancillary', [insn(0x28, 0xfffff001), RET_A], 0, false],
  ['scratch-read-before-write', [insn(0x60, 3), RET_A], 0, false],
  // Written on one branch only: the read may come first on the other.
  ['scratch-read-before-write', [insn(0x15, 0, 0, 1), insn(0x02, 3), insn(0x61, 3), RET_A], 2, false],
];

describe('validateCbpf', () => {
  it.each(cases)('reports %s', (rule, program, index, libpcap) => {
    const found = validateCbpf(program);
    expect(found).toContainEqual(expect.objectContaining({ rule, index, libpcap, kernel: true }));
    expect(found.filter((v) => v.rule === rule)).toHaveLength(1);
    expect(validateCbpf(program, { libpcapOnly: true }).some((v) => v.rule === rule)).toBe(libpcap);
  });

  it('says which of libpcap 1.10.3 and master refuses, where they agree', () => {
    const masterOnly: CbpfRule[] = ['bad-field', 'shift-too-large', 'infinite-loop', 'unknown-opcode'];
    const agreed = cases.filter(([rule]) => !masterOnly.includes(rule));
    const theirs = libpcapValidate(agreed.map(([, p]) => p));
    expect(theirs).toEqual(agreed.map(([, , , libpcap]) => !libpcap));
  });

  it('accepts what both take: ancillary loads, every scratch slot written first, the longest kernel program', () => {
    expect(validateCbpf([insn(0x30, 0xfffff030), insn(0x15, 1, 0, 1), insn(0x28, 0xfffff02c), RET_A])).toEqual([]);
    expect(validateCbpf([insn(0x15, 0, 1, 1), insn(0x02, 3), insn(0x02, 3), insn(0x60, 3), RET_A])).toEqual([]);
    expect(validateCbpf([insn(0x05, 4094 - 1), ...Array.from({ length: 4095 }, () => RET0)])).toEqual([]);
    expect(LIBPCAP_MAXINSNS).toBeGreaterThan(4096);
  });

  it('finds nothing in the programs libpcap compiles but protochain’s backward jumps (kernel only)', () => {
    const exprs = loadExpressions();
    const compiled = libpcapCompile(
      ['EN10MB', 'LINUX_SLL', 'RAW'].flatMap((linktype) =>
        exprs.flatMap((expr) => [true, false].map((optimize) => ({ expr, linktype, optimize }))),
      ),
    ).flatMap((r) => (r.ok ? [r.program] : []));
    expect(compiled.length).toBeGreaterThan(1000);
    let withBackwardJumps = 0;
    for (const program of compiled) {
      const found = validateCbpf(program);
      expect(found.filter((v) => v.rule !== 'backward-jump')).toEqual([]);
      if (found.length > 0) withBackwardJumps++;
    }
    expect(withBackwardJumps).toBeGreaterThan(0);
  });

  it('throws a CbpfValidationError carrying the violations', () => {
    const program = parseCbpf('(000) ld       M[3]\n(001) div      #0\n');
    expect(() => assertValidCbpf(program)).toThrow(CbpfValidationError);
    try {
      assertValidCbpf(program);
    } catch (e) {
      expect((e as CbpfValidationError).violations.map((v) => [v.index, v.rule])).toEqual([
        [0, 'scratch-read-before-write'],
        [1, 'division-by-zero'],
        [1, 'last-not-ret'],
      ]);
      expect((e as Error).message).toMatch(/instruction 1: division-by-zero/);
    }
    expect(() => assertValidCbpf([insn(0x60, 3), RET_A], { libpcapOnly: true })).not.toThrow();
  });
});
