// Reference interpreter with the semantics of libpcap's bpf_filter(), as libpcap master runs it (checked
// against Debian's 1.10.3 on the whole capture corpus; the two differ only where noted):
// - A, X and the 16 scratch words start at 0 (1.10.3 leaves the scratch words uninitialised); results and
//   arithmetic are u32.
// - A load outside the captured bytes, division/modulo by 0, an unknown opcode (1.10.3 aborts), running
//   off the end of the program or a jump outside it ends the program with 0.
// - Shifts by 32 or more give 0 (1.10.3 shifts a constant count modulo 32, as x86 does).
// - `ja` sign-extends k (protochain jumps backward). So that no program loops forever, a `ja` to itself
//   ends the program with 0, and so does a backward `ja` once a run has made 64 + caplen of them: a loop
//   that walks the packet, as protochain's does (8 bytes or more a turn), never gets near that (1.10.3
//   has no limit and may loop forever).
// - BPF_LEN loads the wire length.
// - Linux ancillary loads (`ld [SKF_AD_OFF + n]`) are out-of-packet loads, hence 0, except the VLAN
//   ones when `aux` is given: they read the tag the kernel stripped.

import type { Insn } from './insn.js';
import { SKF_AD_OFF, SKF_AD_VLAN_TAG, SKF_AD_VLAN_TAG_PRESENT } from './insn.js';

/** VLAN metadata Linux passes beside a packet whose 802.1Q tag the NIC removed. */
export interface CbpfAuxData {
  vlanTag?: number;
  vlanTagPresent?: boolean;
}

/** Backward jumps a run may make beyond one per captured byte (libpcap master runs 103 on its deep-stack test). */
export const BACKWARD_JUMP_ALLOWANCE = 64;
const VLAN_TAG_K = (SKF_AD_OFF + SKF_AD_VLAN_TAG) >>> 0;
const VLAN_TAG_PRESENT_K = (SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT) >>> 0;

// Scratch memory shared by all runs: a run never yields, so two cannot overlap.
const mem = new Uint32Array(16);

/**
 * Run `program` on one packet and return its u32 verdict (0 = drop, otherwise the snapshot length to keep).
 * `packet` holds the captured bytes (caplen = packet.length); `wirelen` defaults to caplen.
 *
 * With `aux`, VLAN ancillary loads of any width read it (as the Linux kernel does; libpcap's userland
 * fallback honours only byte-wide ones); without it they end the program with 0, as bpf_filter() does.
 */
export function runCbpf(program: readonly Insn[], packet: Uint8Array, wirelen?: number, aux?: CbpfAuxData): number {
  const len = program.length;
  const buflen = packet.length;
  const wire = wirelen === undefined ? buflen : wirelen >>> 0;
  let A = 0;
  let X = 0;
  let backwardBudget = BACKWARD_JUMP_ALLOWANCE + buflen;
  mem.fill(0);
  let pc = 0;
  for (;;) {
    if (pc >= len) return 0;
    const insn = program[pc];
    const k = insn.k >>> 0;
    pc++;
    switch (insn.code) {
      case 0x06: // ret #k
        return k;
      case 0x16: // ret a
        return A;
      case 0x20: // ld [k]
        if (k + 4 > buflen) {
          if (aux === undefined || !isVlanAncillary(k)) return 0;
          A = vlanAncillary(k, aux);
        } else A = be32(packet, k);
        continue;
      case 0x28: // ldh [k]
        if (k + 2 > buflen) {
          if (aux === undefined || !isVlanAncillary(k)) return 0;
          A = vlanAncillary(k, aux);
        } else A = (packet[k] << 8) | packet[k + 1];
        continue;
      case 0x30: // ldb [k]
        if (k >= buflen) {
          if (aux === undefined || !isVlanAncillary(k)) return 0;
          A = vlanAncillary(k, aux);
        } else A = packet[k];
        continue;
      case 0x80: // ld #pktlen
        A = wire;
        continue;
      case 0x81: // ldx #pktlen
        X = wire;
        continue;
      case 0x40: {
        // ld [x + k]; X + k is not wrapped to 32 bits: libpcap refuses offsets that would wrap
        const at = X + k;
        if (at + 4 > buflen) return 0;
        A = be32(packet, at);
        continue;
      }
      case 0x48: {
        // ldh [x + k]
        const at = X + k;
        if (at + 2 > buflen) return 0;
        A = (packet[at] << 8) | packet[at + 1];
        continue;
      }
      case 0x50: {
        // ldb [x + k]
        const at = X + k;
        if (at >= buflen) return 0;
        A = packet[at];
        continue;
      }
      case 0xb1: // ldxb 4*([k]&0xf)
        if (k >= buflen) return 0;
        X = (packet[k] & 0xf) << 2;
        continue;
      case 0x00: // ld #k
        A = k;
        continue;
      case 0x01: // ldx #k
        X = k;
        continue;
      case 0x60: // ld M[k]
        if (k >= 16) return 0;
        A = mem[k];
        continue;
      case 0x61: // ldx M[k]
        if (k >= 16) return 0;
        X = mem[k];
        continue;
      case 0x02: // st M[k]
        if (k >= 16) return 0;
        mem[k] = A;
        continue;
      case 0x03: // stx M[k]
        if (k >= 16) return 0;
        mem[k] = X;
        continue;
      case 0x05: {
        // ja: target pc + k, k signed
        const target = (pc + k) >>> 0;
        if (target >= len) return 0;
        if (k >= 0x80000000 && (k === 0xffffffff || backwardBudget-- === 0)) return 0;
        pc = target;
        continue;
      }
      case 0x25:
        pc += A > k ? insn.jt & 0xff : insn.jf & 0xff;
        continue;
      case 0x35:
        pc += A >= k ? insn.jt & 0xff : insn.jf & 0xff;
        continue;
      case 0x15:
        pc += A === k ? insn.jt & 0xff : insn.jf & 0xff;
        continue;
      case 0x45:
        pc += (A & k) !== 0 ? insn.jt & 0xff : insn.jf & 0xff;
        continue;
      case 0x2d:
        pc += A > X ? insn.jt & 0xff : insn.jf & 0xff;
        continue;
      case 0x3d:
        pc += A >= X ? insn.jt & 0xff : insn.jf & 0xff;
        continue;
      case 0x1d:
        pc += A === X ? insn.jt & 0xff : insn.jf & 0xff;
        continue;
      case 0x4d:
        pc += (A & X) !== 0 ? insn.jt & 0xff : insn.jf & 0xff;
        continue;
      case 0x0c:
        A = (A + X) >>> 0;
        continue;
      case 0x1c:
        A = (A - X) >>> 0;
        continue;
      case 0x2c:
        A = Math.imul(A, X) >>> 0;
        continue;
      case 0x3c:
        if (X === 0) return 0;
        A = Math.floor(A / X) >>> 0;
        continue;
      case 0x9c:
        if (X === 0) return 0;
        A = A % X;
        continue;
      case 0x5c:
        A = (A & X) >>> 0;
        continue;
      case 0x4c:
        A = (A | X) >>> 0;
        continue;
      case 0xac:
        A = (A ^ X) >>> 0;
        continue;
      case 0x6c:
        A = X < 32 ? (A << X) >>> 0 : 0;
        continue;
      case 0x7c:
        A = X < 32 ? A >>> X : 0;
        continue;
      case 0x04:
        A = (A + k) >>> 0;
        continue;
      case 0x14:
        A = (A - k) >>> 0;
        continue;
      case 0x24:
        A = Math.imul(A, k) >>> 0;
        continue;
      case 0x34:
        if (k === 0) return 0;
        A = Math.floor(A / k) >>> 0;
        continue;
      case 0x94:
        if (k === 0) return 0;
        A = A % k;
        continue;
      case 0x54:
        A = (A & k) >>> 0;
        continue;
      case 0x44:
        A = (A | k) >>> 0;
        continue;
      case 0xa4:
        A = (A ^ k) >>> 0;
        continue;
      case 0x64:
        A = k < 32 ? (A << k) >>> 0 : 0;
        continue;
      case 0x74:
        A = k < 32 ? A >>> k : 0;
        continue;
      case 0x84:
        A = -A >>> 0;
        continue;
      case 0x07:
        X = A;
        continue;
      case 0x87:
        A = X;
        continue;
      default:
        return 0;
    }
  }
}

function be32(p: Uint8Array, at: number): number {
  return ((p[at] << 24) | (p[at + 1] << 16) | (p[at + 2] << 8) | p[at + 3]) >>> 0;
}

function isVlanAncillary(k: number): boolean {
  return k === VLAN_TAG_K || k === VLAN_TAG_PRESENT_K;
}

function vlanAncillary(k: number, aux: CbpfAuxData): number {
  return k === VLAN_TAG_K ? (aux.vlanTag ?? 0) >>> 0 : aux.vlanTagPresent ? 1 : 0;
}
