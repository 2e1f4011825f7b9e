// Property: for random classic programs and random packets, the eBPF translation run on our VM gives
// the verdict of our cBPF interpreter, and (for programs libpcap 1.10.3 validates) of libpcap itself.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCbpf } from '../../src/cbpf/interpreter.js';
import { SKF_AD_OFF, SKF_AD_PROTOCOL, SKF_AD_VLAN_TAG, SKF_AD_VLAN_TAG_PRESENT, type Insn } from '../../src/cbpf/insn.js';
import { validateCbpf } from '../../src/cbpf/validate.js';
import { translateCbpf } from '../../src/ebpf/translate.js';
import { verifyEbpf } from '../../src/ebpf/verifier.js';
import { runEbpfFilter } from '../../src/ebpf/vm.js';
import { libpcapRunProgram, oracleUnavailableReason } from '../support/oracle.js';

/** One instruction before its jump offsets are fitted to its position. */
interface Draft {
  code: number;
  k: number;
  jt: number;
  jf: number;
}

const small = fc.integer({ min: 0, max: 70 });
const anyK = fc.oneof(small, fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom(0, 1, 31, 32, 0x7fffffff, 0x80000000, 0xffffffff));
const ancillary = fc.constantFrom(SKF_AD_VLAN_TAG, SKF_AD_VLAN_TAG_PRESENT, SKF_AD_PROTOCOL).map((n) => (SKF_AD_OFF + n) >>> 0);
const slot = fc.integer({ min: 0, max: 15 });
const aluOps = [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0];

const draft: fc.Arbitrary<Draft> = fc.oneof(
  // packet loads: ld [k], ldh [k], ldb [k], ld [x+k], ..., ldxb 4*([k]&0xf), with ancillary offsets now and then
  fc.record({ code: fc.constantFrom(0x20, 0x28, 0x30), k: fc.oneof({ weight: 9, arbitrary: small }, { weight: 1, arbitrary: ancillary }), jt: fc.constant(0), jf: fc.constant(0) }),
  fc.record({ code: fc.constantFrom(0x40, 0x48, 0x50, 0xb1), k: small, jt: fc.constant(0), jf: fc.constant(0) }),
  // immediates, lengths, scratch memory, tax/txa
  fc.record({ code: fc.constantFrom(0x00, 0x01, 0x80, 0x81, 0x07, 0x87), k: anyK, jt: fc.constant(0), jf: fc.constant(0) }),
  fc.record({ code: fc.constantFrom(0x60, 0x61, 0x02, 0x03), k: slot, jt: fc.constant(0), jf: fc.constant(0) }),
  // ALU with K (div/mod by 0 and shifts by >= 32 included: both sides end or zero as libpcap does) and with X
  fc.record({ code: fc.constantFrom(...aluOps.map((op) => 0x04 | op), ...aluOps.map((op) => 0x0c | op), 0x84), k: anyK, jt: fc.constant(0), jf: fc.constant(0) }),
  // conditional jumps (K, including negative constants, and X) and forward ja; jt/jf fitted later
  fc.record({ code: fc.constantFrom(0x15, 0x25, 0x35, 0x45, 0x1d, 0x2d, 0x3d, 0x4d), k: anyK, jt: fc.nat(255), jf: fc.nat(255) }),
  fc.record({ code: fc.constant(0x05), k: fc.nat(1000), jt: fc.constant(0), jf: fc.constant(0) }),
  // returns in the middle
  fc.record({ code: fc.constantFrom(0x06, 0x16), k: anyK, jt: fc.constant(0), jf: fc.constant(0) }),
);

/** A valid program: forward jumps inside it, ending with a return. */
const program: fc.Arbitrary<Insn[]> = fc
  .tuple(fc.array(draft, { minLength: 0, maxLength: 40 }), fc.constantFrom(0x06, 0x16), anyK)
  .map(([body, retCode, retK]) => {
    const len = body.length + 1;
    const insns = body.map((d, i) => {
      const room = len - i - 1; // instructions after this one
      if (d.code === 0x05) return { code: d.code, jt: 0, jf: 0, k: d.k % room };
      if ((d.code & 0x07) === 0x05) return { code: d.code, jt: d.jt % Math.min(room, 256), jf: d.jf % Math.min(room, 256), k: d.k };
      return { code: d.code, jt: 0, jf: 0, k: d.k };
    });
    return [...insns, { code: retCode, jt: 0, jf: 0, k: retK }];
  });

const packet = fc.record({
  data: fc.uint8Array({ maxLength: 96 }),
  extra: fc.oneof(fc.constant(0), fc.nat(2000)),
  vlanTag: fc.nat(0xffff),
  vlanPresent: fc.boolean(),
});

describe('translation property', () => {
  it('translated program on the VM == runCbpf, for random programs and packets', () => {
    fc.assert(
      fc.property(program, fc.array(packet, { minLength: 1, maxLength: 8 }), (prog, packets) => {
        const ebpf = translateCbpf(prog);
        expect(verifyEbpf(ebpf)).toEqual([]);
        for (const p of packets) {
          const wirelen = p.data.length + p.extra;
          const skb = { vlanTci: p.vlanTag, vlanPresent: p.vlanPresent ? 1 : 0 };
          const aux = { vlanTag: p.vlanTag, vlanTagPresent: p.vlanPresent };
          expect(runEbpfFilter(ebpf, p.data, wirelen, { skb })).toBe(runCbpf(prog, p.data, wirelen, aux));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('handles programs with backward jumps (loops end with 0 after 64 + caplen backward jumps, as runCbpf)', () => {
    // body, then a backward ja into the body at a random place: a loop only a return or a failing load leaves
    const looping = fc.tuple(program, fc.nat()).map(([prog, at]) => {
      const body = prog.slice(0, -1);
      const target = body.length === 0 ? 0 : at % body.length;
      return [...body, { code: 0x05, jt: 0, jf: 0, k: (target - body.length - 1) >>> 0 }, prog.at(-1)!];
    });
    fc.assert(
      fc.property(looping, fc.array(packet, { minLength: 1, maxLength: 4 }), (prog, packets) => {
        const ebpf = translateCbpf(prog);
        for (const p of packets) {
          const skb = { vlanTci: p.vlanTag, vlanPresent: p.vlanPresent ? 1 : 0 };
          const aux = { vlanTag: p.vlanTag, vlanTagPresent: p.vlanPresent };
          expect(runEbpfFilter(ebpf, p.data, p.data.length, { skb })).toBe(runCbpf(prog, p.data, p.data.length, aux));
        }
      }),
      { numRuns: 1000 },
    );
  });

  const reason = oracleUnavailableReason();
  it.skipIf(reason !== undefined)(`translated program on the VM == libpcap's bpf_filter${reason ? ` (skipped: ${reason})` : ''}`, () => {
    const programs = fc
      .sample(fc.tuple(program, fc.array(packet, { minLength: 5, maxLength: 5 })), { numRuns: 400, seed: 7 })
      // valid for libpcap and Linux (so no scratch read before a write: libpcap 1.10.3 leaves them
      // uninitialised), and no ancillary load (bpf_filter ends the program there; the kernel, and our
      // translation, read the context)
      .filter(([prog]) => validateCbpf(prog).length === 0 && !prog.some((i) => i.k >= SKF_AD_OFF && (i.code & 0xe0) === 0x20))
      .slice(0, 120);
    expect(programs.length).toBeGreaterThan(80);
    for (const [prog, packets] of programs) {
      const inputs = packets.map((p) => ({ data: p.data, wirelen: p.data.length + p.extra }));
      const truth = libpcapRunProgram(prog, inputs);
      const ebpf = translateCbpf(prog);
      const ours = inputs.map((p) => runEbpfFilter(ebpf, p.data, p.wirelen));
      expect(ours).toEqual(truth);
    }
  });
});
