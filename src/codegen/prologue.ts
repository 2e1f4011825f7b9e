// Code run before the filter proper: the length of a radio/pseudo header (radiotap, PPI, AVS,
// Prism) and of the 802.11 header, read from each packet into the scratch registers of the
// variable offsets, when the filter uses them; likewise the PFLOG header length. PPI captures are
// also checked to carry 802.11.
import {
  BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_B, BPF_IMM, BPF_IND, BPF_JA, BPF_JEQ, BPF_JMP, BPF_JSET, BPF_K,
  BPF_LD, BPF_LDX, BPF_LSH, BPF_MEM, BPF_MISC, BPF_OR, BPF_ST, BPF_TAX, BPF_TXA, BPF_W, BPF_X, type Insn, insn,
} from '../cbpf/insn.js';
import { and, prepend, type Frag } from './blocks.js';
import { DLT } from './linktypes.js';
import type { Gen } from './state.js';

/** Relative jump inside a statement list: offsets are filled by `fix`. */
function jump(op: number, k: number): Insn {
  return insn(BPF_JMP | op | BPF_K, k);
}

/** A = little-endian 16-bit length at [2] (radiotap and PPI headers). */
function leLength(): Insn[] {
  return [
    insn(BPF_LD | BPF_ABS | BPF_B, 3), insn(BPF_ALU | BPF_LSH | BPF_K, 8), insn(BPF_MISC | BPF_TAX),
    insn(BPF_LD | BPF_ABS | BPF_B, 2), insn(BPF_ALU | BPF_OR | BPF_X),
  ];
}

/** Code leaving the radio header length in A, or null when there is none. */
function radioHeaderLength(dlt: number): Insn[] | null {
  switch (dlt) {
    case DLT.IEEE802_11_RADIO: case DLT.PPI:
      return leLength();
    case DLT.IEEE802_11_RADIO_AVS:
      return [insn(BPF_LD | BPF_ABS | BPF_W, 4)];
    case DLT.PRISM_HEADER:
      // an AVS header in a Prism capture (magic 0x80211000 in the top bits) gives its length; else 144
      return [
        insn(BPF_LD | BPF_ABS | BPF_W, 0), insn(BPF_ALU | BPF_AND | BPF_K, 0xfffff000),
        { ...jump(BPF_JEQ, 0x80211000), jt: 0, jf: 2 },
        insn(BPF_LD | BPF_ABS | BPF_W, 4), insn(BPF_JMP | BPF_JA, 1),
        insn(BPF_LD | BPF_IMM, 144),
      ];
    default:
      return null;
  }
}

/**
 * Given X = offset of the 802.11 header, store the offset of its payload in M[pl]: 24 bytes, 26
 * for QoS data frames, rounded up to 4 when radiotap says there is Atheros padding.
 */
function wlanHeaderLength(pl: number, radiotap: boolean): Insn[] {
  const add2 = [insn(BPF_LD | BPF_MEM, pl), insn(BPF_ALU | BPF_ADD | BPF_K, 2), insn(BPF_ST, pl)];
  const pad = [
    insn(BPF_LD | BPF_MEM, pl), insn(BPF_ALU | BPF_ADD | BPF_K, 3), insn(BPF_ALU | BPF_AND | BPF_K, 0xfffffffc), insn(BPF_ST, pl),
  ];
  // radiotap: FLAGS field present (bit 1), no extended bitmap (bit 31); flags at 16 after a TSFT field (bit 0), else 8
  const radio: Insn[] = radiotap ? [
    insn(BPF_LD | BPF_ABS | BPF_W, 4),
    { ...jump(BPF_JSET, 0x02000000), jt: 0, jf: 6 + pad.length },
    { ...jump(BPF_JSET, 0x80), jt: 5 + pad.length, jf: 0 },
    { ...jump(BPF_JSET, 0x01000000), jt: 0, jf: 2 },
    insn(BPF_LD | BPF_ABS | BPF_B, 16), insn(BPF_JMP | BPF_JA, 1),
    insn(BPF_LD | BPF_ABS | BPF_B, 8),
    { ...jump(BPF_JSET, 0x20), jt: 0, jf: pad.length },
    ...pad,
  ] : [];
  const afterQos = add2.length + radio.length;
  return [
    insn(BPF_MISC | BPF_TXA), insn(BPF_ALU | BPF_ADD | BPF_K, 24), insn(BPF_ST, pl),
    insn(BPF_LD | BPF_IND | BPF_B, 0),
    { ...jump(BPF_JSET, 0x08), jt: 0, jf: 2 + afterQos },
    { ...jump(BPF_JSET, 0x04), jt: 1 + afterQos, jf: 0 },
    { ...jump(BPF_JSET, 0x80), jt: 0, jf: add2.length },
    ...add2,
    ...radio,
  ];
}

/** Add the offset computations the filter needs in front of it, and the PPI check. */
export function addPrologue(g: Gen, root: Frag): Frag {
  const dlt = g.outermostLinktype;
  const hdr = g.offOutermostLinkhdr;
  const isWlan = dlt === DLT.IEEE802_11 || dlt === DLT.PRISM_HEADER || dlt === DLT.IEEE802_11_RADIO_AVS ||
    dlt === DLT.IEEE802_11_RADIO || dlt === DLT.PPI;
  const plReg = g.outermostPayload.reg;
  const s: Insn[] = [...g.prologue];
  const radio = radioHeaderLength(dlt);
  if (radio && (hdr.slot.reg !== -1 || (isWlan && plReg !== -1))) {
    if (hdr.slot.reg === -1) hdr.slot.reg = g.allocReg();
    s.push(...radio, insn(BPF_ST, hdr.slot.reg));
    if (isWlan && plReg !== -1) s.push(insn(BPF_MISC | BPF_TAX), ...wlanHeaderLength(plReg, dlt === DLT.IEEE802_11_RADIO));
  } else if (isWlan && plReg !== -1) {
    s.push(insn(BPF_LDX | BPF_IMM, hdr.constant), ...wlanHeaderLength(plReg, false));
  }
  if (dlt === DLT.PFLOG && plReg !== -1) {
    s.push(
      insn(BPF_LD | BPF_ABS | BPF_B, 0), insn(BPF_ALU | BPF_ADD | BPF_K, 3), insn(BPF_ALU | BPF_AND | BPF_K, 0xfffffffc),
      insn(BPF_ST, plReg),
    );
  }
  if (s.length) prepend(root, s);
  if (dlt === DLT.PPI) {
    // PPI header's DLT field (little-endian) must say 802.11
    return and(g.cmp('packet', 4, 4, 0x69000000), root);
  }
  return root;
}
