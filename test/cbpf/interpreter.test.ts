// runCbpf semantics the corpus test cannot reach: wire length, VLAN aux data, edge cases,
// checked against libpcap's bpf_filter() where it has an answer.
import { describe, expect, it } from 'vitest';
import { runCbpf } from '../../src/cbpf/interpreter.js';
import { insn, type Insn } from '../../src/cbpf/insn.js';
import { parseCbpf } from '../../src/cbpf/parse.js';
import { filterTestCases, type AcceptCase } from '../support/corpus.js';
import { libpcapRunProgram } from '../support/oracle.js';

const RET_A = insn(0x16);
const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);

describe('runCbpf edge cases, against bpf_filter()', () => {
  const packets = [
    { data: bytes(), wirelen: 0 },
    { data: bytes(0x12), wirelen: 1500 },
    { data: bytes(0x12, 0x34, 0x56), wirelen: 3 },
    { data: bytes(0xff, 0xfe, 0xfd, 0xfc, 0x45, 0x80), wirelen: 0xffffffff },
  ];
  const programs: [string, Insn[]][] = [
    ['ld #pktlen is the wire length', [insn(0x80), RET_A]],
    ['ldx #pktlen', [insn(0x81), insn(0x87), RET_A]],
    ['ld [k] past caplen', [insn(0x20, 2), RET_A]],
    ['ldh [k] past the last byte', [insn(0x28, 2), RET_A]],
    ['ldh [k] ending at the last byte', [insn(0x28, 1), RET_A]],
    ['ld [k] ending at the last byte', [insn(0x20, 2), RET_A]],
    ['ldb [k] at the last byte', [insn(0x30, 2), RET_A]],
    ['ld [x + k] ending at the last byte', [insn(0x01, 1), insn(0x40, 1), RET_A]],
    ['ldh [x + k] ending at the last byte', [insn(0x01, 1), insn(0x48, 0), RET_A]],
    ['ldb [x + k] with X + k wrapping 32 bits', [insn(0x01, 0xffffffff), insn(0x50, 2), RET_A]],
    ['ldxb 4*([k]&0xf)', [insn(0xb1, 4), insn(0x87), RET_A]],
    ['div by X = 0', [insn(0x00, 7), insn(0x3c), RET_A]],
    ['mod by X = 0', [insn(0x00, 7), insn(0x9c), RET_A]],
    ['lsh by X = 32', [insn(0x00, 7), insn(0x01, 32), insn(0x6c), RET_A]],
    ['rsh by X = 0xffffffff', [insn(0x00, 7), insn(0x01, 0xffffffff), insn(0x7c), RET_A]],
    ['neg and mul wrap', [insn(0x20, 0), insn(0x84), insn(0x24, 0x10001), RET_A]],
    ['ancillary load without aux data', [insn(0x30, 0xfffff030), RET_A]],
    ['ret #k is u32', [insn(0x06, 0xfffffffe)]],
  ];
  it.each(programs)('%s', (_, program) => {
    expect(packets.map((p) => runCbpf(program, p.data, p.wirelen))).toEqual(libpcapRunProgram(program, packets));
  });

  it('takes caplen as the wire length by default', () => {
    expect(runCbpf([insn(0x80), RET_A], bytes(1, 2, 3))).toBe(3);
  });

  it('starts with zeroed scratch memory on every run', () => {
    runCbpf([insn(0x00, 99), insn(0x02, 5), RET_A], bytes());
    expect(runCbpf([insn(0x60, 5), RET_A], bytes())).toBe(0);
  });

  it('ends a program that runs off its end or jumps outside it with 0', () => {
    expect(runCbpf([insn(0x00, 5)], bytes())).toBe(0);
    expect(runCbpf([insn(0x05, 7), insn(0x06, 1)], bytes())).toBe(0);
    expect(runCbpf([insn(0x06, 1), insn(0x05, -3 >>> 0)], bytes())).toBe(1);
    expect(runCbpf([insn(0x05, 1), insn(0x06, 1), insn(0x05, -3 >>> 0)], bytes())).toBe(0);
    expect(runCbpf([insn(0x05, 0xffffffff), insn(0x06, 1)], bytes())).toBe(0);
  });
});

describe('runCbpf with VLAN aux data (libpcap’s Linux VLAN code)', () => {
  const accept = filterTestCases().filter((c): c is AcceptCase => c.kind === 'accept');
  const vlan10 = parseCbpf(accept.find((c) => c.name === 'vlan_eth_linuxext_unary_0')!.opt!.join('\n'));
  const untagged = new Uint8Array(60);
  untagged.set([0x08, 0x00], 12);
  const tagged = (vid: number): Uint8Array => {
    const p = new Uint8Array(64);
    p.set([0x81, 0x00, vid >> 8, vid & 0xff, 0x08, 0x00], 12);
    return p;
  };

  it('matches `vlan 10` on the tag Linux stripped into aux data', () => {
    expect(runCbpf(vlan10, untagged, 60, { vlanTagPresent: true, vlanTag: 10 })).toBe(262144);
    expect(runCbpf(vlan10, untagged, 60, { vlanTagPresent: true, vlanTag: 0x200a })).toBe(262144); // PCP bits
    expect(runCbpf(vlan10, untagged, 60, { vlanTagPresent: true, vlanTag: 11 })).toBe(0);
    expect(runCbpf(vlan10, untagged, 60, { vlanTagPresent: false })).toBe(0);
  });

  it('falls back to the in-packet tag when aux data says none was stripped', () => {
    expect(runCbpf(vlan10, tagged(10), 64, { vlanTagPresent: false })).toBe(262144);
    expect(runCbpf(vlan10, tagged(12), 64, {})).toBe(0);
  });

  it('ends with 0 at the first VLAN ancillary load when there is no aux data, as bpf_filter() does', () => {
    expect(runCbpf(vlan10, tagged(10))).toBe(0);
    expect(libpcapRunProgram(vlan10, [{ data: tagged(10), wirelen: 64 }])).toEqual([0]);
  });
});
