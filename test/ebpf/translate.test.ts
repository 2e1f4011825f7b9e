// The translation's shape, checked against the kernel's conversion rules as the issue states them,
// and its results where libpcap and the kernel part ways.
import { describe, expect, it } from 'vitest';
import { runCbpf } from '../../src/cbpf/interpreter.js';
import { SKF_AD_OFF, SKF_AD_VLAN_TAG, SKF_AD_VLAN_TAG_PRESENT, insn, type Insn } from '../../src/cbpf/insn.js';
import { ebpfToAssembly } from '../../src/ebpf/disasm.js';
import { scratchSlotsReadBeforeWrite, translateCbpf } from '../../src/ebpf/translate.js';
import { verifyEbpf } from '../../src/ebpf/verifier.js';
import { runEbpfFilter } from '../../src/ebpf/vm.js';
import { compileJit } from '../../src/ebpf/jit/index.js';
import { EBPF_JA, EBPF_JMP32 } from '../../src/ebpf/insn.js';

const PROLOGUE = 'mov32 %r0, 0\nmov32 %r7, 0\nmov %r6, %r1\n';
const asm = (p: Insn[]): string => ebpfToAssembly(translateCbpf(p));
const both = (p: Insn[], packet: number[] = [], wirelen?: number): [number, number] => {
  const data = Uint8Array.from(packet);
  return [runEbpfFilter(translateCbpf(p), data, wirelen), runCbpf(p, data, wirelen)];
};

describe('shape (the kernel conversion)', () => {
  it('clears A and X with mov32, copies the context to r6, returns a constant with mov32 + exit', () => {
    expect(asm([insn(0x06, 5)])).toBe(`${PROLOGUE}mov32 %r0, 5\nexit\n`);
    expect(asm([insn(0x16)])).toBe(`${PROLOGUE}exit\n`);
  });

  it('inverts eq/gt/ge when the true branch falls through', () => {
    const p = [insn(0x00, 1), insn(0x15, 1, 0, 1), insn(0x06, 10), insn(0x06, 20)];
    expect(asm(p)).toBe(`${PROLOGUE}mov32 %r0, 1\njne %r0, 1, +2\nmov32 %r0, 10\nexit\nmov32 %r0, 20\nexit\n`);
    const gt = [insn(0x25, 1, 0, 1), insn(0x06, 10), insn(0x06, 20)];
    expect(asm(gt)).toContain('jle %r0, 1, +2');
    const ge = [insn(0x3d, 0, 0, 1), insn(0x06, 10), insn(0x06, 20)];
    expect(asm(ge)).toContain('jlt %r0, %r7, +2');
  });

  it('splits jset (no inversion) into a jump and a ja, and uses one jump when the false branch falls through', () => {
    const p = [insn(0x45, 1, 0, 1), insn(0x06, 10), insn(0x06, 20)];
    expect(asm(p)).toBe(`${PROLOGUE}jset %r0, 1, +1\nja +2\nmov32 %r0, 10\nexit\nmov32 %r0, 20\nexit\n`);
    const fallsFalse = [insn(0x15, 7, 1, 0), insn(0x06, 10), insn(0x06, 20)];
    expect(asm(fallsFalse)).toBe(`${PROLOGUE}jeq %r0, 7, +2\nmov32 %r0, 10\nexit\nmov32 %r0, 20\nexit\n`);
  });

  it('compares a negative constant through r2 loaded with mov32', () => {
    expect(asm([insn(0x15, 0xffffffff, 0, 1), insn(0x06, 1), insn(0x06, 0)])).toContain('mov32 %r2, -1\njne %r0, %r2, +2\n');
  });

  it('guards division by X, reads BPF_LEN from the context, keeps the legacy packet loads', () => {
    expect(asm([insn(0x3c), insn(0x16)])).toBe(`${PROLOGUE}jne %r7, 0, +2\nmov32 %r0, 0\nexit\ndiv32 %r0, %r7\nexit\n`);
    expect(asm([insn(0x80), insn(0x16)])).toBe(`${PROLOGUE}ldxw %r0, [%r6]\nexit\n`);
    expect(asm([insn(0x48, 14), insn(0x30, 23), insn(0x16)])).toBe(`${PROLOGUE}ldindh %r7, 14\nldabsb 23\nexit\n`);
  });

  it('keeps M[k] at r10 - 4(k+1), zeroing in the prologue only the slots a path may read before writing', () => {
    expect(asm([insn(0x02, 0), insn(0x61, 0), insn(0x60, 15), insn(0x16)])).toBe(
      `${PROLOGUE}stw [%r10-64], 0\nstxw [%r10-4], %r0\nldxw %r7, [%r10-4]\nldxw %r0, [%r10-64]\nexit\n`,
    );
    // written on one branch only: may be read unwritten
    expect(scratchSlotsReadBeforeWrite([insn(0x15, 0, 0, 1), insn(0x02, 3), insn(0x60, 3), insn(0x16)])).toEqual([3]);
    // written on both branches
    expect(scratchSlotsReadBeforeWrite([insn(0x15, 0, 0, 2), insn(0x02, 3), insn(0x05, 1), insn(0x02, 3), insn(0x60, 3), insn(0x16)])).toEqual([]);
    expect(scratchSlotsReadBeforeWrite([insn(0x02, 3), insn(0x15, 0, 0, 1), insn(0x02, 4), insn(0x60, 3), insn(0x16)])).toEqual([]);
  });

  it('sets no reserved field and always passes our verifier', () => {
    const p = [insn(0x28, 12), insn(0x15, 0x800, 0, 3), insn(0xb1, 14), insn(0x40, 16), insn(0x02, 1), insn(0x06, 0xffff), insn(0x06, 0)];
    expect(verifyEbpf(translateCbpf(p))).toEqual([]);
  });
});

describe('results where libpcap and the kernel differ (we follow libpcap, as runCbpf)', () => {
  it('division and modulo by X = 0 return 0; by a constant 0 too', () => {
    expect(both([insn(0x00, 7), insn(0x3c), insn(0x16)])).toEqual([0, 0]);
    expect(both([insn(0x00, 7), insn(0x9c), insn(0x16)])).toEqual([0, 0]);
    expect(both([insn(0x00, 7), insn(0x34, 0), insn(0x16)])).toEqual([0, 0]);
    expect(both([insn(0x00, 7), insn(0x01, 2), insn(0x9c), insn(0x16)])).toEqual([1, 1]);
  });

  it('shifts by 32 or more give 0 (eBPF alone would mask the count)', () => {
    expect(both([insn(0x00, 7), insn(0x01, 33), insn(0x6c), insn(0x16)])).toEqual([0, 0]);
    expect(both([insn(0x00, 7), insn(0x01, 1), insn(0x6c), insn(0x16)])).toEqual([14, 14]);
    expect(both([insn(0x00, 7), insn(0x74, 32), insn(0x04, 1), insn(0x16)])).toEqual([1, 1]);
  });

  it('jumps outside the program, a ja to itself, falling off the end and unknown opcodes return 0', () => {
    expect(both([insn(0x05, 5), insn(0x06, 1)])).toEqual([0, 0]);
    expect(both([insn(0x05, 0xffffffff), insn(0x06, 1)])).toEqual([0, 0]);
    expect(both([insn(0x00, 1)])).toEqual([0, 0]);
    expect(both([insn(0xff), insn(0x06, 1)])).toEqual([0, 0]);
    expect(both([insn(0x02, 16), insn(0x06, 1)])).toEqual([0, 0]);
  });

  it('runs backward jumps, allowing 64 + caplen of them in a run', () => {
    // count in M[0] until A >= n: n - 1 backward jumps
    const loop = (n: number): Insn[] => [insn(0x60, 0), insn(0x04, 1), insn(0x02, 0), insn(0x35, n, 1, 0), insn(0x05, -5 >>> 0), insn(0x16)];
    expect(both(loop(65))).toEqual([65, 65]);
    expect(both(loop(66))).toEqual([0, 0]);
    expect(both(loop(66), [1])).toEqual([66, 66]);
  });

  it('reads the VLAN ancillary values from the context, as the kernel does', () => {
    const p = [insn(0x20, (SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT) >>> 0), insn(0x15, 0, 2, 0), insn(0x28, (SKF_AD_OFF + SKF_AD_VLAN_TAG) >>> 0), insn(0x16), insn(0x06, 1)];
    const ebpf = translateCbpf(p);
    expect(runEbpfFilter(ebpf, new Uint8Array(20), 20, { skb: { vlanPresent: 1, vlanTci: 0x123 } })).toBe(0x123);
    expect(runCbpf(p, new Uint8Array(20), 20, { vlanTagPresent: true, vlanTag: 0x123 })).toBe(0x123);
    expect(runEbpfFilter(ebpf, new Uint8Array(20))).toBe(1);
  });

  it('turns a ja too far for 16 bits into ja32 (gotol), which the verifier, VM and JIT all follow', () => {
    // ldh [12]; jeq #0x800 -> ja over 40,000 loads to `ret #1`; otherwise `ret #2`
    const skipped = 40_000;
    const p = [
      insn(0x28, 12), insn(0x15, 0x800, 0, 1), insn(0x05, skipped + 1), insn(0x06, 2),
      ...Array.from({ length: skipped }, (_, i) => insn(0x00, i)), insn(0x06, 1),
    ];
    const ebpf = translateCbpf(p);
    const far = ebpf.filter((i) => i.opcode === (EBPF_JMP32 | EBPF_JA));
    expect(far).toHaveLength(1);
    expect(far[0]!.imm).toBeGreaterThan(0x7fff);
    expect(verifyEbpf(ebpf)).toEqual([]);
    const jit = compileJit(ebpf);
    for (const ethertype of [[0x08, 0x00], [0x86, 0xdd]]) {
      const packet = Uint8Array.from([...new Array<number>(12).fill(0), ...ethertype, 0, 0]);
      const expected = runCbpf(p, packet);
      expect(expected).toBe(ethertype[0] === 0x08 ? 1 : 2);
      expect(runEbpfFilter(ebpf, packet)).toBe(expected);
      expect(jit.run(packet)).toBe(expected);
    }
  });
});
