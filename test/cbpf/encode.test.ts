// struct bpf_insn images for SO_ATTACH_FILTER.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CBPF_INSN_SIZE, CbpfEncodeError, decodeCbpf, encodeCbpf } from '../../src/cbpf/encode.js';
import type { Insn } from '../../src/cbpf/insn.js';

const insnArb: fc.Arbitrary<Insn> = fc.record({
  code: fc.integer({ min: 0, max: 0xffff }),
  jt: fc.integer({ min: 0, max: 255 }),
  jf: fc.integer({ min: 0, max: 255 }),
  k: fc.integer({ min: -0x80000000, max: 0x7fffffff }).map((k) => k >>> 0),
});

describe('encodeCbpf / decodeCbpf', () => {
  it('lays out code (u16), jt, jf, k (u32) in 8 bytes, little- or big-endian', () => {
    const program = [{ code: 0x0015, jt: 2, jf: 13, k: 0x86dd }];
    expect([...encodeCbpf(program, { littleEndian: true })]).toEqual([0x15, 0x00, 2, 13, 0xdd, 0x86, 0x00, 0x00]);
    expect([...encodeCbpf(program, { littleEndian: false })]).toEqual([0x00, 0x15, 2, 13, 0x00, 0x00, 0x86, 0xdd]);
    expect(CBPF_INSN_SIZE).toBe(8);
  });

  it('round-trips any program in either byte order', () => {
    fc.assert(
      fc.property(fc.array(insnArb, { maxLength: 50 }), fc.boolean(), (program, littleEndian) => {
        const bytes = encodeCbpf(program, { littleEndian });
        expect(bytes.length).toBe(program.length * 8);
        expect(decodeCbpf(bytes, { littleEndian })).toEqual(program);
      }),
    );
  });

  it('decodes from a view into a larger buffer', () => {
    const bytes = encodeCbpf([{ code: 6, jt: 0, jf: 0, k: 262144 }]);
    const padded = new Uint8Array(20);
    padded.set(bytes, 5);
    expect(decodeCbpf(padded.subarray(5, 13))).toEqual([{ code: 6, jt: 0, jf: 0, k: 262144 }]);
  });

  it('refuses images of a partial instruction and fields out of range', () => {
    expect(() => decodeCbpf(new Uint8Array(12))).toThrow(CbpfEncodeError);
    expect(() => encodeCbpf([{ code: 0x10000, jt: 0, jf: 0, k: 0 }])).toThrow(CbpfEncodeError);
    expect(() => encodeCbpf([{ code: 6, jt: 256, jf: 0, k: 0 }])).toThrow(/jt/);
    expect(() => encodeCbpf([{ code: 6, jt: 0, jf: 0, k: -1 }])).toThrow(/k -1/);
  });
});
